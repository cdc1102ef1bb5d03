"""`cortexkit causality` from the command line."""

import json

import numpy as np
import pandas as pd
import pytest

from cortexkit import causality as cz
from cortexkit.cli import main


def test_causality_json_has_expected_keys_and_matches_library(capsys):
    args = ["causality", "--n-neurons", "8", "--timesteps", "1500", "--observed", "0.5",
            "--method", "perturbation", "--method", "regression", "--seed", "3", "--json"]
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"n_neurons", "timesteps", "observed", "n_observed", "observed_neurons", "p", "seed",
            "n_edges", "protocols", "scores"} <= set(out)
    assert out["n_neurons"] == 8 and out["n_observed"] == 4 and len(out["observed_neurons"]) == 4
    assert out["protocols"] == {"perturbation": "all", "regression": None}
    assert [s["method"] for s in out["scores"]] == ["perturbation", "regression"]
    score_keys = {"correlation", "auroc", "sign_accuracy", "rel_error", "n_pairs"}
    assert score_keys <= set(out["scores"][0])
    ref = cz.compare_methods(8, 1500, 0.5, ("perturbation", "regression"), seed=3)
    assert out["scores"][0]["correlation"] == pytest.approx(ref.scores.correlation.iloc[0])
    assert out["observed_neurons"] == ref.observed.tolist()


def test_causality_human_output_and_out_dir(tmp_path, capsys):
    assert main(["causality", "--n-neurons", "6", "--timesteps", "800", "--method", "iv",
                 "--out", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert "iv" in text and "6 neurons" in text
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["causality_activity.png", "causality_connectivity.csv",
                     "causality_iv.png", "causality_scores.csv"]
    long = pd.read_csv(tmp_path / "causality_connectivity.csv")
    assert len(long) == 36 and {"to", "from", "true", "iv"} <= set(long.columns)
    ref = cz.compare_methods(6, 800, methods=("iv",), seed=0)
    np.testing.assert_allclose(long["true"].to_numpy().reshape(6, 6), ref.A)
    np.testing.assert_allclose(long["iv"].to_numpy().reshape(6, 6), ref.estimates["iv"])


@pytest.mark.parametrize("args,needle", [
    (["--observed", "1.5"], "observed"),
    (["--observed", "0"], "observed"),
    (["--timesteps", "1"], "timesteps"),
    (["--method", "nope"], "method"),
    (["--n-neurons", "0"], "n_neurons"),
])
def test_causality_bad_input_exit_2_one_line(args, needle, capsys):
    # the bad option comes last, so it overrides the small defaults given first
    assert main(["causality", "--n-neurons", "5", "--timesteps", "200", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and needle in err
    assert len(err.splitlines()) == 1
