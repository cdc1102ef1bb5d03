"""`cortexkit entropy` from the command line."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

import cortexkit as ck
from cortexkit.cli import main


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    rng = np.random.default_rng(0)
    trains = [np.cumsum(rng.exponential(0.02 * (u + 1), 300)) for u in range(6)]
    trains.append(np.array([1.0]))  # a unit without ISIs
    st = ck.SpikeTrains.from_list(trains, t_stop=max(t.max() for t in trains) + 1)
    path = tmp_path_factory.mktemp("data") / "small.npz"
    ck.io.save_spikes(st, path)
    return path, st


def test_json_matches_library(small, capsys):
    path, st = small
    assert main(["entropy", str(path), "--bins", "20", "--range", "0", "0.1",
                 "--estimator", "miller_madow", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    expected = ck.information.isi_entropy(st, 20, (0, 0.1), estimator="miller_madow")
    got = pd.DataFrame(out["units"])
    assert got["n_isi"].tolist() == expected["n_isi"].tolist()
    np.testing.assert_allclose(got["entropy"].iloc[:6], expected["entropy"].iloc[:6],
                               rtol=1e-12)
    assert got["entropy"].iloc[6] is None or math.isnan(got["entropy"].iloc[6])  # NaN -> null
    assert out["summary"]["n_units"] == 7 and out["summary"]["n_units_with_isis"] == 6
    assert out["estimator"] == "miller_madow" and out["range"] == [0.0, 0.1]
    refs = out["references"]
    assert set(refs) == {"deterministic", "uniform", "exponential", "max_entropy"}
    assert refs["exponential"] == pytest.approx(refs["max_entropy"], abs=0.05)
    assert refs["deterministic"] <= refs["uniform"] <= refs["max_entropy"] + 1e-12
    mu = out["population_mean_isi"]
    pmf = ck.information.max_entropy_pmf(mu, 20, (0, 0.1))
    assert refs["max_entropy"] == pytest.approx(ck.information.entropy(pmf), rel=1e-12)


def test_bundled_default_human_output_and_out(tmp_path, capsys):
    assert main(["entropy", "--out", str(tmp_path), "--seed", "0"]) == 0
    text = capsys.readouterr().out
    assert "ISI entropy (plugin, 50 bins on 0-0.25 s)" in text
    assert "references at the population mean ISI" in text
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["entropy_references.csv", "entropy_references.png", "entropy_units.csv",
                     "entropy_vs_rate.png"]
    units = pd.read_csv(tmp_path / "entropy_units.csv")
    assert len(units) == 400
    ok = units["gap"].notna()
    assert (units.loc[ok, "gap"] >= -1e-9).all()  # plug-in never exceeds its bound


def test_real_ibl_nsb(real_data_dir, capsys):
    assert main(["entropy", str(real_data_dir / "ibl-slidingrp-3units"), "--estimator", "nsb",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["summary"]["n_units"] == 3
    assert all(0 < u["entropy"] < math.log2(50) for u in out["units"])


@pytest.mark.parametrize(("args", "needle"), [
    (["--bins", "0"], "--bins must be a positive integer; got 0"),
    (["--estimator", "nope"], "--estimator must be one of plugin, miller_madow, jackknife, nsb"),
    (["/nonexistent/rec.npz"], "DATA path '/nonexistent/rec.npz' does not exist"),
    (["--range", "0.3", "0.1"], "0 <= LO < HI"),
    (["--figure-format", "gif", "--out", "OUTDIR"], "png or svg"),
])
def test_bad_input_exit_2_one_line(args, needle, small, tmp_path, capsys):
    path, _ = small
    args = [str(tmp_path) if a == "OUTDIR" else a for a in args]
    if not any(a.startswith("/") for a in args):
        args = [str(path), *args]
    assert main(["entropy", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err
    assert len(err.splitlines()) == 1 and "Traceback" not in err


def test_unparsable_option_is_usage_error(small, capsys):
    path, _ = small
    assert main(["entropy", str(path), "--bins", "abc"]) == 2
    err = capsys.readouterr().err
    assert "Invalid value for '--bins'" in err and "Traceback" not in err
