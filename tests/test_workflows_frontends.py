"""No front end rebuilds a workflow: CLI, report and explorer show the same objects' numbers.

Each workflow (``ck.isi.example_unit``, ``ck.encoding.orientation_experiment``,
``ck.lif.run_input``, ``ck.information.entropy_summary``) is wrapped by a spy that records
every result it returns. Each front end is then run (the CLI with ``--json``, a report
section, the explorer's JSON API through FastAPI's TestClient) and must (1) have called
the workflow, and (2) show exactly the numbers of the object it got back. Where two front
ends are run with the same settings, their objects' numbers must be equal too. (The
explorer has no LIF view; the LIF run is compared between the CLI and the report, as is
the entropy summary.)
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

import cortexkit as ck
from cortexkit.cli import main
from cortexkit.report import render_html
from cortexkit.report._build import ReportContext


def _spy(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[Any]:
    """Wrap ``module.name``; return the list that collects its results."""
    original = getattr(module, name)
    seen: list[Any] = []

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        seen.append(result)
        return result

    monkeypatch.setattr(module, name, wrapper)
    return seen


def _cli_json(capsys: pytest.CaptureFixture[str], args: list[str]) -> dict[str, Any]:
    assert main(args) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


def _close(a: Any, b: Any) -> None:
    np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float),
                               rtol=1e-12, atol=0)


# ----------------------------------------------------------------------- example unit
def _same_unit_numbers(a: Any, b: Any) -> None:
    """Two ExampleUnit results hold the same numbers."""
    assert a.unit == b.unit and a.bins == b.bins and a.range == b.range
    _close(a.counts, b.counts)
    _close(a.edges, b.edges)
    assert sorted(a.curves) == sorted(b.curves)
    for m in a.curves:
        assert a.curves[m].params == pytest.approx(b.curves[m].params, rel=1e-12)
        assert a.curves[m].r2 == pytest.approx(b.curves[m].r2, rel=1e-12)
    assert a.best_model == b.best_model
    _close(a.distributions.table["aic"], b.distributions.table["aic"])


def test_example_unit_cli_report_explorer(monkeypatch, capsys):
    seen = _spy(monkeypatch, ck.isi, "example_unit")
    st = ck.datasets.steinmetz_like(seed=0)

    # CLI, default range (1st-95th percentile) of the most active unit
    out = _cli_json(capsys, ["isi", "--json", "--seed", "0"])
    assert len(seen) == 1
    cli_obj, u = seen[0], out["unit"]
    assert u["unit"] == cli_obj.unit and u["n_spikes"] == cli_obj.n_spikes
    assert u["range"] == list(cli_obj.range) and u["bins"] == cli_obj.bins
    _close(u["histogram"]["counts"], cli_obj.counts)
    _close(u["histogram"]["edges"], cli_obj.edges)
    assert [c["model"] for c in u["curves"]] == list(cli_obj.curves)
    for c in u["curves"]:
        fit = cli_obj.curves[c["model"]]
        assert c["params"] == fit.params and c["r2"] == fit.r2 and c["sse"] == fit.sse
    assert u["best_model"] == cli_obj.best_model
    assert u["cv"] == cli_obj.stats["cv"] and u["lv"] == cli_obj.stats["lv"]
    _close([r["aic"] for r in u["distributions"]], cli_obj.distributions.table["aic"])

    # report section on the same data: the same workflow call, the same numbers
    from cortexkit.report.sections import isi as section

    page = render_html("t", [(section.TITLE, section.build(
        ReportContext(spikes=st, data_label="bundled", seed=0)))])
    assert len(seen) == 2
    rep_obj = seen[1]
    _same_unit_numbers(rep_obj, cli_obj)
    assert f"Example unit {rep_obj.unit} ({rep_obj.n_spikes} spikes)" in page
    for fit in rep_obj.curves.values():
        assert f"{fit.r2:.4g}" in page
    assert f"({rep_obj.best_model})" in page

    # explorer API and the CLI on the explorer's range (0 .. range_max)
    from fastapi.testclient import TestClient

    client = TestClient(ck.explorer.create_app(st, data_label="bundled", seed=0))
    index = cli_obj.index
    api = client.get(f"/api/unit/{index}", params={"bins": 40, "range_max": 0.2}).json()
    assert len(seen) == 3
    exp_obj = seen[2]
    assert api["id"] == exp_obj.unit and api["n_in_range"] == int(exp_obj.counts.sum())
    _close(api["counts"], exp_obj.counts)
    _close(api["edges"], exp_obj.edges)
    for model, fit in exp_obj.curves.items():
        assert api["curves"][model]["params"] == fit.params
        assert api["curves"][model]["r2"] == fit.r2
    assert api["distributions"]["best"] == exp_obj.best_model
    _close([r["aic"] for r in api["distributions"]["rows"]],
           exp_obj.distributions.table["aic"])
    _close(api["distributions"]["expected_counts"], exp_obj.expected_counts())

    out = _cli_json(capsys, ["isi", "--json", "--seed", "0", "--unit", str(cli_obj.unit),
                             "--bins", "40", "--range", "0", "0.2"])
    assert len(seen) == 4
    _same_unit_numbers(seen[3], exp_obj)
    assert [c["r2"] for c in out["unit"]["curves"]] == [api["curves"][m]["r2"]
                                                        for m in exp_obj.curves]


# ----------------------------------------------------------------------- RSA comparison
_RSA_COLUMNS = ("similarity", "ci_low", "ci_high", "p_value", "cka")


@pytest.mark.slow
def test_orientation_experiment_cli_report_explorer(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("CORTEXKIT_CACHE_DIR", str(tmp_path / "cache"))
    from cortexkit import encoding

    seen = _spy(monkeypatch, encoding, "orientation_experiment")

    # the report's quick settings, given to the CLI
    out = _cli_json(capsys, ["rsa", "--json", "--seed", "0", "--n-train", "200",
                             "--epochs", "3", "--no-cache", "--bin-width", "5",
                             "--layers", "conv,pool,fc", "--n-boot", "300", "--n-perm", "50"])
    assert len(seen) == 1
    cli_obj = seen[0]
    assert [r["layer"] for r in out["layers"]] == list(cli_obj.layers)
    for r, (_, row) in zip(out["layers"], cli_obj.table.iterrows(), strict=True):
        assert {c: r[c] for c in _RSA_COLUMNS} == {c: row[c] for c in _RSA_COLUMNS}
    assert out["model"]["held_out_accuracy"] == cli_obj.accuracy
    assert out["model"]["final_loss"] == float(cli_obj.losses[-1])

    from cortexkit.report.sections import rsa as section

    page = render_html("t", [(section.TITLE, section.build(
        ReportContext(spikes=None, data_label="bundled", seed=0, quick=True)))])
    assert len(seen) == 2
    rep_obj = seen[1]
    assert rep_obj.layers == cli_obj.layers and rep_obj.accuracy == cli_obj.accuracy
    _close(rep_obj.table[list(_RSA_COLUMNS)], cli_obj.table[list(_RSA_COLUMNS)])
    for key in cli_obj.comparison.rdms:
        _close(rep_obj.comparison.rdms[key], cli_obj.comparison.rdms[key])
    assert f"{rep_obj.accuracy:.3f} on 1000 new gratings" in page
    for v in rep_obj.table["similarity"]:
        assert f"{v:.4g}" in page

    # the explorer's RDM view (its own settings), through the API
    from fastapi.testclient import TestClient

    app = ck.explorer.create_app(ck.datasets.steinmetz_like(seed=0), seed=0, rsa_train=200,
                                 rsa_epochs=3)
    client = TestClient(app)
    client.post("/api/rsa/start")
    app.state.rsa_jobs["conv_pool_fc"].wait(600)
    api = client.get("/api/rsa/result").json()
    assert len(seen) == 3
    exp_obj = seen[2]
    assert api["layers"] == list(exp_obj.layers)
    table = exp_obj.table.set_index("layer")
    for row in api["table"]:
        assert {c: row[c] for c in _RSA_COLUMNS} == {
            c: float(table.loc[row["layer"], c]) for c in _RSA_COLUMNS}
    _close(api["rdms"]["V1"], np.asarray(exp_obj.comparison.rdms["data"], dtype=float).round(5))
    _close(api["losses"], exp_obj.losses)
    # the explorer trained the same 200 x 3 network: same weights, same accuracy
    assert exp_obj.accuracy == cli_obj.accuracy


# ----------------------------------------------------------------------- LIF run
def test_lif_run_cli_report(monkeypatch, capsys):
    from cortexkit import lif

    seen = _spy(monkeypatch, lif, "run_input")

    # the report's balanced-input run (quick: 5 neurons, 4 s), given to the CLI
    out = _cli_json(capsys, ["lif", "--json", "--input", "poisson", "--n-neurons", "5",
                             "--t-max", "4", "--dt", "1e-4", "--seed", "0"])
    assert len(seen) == 1
    cli_obj = seen[0]
    assert out["n_spikes"] == cli_obj.n_spikes and out["mean_rate_hz"] == cli_obj.mean_rate_hz
    assert out["cv_mean"] == cli_obj.cv_mean
    _close(out["cv"], cli_obj.cv)
    _close(out["rate_hz"], cli_obj.result.spikes.rates)
    assert out["analytic_rate_hz_at_i_mean"] == cli_obj.analytic_rate_hz
    assert out["v_mean"] == cli_obj.membrane.mean

    from cortexkit.report.sections import lif as section

    page = render_html("t", [(section.TITLE, section.build(
        ReportContext(spikes=None, data_label="bundled", seed=0, quick=True)))])
    runs = [r for r in seen[1:] if r.kind == "poisson"]
    assert len(runs) == 1 and any(r.kind == "sine" for r in seen[1:])
    rep_obj = runs[0]
    assert rep_obj.n_spikes == cli_obj.n_spikes
    assert rep_obj.mean_rate_hz == cli_obj.mean_rate_hz
    _close(rep_obj.cv, cli_obj.cv)
    np.testing.assert_array_equal(rep_obj.result.spikes.times, cli_obj.result.spikes.times)
    assert f"{rep_obj.mean_rate_hz:.4g}" in page and f"{rep_obj.cv_mean:.4g}" in page


# ----------------------------------------------------------------------- entropy summary
def test_entropy_summary_cli_report(monkeypatch, capsys):
    from cortexkit import information

    seen = _spy(monkeypatch, information, "entropy_summary")
    out = _cli_json(capsys, ["entropy", "--json", "--seed", "0"])
    assert len(seen) == 1
    cli_obj = seen[0]
    s = out["summary"]
    assert s["median_entropy"] == cli_obj.median_entropy
    assert s["median_gap_to_bound"] == cli_obj.median_gap
    assert s["closest_to_bound"] == cli_obj.closest["unit"].tolist()
    assert s["farthest_from_bound"] == cli_obj.farthest["unit"].tolist()
    assert out["references"] == cli_obj.reference_entropies
    _close([r["entropy"] for r in out["units"]], cli_obj.units["entropy"])

    from cortexkit.report.sections import information as section

    page = render_html("t", [(section.TITLE, section.build(ReportContext(
        spikes=ck.datasets.steinmetz_like(seed=0), data_label="bundled", seed=0)))])
    assert len(seen) == 2
    rep_obj = seen[1]
    assert rep_obj.median_entropy == cli_obj.median_entropy
    assert rep_obj.reference_entropies == cli_obj.reference_entropies
    assert rep_obj.closest["unit"].tolist() == cli_obj.closest["unit"].tolist()
    assert f"{rep_obj.median_entropy:.4g}" in page
    for unit in rep_obj.farthest["unit"]:
        assert f"<td>{unit}</td>" in page
