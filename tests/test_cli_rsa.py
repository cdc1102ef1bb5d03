"""``cortexkit rsa``: JSON output, files, and one-line errors with exit code 2."""

from __future__ import annotations

import json

import numpy as np
import pytest

from cortexkit.cli import main

pytest.importorskip("torch")

FAST = ["--n-train", "120", "--epochs", "2", "--n-boot", "50", "--n-perm", "20"]


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CORTEXKIT_CACHE_DIR", str(tmp_path / "cache"))


def test_json_on_npz_and_out_files(tmp_path, capsys):
    rng = np.random.default_rng(0)
    stim = rng.uniform(0, 360, 60)
    pref = rng.uniform(0, 180, 40)
    resp = np.exp(2 * (np.cos(np.deg2rad(2 * (stim[:, None] - pref[None, :]))) - 1))
    resp = resp + 0.1 * rng.random(resp.shape)
    np.savez(tmp_path / "v1.npz", resp=resp.T, stimuli=stim)  # neuron x stimulus
    rc = main(["rsa", str(tmp_path / "v1.npz"), "--layers", "conv,pool,fc", "--json",
               "--out", str(tmp_path / "out"), *FAST])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    res = json.loads(captured.out)
    assert [r["layer"] for r in res["layers"]] == ["conv", "pool", "fc"]
    assert res["data"]["n_stimuli"] == int((stim <= 180).sum())  # tutorial convention
    assert res["data"]["n_neurons"] == 40
    for r in res["layers"]:
        assert r["ci_low"] <= r["similarity"] <= r["ci_high"]
        assert 0 < r["p_value"] <= 1
    assert (tmp_path / "out" / "rsa_layers.csv").exists()
    assert (tmp_path / "out" / "rsa_rdms.png").stat().st_size > 1000
    # second run reuses the cached model
    rc = main(["rsa", str(tmp_path / "v1.npz"), "--json", *FAST])
    assert rc == 0
    assert json.loads(capsys.readouterr().out)["model"]["from_cache"] is True


def test_bundled_default_text_output(capsys):
    rc = main(["rsa", "--bin-width", "10", "--no-cache", *FAST])
    out = capsys.readouterr().out
    assert rc == 0
    assert "pool" in out and "fc" in out and "held-out accuracy" in out


@pytest.mark.parametrize(("args", "match"), [
    (["--compare", "nope"], "--compare"),
    (["/definitely/not/here.npz"], "does not exist"),
    (["--layers", "bogus"], "bogus"),
    (["--layers", "pool", "--architecture", "fc"], "pool"),
    (["--metric", "l1"], "--metric"),
])
def test_bad_input_exit_2_one_line(args, match, capsys):
    rc = main(["rsa", *args, *FAST])
    err = capsys.readouterr().err
    assert rc == 2
    assert match in err
    assert len(err.strip().splitlines()) == 1
