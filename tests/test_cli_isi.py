"""`cortexkit isi` from the command line."""

import json

import numpy as np
import pandas as pd
import pytest

import cortexkit as ck
from cortexkit.cli import main


def test_isi_json_on_real_alf_folder(real_data_dir, capsys):
    path = real_data_dir / "ibl-slidingrp-3units"
    assert main(["isi", str(path), "--unit", "274", "--bins", "30", "--range", "0", "0.5",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"n_units", "refractory", "summary", "unit", "units"} <= set(out)
    assert out["n_units"] == 3
    st = ck.io.load_spikes(path)
    ref = ck.isi.stats(st)
    rows = {r["unit"]: r for r in out["units"]}
    for i, uid in enumerate(st.unit_ids.tolist()):
        assert rows[uid]["n_spikes"] == ref["n_spikes"][i]
        assert rows[uid]["lv"] == pytest.approx(ref["lv"][i], rel=1e-12)
    u = out["unit"]
    assert u["unit"] == 274 and u["bins"] == 30 and u["range"] == [0.0, 0.5]
    assert [c["model"] for c in u["curves"]] == ["exponential", "inverse", "linear"]
    assert len(u["histogram"]["counts"]) == 30
    isi = np.diff(st[st.position(274)])
    c, _ = ck.isi.histogram(isi, bins=30, range=(0, 0.5))
    assert u["histogram"]["counts"] == c.tolist()
    assert u["best_model"] == ck.isi.fit_distribution(isi).best
    assert {d["model"] for d in u["distributions"]} == set(ck.isi.DIST_MODELS)
    assert out["summary"]["units_with_refractory_violations"] == int(
        (ref["refractory_count"] > 0).sum())


@pytest.mark.slow
def test_isi_bundled_default_unit_and_out(tmp_path, capsys):
    assert main(["isi", "--out", str(tmp_path), "--table-format", "parquet"]) == 0
    text = capsys.readouterr().out
    st = ck.datasets.steinmetz_like(seed=0)
    top = st.unit_ids[np.argmax(st.counts)].item()
    assert f"unit {top}:" in text and "best ISI model" in text
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["isi_cv_lv.png", "isi_fits.parquet", "isi_fits_unit.png",
                     "isi_stats.parquet"]
    table = pd.read_parquet(tmp_path / "isi_stats.parquet")
    assert len(table) == st.n_units
    assert {"cv", "lv", "cv2", "best_model"} <= set(table.columns)


@pytest.mark.parametrize("args,needle", [
    (["isi", "/nonexistent/recording.npz"], "recording.npz"),
    (["isi", "--bins", "0"], "--bins"),
    (["isi", "--range", "1", "0"], "LO < HI"),
    (["isi", "--unit", "no-such-unit"], "no-such-unit"),
    (["isi", "--refractory", "-1"], "refractory"),
])
def test_isi_bad_input_exit_2(args, needle, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err
    assert len(err.splitlines()) == 1 and "Traceback" not in err


def test_isi_empty_range_is_a_clear_error(real_data_dir, capsys):
    path = real_data_dir / "ibl-slidingrp-3units"
    assert main(["isi", str(path), "--unit", "274", "--range", "5000", "6000", "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "no counts" in captured.err and "widen the range" in captured.err
