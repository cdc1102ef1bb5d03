"""CLI: cortexkit lif."""

from __future__ import annotations

import json

import pytest

import cortexkit as ck
from cortexkit.cli import main


@pytest.mark.parametrize("kind", ["sine", "constant", "noise", "ou", "poisson"])
def test_lif_json_has_expected_keys(kind, capsys):
    rc = main(["lif", "--input", kind, "--n-neurons", "3", "--t-max", "0.5", "--dt", "1e-4",
               "--seed", "1", "--json"])
    out = capsys.readouterr().out
    assert rc == 0
    d = json.loads(out)
    for key in ("input", "method", "n_neurons", "n_steps", "params", "i_mean", "rheobase",
                "analytic_rate_hz_at_i_mean", "n_spikes", "mean_rate_hz", "cv_mean",
                "rate_hz", "cv", "v_mean", "v_std"):
        assert key in d
    assert d["input"] == kind and d["n_neurons"] == 3 and d["n_steps"] == 5000
    assert d["params"]["dt"] == 1e-4 and len(d["rate_hz"]) == 3


def test_lif_constant_matches_library(capsys):
    rc = main(["lif", "--input", "constant", "--i-mean", "3e-10", "--n-neurons", "2",
               "--t-max", "1", "--json"])
    d = json.loads(capsys.readouterr().out)
    assert rc == 0
    p = ck.lif.LIFParams(dt=1e-4, t_max=1.0)
    expected = ck.lif.simulate(p, 3e-10, 2, record_v=False).spikes.n_spikes
    assert d["n_spikes"] == expected
    assert d["analytic_rate_hz_at_i_mean"] == pytest.approx(ck.lif.rate(3e-10, p))
    # regular firing at constant input: the simulated rate is close to the analytic one
    assert d["mean_rate_hz"] == pytest.approx(d["analytic_rate_hz_at_i_mean"], rel=0.05)


def test_lif_seeded_output_reproducible(capsys):
    args = ["lif", "--input", "poisson", "--n-neurons", "2", "--t-max", "0.5", "--seed", "3",
            "--json"]
    main(args)
    a = capsys.readouterr().out
    main(args)
    assert capsys.readouterr().out == a


def test_lif_out_writes_tables_and_figures(tmp_path, capsys):
    rc = main(["lif", "--n-neurons", "2", "--t-max", "0.3", "--out", str(tmp_path)])
    assert rc == 0
    names = {p.name for p in tmp_path.iterdir()}
    assert {"lif_spikes.csv", "lif_neurons.csv", "lif_voltage.png",
            "lif_current.png"} <= names
    assert "spikes:" in capsys.readouterr().out


@pytest.mark.parametrize("args, text", [
    (["--dt", "0"], "dt"),
    (["--dt", "-1e-4"], "dt"),
    (["--input", "nope"], "--input"),
    (["--n-neurons", "0"], "--n-neurons"),
    (["--t-max", "0.00001"], "t_max"),
    (["--method", "rk4"], "method"),
    (["--input", "noise", "--sd", "-1"], "--sd"),
])
def test_lif_bad_input_exit_2_one_line(args, text, capsys):
    rc = main(["lif", *args, "--json"])
    captured = capsys.readouterr()
    assert rc == 2
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and text in lines[0]
