"""`cortexkit describe`, `report` and `demo` from the command line."""

import json

import numpy as np
import pytest

import cortexkit as ck
from cortexkit.cli import main


def test_describe_json_matches_library(capsys):
    assert main(["describe", "--json", "--interval", "0", "60"]) == 0
    out = json.loads(capsys.readouterr().out)
    st = ck.datasets.steinmetz_like(seed=0)
    assert out["n_units"] == st.n_units and out["n_spikes"] == st.n_spikes
    assert out["median_count"] == float(np.median(st.counts))
    inside = np.count_nonzero(st.times < 60)
    assert out["interval"]["fraction_spikes"] == pytest.approx(inside / st.n_spikes)


def test_describe_human_and_out(tmp_path, capsys):
    assert main(["describe", "--out", str(tmp_path), "--table-format", "parquet"]) == 0
    assert "units" in capsys.readouterr().out
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["population_rate.png", "raster.png", "spike_counts.png", "units.parquet"]
    import pandas as pd

    assert len(pd.read_parquet(tmp_path / "units.parquet")) == 400


@pytest.mark.parametrize("args,needle", [
    (["describe", "/nonexistent/recording.npz"], "recording.npz"),
    (["describe", "--interval", "5", "1"], "t0 < t1"),
    (["describe", "--interval", "0", "9999"], "not inside"),
    (["describe", "--figure-format", "gif", "--out", "OUTDIR"], "png or svg"),
])
def test_describe_bad_input_exit_2(args, needle, capsys, tmp_path):
    args = [str(tmp_path) if a == "OUTDIR" else a for a in args]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err
    assert len(err.splitlines()) == 1 and "Traceback" not in err


def test_report_data_sections(tmp_path, capsys):
    target = tmp_path / "r.html"
    assert main(["report", "-o", str(target), "--quick", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["report"] == str(target.resolve())
    page = target.read_text()
    assert "Recording overview" in page and "data:image/png;base64," in page
    assert "http://" not in page and "https://" not in page


def test_report_refuses_directory_and_bad_suffix(tmp_path, capsys):
    assert main(["report", "-o", str(tmp_path)]) == 2
    assert main(["report", "-o", str(tmp_path / "r.pdf")]) == 2
    err = capsys.readouterr().err
    assert "directory" in err and ".html" in err
