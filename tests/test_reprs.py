"""Notebook reprs: a short __repr__ and a summary-table _repr_html_, never a data dump."""

from __future__ import annotations

import math
from html.parser import HTMLParser

import numpy as np
import pytest

import cortexkit as ck
from cortexkit._lib import reprs


class _Checker(HTMLParser):
    """Counts cells and checks that every opened tag is closed in order."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.cells: list[str] = []
        self._in_cell = False

    def handle_starttag(self, tag, attrs):
        self.stack.append(tag)
        self._in_cell = tag in ("td", "th")
        if self._in_cell:
            self.cells.append("")

    def handle_endtag(self, tag):
        assert self.stack and self.stack.pop() == tag, f"unbalanced </{tag}>"
        self._in_cell = False

    def handle_data(self, data):
        if self._in_cell:
            self.cells[-1] += data


def _check(obj, must: list[str], max_repr: int = 220) -> list[str]:
    text, out = repr(obj), obj._repr_html_()
    assert len(text) <= max_repr and "\n" not in text, text
    assert text.startswith(type(obj).__name__ + "(")
    p = _Checker()
    p.feed(out)
    p.close()
    assert p.stack == [] and out.startswith("<div") and "<table>" in out
    assert len(out) < 3000
    for s in must:
        assert s in out, (s, out)
    return p.cells


def test_fmt_text_html_helpers():
    assert reprs.fmt(np.arange(10**6)) == f"array (1000000,) {np.arange(1).dtype}"
    assert reprs.fmt(0.000123456) == "0.0001235" and reprs.fmt(123456) == "123,456"
    assert reprs.html("A<b>", [("x & y", "<script>")]).count("<script>") == 0


def test_spike_trains_repr_never_lists_the_spikes():
    st = ck.datasets.steinmetz_like(seed=0, n_units=30, duration=60)
    cells = _check(st, ["SpikeTrains", str(st.n_units), f"{st.n_spikes:,}", "unit_info"])
    assert "units" in cells and "spikes" in cells
    for t in st.times[1:50]:
        assert f"{t:.6f}" not in st._repr_html_() and repr(float(t)) not in repr(st)
    big = ck.datasets.steinmetz_like(seed=1, n_units=200, duration=300)
    assert abs(len(big._repr_html_()) - len(st._repr_html_())) < 40  # size independent of data


def test_lif_result_repr():
    res = ck.lif.simulate(ck.lif.LIFParams(), 3e-10, 4)
    n = res.spikes.n_spikes
    _check(res, ["LIFResult", "neurons", str(n), "exact", "V mean / min / max (V)"])
    assert f"spikes={n}" in repr(res)
    quiet = ck.lif.simulate(ck.lif.LIFParams(V_th=math.inf), 3e-10, 2, record_v=False)
    _check(quiet, ["not recorded", "inf"])


def test_isi_fit_reprs():
    isis = np.random.default_rng(0).exponential(0.05, 500)
    fits = ck.isi.fit_distribution(isis)
    cells = _check(fits, ["DistributionFits", fits.best, "500", "AIC"])
    assert sum(c in ck.isi.DIST_MODELS for c in cells) == len(fits.table) + 1  # + "best"
    assert repr(fits).startswith(f"DistributionFits(best={fits.best}, criterion=aic, ISIs=500")
    counts, edges = ck.isi.histogram(isis, bins=30)
    curve = ck.isi.fit_curve(counts, edges, "exponential")
    _check(curve, ["CurveFit", "exponential", f"{curve.r2:.4g}"])
    assert f"R2={curve.r2:.4g}" in repr(curve)


def test_membrane_stats_and_causality_comparison_reprs():
    res = ck.lif.simulate(ck.lif.LIFParams(), 2e-10, 3)
    ms = ck.lif.membrane_stats(res)
    _check(ms, ["MembraneStats", f"{ms.mean:.4g}", "50 bins"])
    cmp = ck.causality.compare_methods(6, 600, methods=("perturbation", "correlation"), seed=0)
    _check(cmp, ["Comparison", "method perturbation", "method correlation", "AUROC"])
    assert repr(cmp) == "Comparison(neurons=6, observed=6, methods=2)"


def test_network_run_repr():
    A = ck.causality.make_connectivity(8, seed=0)
    run = ck.causality.simulate(A, 200, perturb="all", seed=0)
    _check(run, ["NetworkRun", "200", "all", "0.5"])


def test_rsa_result_reprs():
    rng = np.random.default_rng(0)
    r = rng.random((12, 40))
    r1, r2 = ck.rsa.rdm(r), ck.rsa.rdm(r + rng.random((12, 40)))
    boot = ck.rsa.bootstrap_compare(r1, r2, n_boot=40, seed=0)
    _check(boot, ["BootstrapResult", f"{boot.estimate:.4g}", "95% CI", "of 40"])
    perm = ck.rsa.permutation_test(r1, r2, n_perm=30, seed=0)
    _check(perm, ["PermutationResult", f"{perm.p_value:.4g}", "30"])
    tc = ck.rsa.tuning_curves(r, np.arange(12.0) % 4)
    _check(tc, ["TuningCurves", "40", "(3, 3)"])


def test_layer_comparison_repr():
    pytest.importorskip("torch")
    net = ck.encoding.OrientationCNN(seed=0)
    v1 = ck.datasets.v1_orientation_like(seed=0, n_neurons=60, n_stimuli=40)
    from cortexkit.io.responses import tutorial_convention

    cmp = ck.encoding.compare_layers(net, tutorial_convention(v1), ("pool", "fc"), n_boot=20,
                                     n_perm=0)
    cells = _check(cmp, ["LayerComparison", "layer pool", "layer fc", "pearson / correlation"],
                   max_repr=300)
    assert any(c.startswith(f"{cmp.table['similarity'].iloc[0]:.3f}") for c in cells)
