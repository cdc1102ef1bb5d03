"""Regression tests of issue 14 for the analyses and containers: one table row per defect.

Each bad call must raise a CortexkitError subclass naming the parameter (never a numpy /
scipy / Python exception), and every NaN an analysis returns for an undefined input comes
with a CortexkitWarning.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import cortexkit as ck
from cortexkit.errors import CortexkitError, CortexkitWarning

ST = ck.SpikeTrains.from_list([[0.1, 0.2, 0.5], [0.3, 0.9]], t_stop=1.0)
EDGES = np.arange(6.0)

# (id, call, regex the message must match)
ERRORS = [
    ("restrict-str", lambda: ST.restrict("a", 1), "t0"),
    ("restrict-none", lambda: ST.restrict(0, None), "t1"),
    ("from-list-ragged", lambda: ck.SpikeTrains.from_list([[0.1, [0.2, 0.3]], [0.4]]),
     "unit 0.*flat sequence"),
    ("from-list-nested-ragged", lambda: ck.SpikeTrains.from_list([[[0.1, 0.2], [0.3]]]),
     "unit 0"),
    ("from-events-none-label", lambda: ck.SpikeTrains.from_events(
        np.array([0.1, 0.2]), np.array([None, 1], dtype=object)), "units.*NoneType"),
    ("from-events-mixed-labels", lambda: ck.SpikeTrains.from_events(
        np.array([0.1, 0.2]), np.array(["a", 1], dtype=object)), "units.*int.*str"),
    ("from-list-complex", lambda: ck.SpikeTrains.from_list([np.array([0.1 + 1j, 0.2])]),
     "complex"),
    ("from-events-complex", lambda: ck.SpikeTrains.from_events(
        np.array([0.1 + 0j, 0.2]), np.array([1, 1])), "complex"),
    ("population-rate-overflow", lambda: ck.summary.population_rate(ST, bin_size=1e-300),
     "bin_size"),
    ("population-rate-nan", lambda: ck.summary.population_rate(ST, bin_size=float("nan")),
     "bin_size"),
    ("histogram-too-narrow", lambda: ck.isi.histogram([1.0, 1.0], bins=10,
                                                      range=(1.0, 1.0 + 2e-16)), "range"),
    ("histogram-denormal-max", lambda: ck.isi.histogram([5e-324, 5e-324], bins=50), "range"),
    ("fit-curve-one-bin", lambda: ck.isi.fit_curve([5], [0.0, 1.0], "exponential"),
     "at least 2 bins"),
    ("fit-curve-one-bin-inverse", lambda: ck.isi.fit_curve([5], [0.0, 1.0], "inverse"),
     "at least 2 bins"),
    ("fit-curve-bad-x0", lambda: ck.isi.fit_curve([5, 3, 1], [0.0, 1, 2, 3], "exponential",
                                                  x0=float("nan")), "x0"),
    ("fit-curve-huge-counts", lambda: ck.isi.fit_curve([1e308, 1e-308, 1e308], [0.0, 1, 2, 3],
                                                       "inverse"), "could not be fitted|finite"),
    ("auroc-nan-scores", lambda: ck.causality.auroc([np.nan, 0.2], [1, 0]), "scores"),
    ("auroc-length", lambda: ck.causality.auroc([0.1, 0.2, 0.3], [1, 0]), "same length"),
    ("max-entropy-inf", lambda: ck.information.max_entropy_bound(np.inf), "mean_isi"),
    ("histogram-absurd-bins", lambda: ck.isi.histogram([0.1, 0.2], bins=10**11), "bins.*GiB"),
    ("connectivity-absurd-size", lambda: ck.causality.make_connectivity(10**6),
     "n_neurons|GiB"),
    ("simulate-absurd-steps", lambda: ck.causality.simulate(np.zeros((3, 3)), 10**12), "GiB"),
    ("complex-isis", lambda: ck.isi.histogram(np.array([0.1 + 1j, 0.2])), "complex"),
    ("complex-fit-curve", lambda: ck.isi.fit_curve(np.array([3, 2, 1]) + 0j, np.arange(4.0),
                                                   "linear"), "complex"),
    ("complex-rdm", lambda: ck.rsa.rdm(np.ones((4, 3)) * (1 + 1j)), "complex"),
    ("complex-compare", lambda: ck.rsa.compare(np.eye(3) + 0j, np.eye(3)), "complex"),
    ("complex-score", lambda: ck.causality.score(np.eye(3) + 0j, np.eye(3)), "complex"),
    ("complex-estimate", lambda: ck.causality.estimate(np.ones((3, 50)) + 0j, "correlation"),
     "complex"),
    ("max-entropy-complex", lambda: ck.information.max_entropy_bound(0.1 + 0j), "mean_isi"),
]


@pytest.mark.parametrize("name, call, match", ERRORS, ids=[e[0] for e in ERRORS])
def test_bad_call_raises_cortexkit_error(name, call, match):
    with warnings.catch_warnings():
        warnings.simplefilter("error", np.exceptions.ComplexWarning)
        with pytest.raises(CortexkitError, match=match):
            call()


RNG = np.random.default_rng(0)
# (id, call): the input cannot give a meaningful value -> NaN with a CortexkitWarning
NANS = [
    ("max-entropy-nan-mean", lambda: ck.information.max_entropy_bound(float("nan"))),
    ("auroc-one-class", lambda: ck.causality.auroc([0.1, 0.2], [1, 1])),
    ("score-all-nan-estimate", lambda: ck.causality.score(np.full((3, 3), np.nan), np.eye(3))),
    ("rsa-compare-constant", lambda: ck.rsa.compare(np.ones((4, 4)) - np.eye(4),
                                                    RNG.random((4, 4)))),
    ("rsa-compare-constant-spearman", lambda: ck.rsa.compare(
        RNG.random((4, 4)), np.ones((4, 4)) - np.eye(4), "spearman")),
]


@pytest.mark.parametrize("name, call", NANS, ids=[n[0] for n in NANS])
def test_undefined_result_is_nan_with_warning(name, call):
    with pytest.warns(CortexkitWarning, match="NaN"):
        out = call()
    value = out.correlation if hasattr(out, "correlation") else np.asarray(out).ravel()[0]
    assert np.isnan(value)


@pytest.mark.parametrize("model", ck.isi.CURVE_MODELS)
def test_constant_counts_fitted_exactly_give_r2_one(model):
    """r2 was NaN when rounding left sse at 1e-30 with sst = 0 (constant counts)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit = ck.isi.fit_curve([3.0, 3.0, 3.0, 3.0], np.arange(5.0), model)
    assert fit.r2 == 1.0


def test_lif_memory_estimate_refused_before_allocating():
    with pytest.raises(CortexkitError, match="GiB"):
        ck.lif.run_input("poisson", ck.lif.LIFParams(), 10**9)


def test_entropy_summary_units_without_isis_do_not_warn():
    st = ck.SpikeTrains.from_list([[0.1, 0.2, 0.25], [0.5]], t_stop=1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", CortexkitWarning)
        table = ck.information.entropy_summary(st, bins=4, range=(0, 0.25)).units
    assert np.isnan(table["max_entropy"].iloc[1])
