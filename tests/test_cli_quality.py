"""``cortexkit quality``: JSON numbers are the library's, files, exit codes."""

from __future__ import annotations

import json

import numpy as np
import pytest

import cortexkit as ck
from cortexkit.cli import main


def _run(capsys, args):
    rc = main(args)
    out = capsys.readouterr()
    return rc, out.out, out.err


@pytest.fixture(scope="module")
def ibl_dir(real_data_dir):
    return str(real_data_dir / "ibl-slidingrp-3units")


def test_json_shows_the_workflow_numbers(capsys, monkeypatch, ibl_dir):
    seen = []
    original = ck.quality.unit_summary

    def spy(*a, **k):
        seen.append(original(*a, **k))
        return seen[-1]

    monkeypatch.setattr(ck.quality, "unit_summary", spy)
    rc, out, err = _run(capsys, ["quality", ibl_dir, "--unit", "275", "--json"])
    assert rc == 0, err
    res = json.loads(out)
    assert len(seen) == 1
    q = seen[0]
    assert res["unit"]["unit"] == 275 == q.unit
    m = res["unit"]["metrics"]
    assert m["slidingrp_min_contamination"] == q.metrics["slidingrp_min_contamination"]
    assert m["slidingrp_rp_at_min"] == pytest.approx(0.00055)
    np.testing.assert_allclose(res["unit"]["sliding_rp"]["confidence_at_threshold"],
                               q.sliding.threshold_confidence)
    np.testing.assert_array_equal(res["unit"]["acg"]["counts"], q.acg.counts[0, 0])
    table = ck.quality.metrics(ck.io.load_spikes(ibl_dir))
    assert [r["unit"] for r in res["units"]] == table["unit"].tolist()
    assert [r["slidingrp_pass"] for r in res["units"]] == [False, True, False]
    assert res["summary"]["slidingrp_pass"] == 1
    assert res["units"][0]["slidingrp_min_contamination"] is None  # NaN -> null


def test_text_and_out_files(capsys, tmp_path, ibl_dir):
    rc, out, err = _run(capsys, ["quality", ibl_dir, "--out", str(tmp_path),
                                 "--figure-format", "svg"])
    assert rc == 0, err
    assert "3 units; sliding RP: 1 pass, 2 fail" in out
    assert "unit 274:" in out and "PASS" in out
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["quality_acg.svg", "quality_contamination.svg", "quality_metrics.csv",
                     "quality_sliding_rp.svg"]
    import pandas as pd

    t = pd.read_csv(tmp_path / "quality_metrics.csv")
    assert tuple(t.columns) == ck.quality.METRIC_COLUMNS


@pytest.mark.parametrize("args, flag", [
    (["--censored", "0.002"], "--censored"),
    (["--refractory", "0"], "--refractory"),
    (["--unit", "nope"], "--unit"),
    (["--table-format", "xls"], "--table-format"),
])
def test_bad_options_exit_2_naming_the_flag(capsys, args, flag):
    rc, out, err = _run(capsys, ["quality", "--json", *args])
    assert rc == 2
    assert err.startswith(f"error: {flag}"), err
    assert out == ""


def test_bundled_data_default(capsys):
    rc, out, err = _run(capsys, ["quality", "--json"])
    assert rc == 0, err
    res = json.loads(out)
    st = ck.datasets.steinmetz_like(seed=0)
    assert res["n_units"] == st.n_units
    assert res["unit"]["unit"] == ck.quality.example_unit(st)
