"""ck.information: entropy of PMFs, count estimators (incl. NSB), reference and max-entropy PMFs.

Reference values: analytic results (log_b n, ln 2, closed forms), scipy.stats.entropy,
brute-force leave-one-out with SciPy, Monte Carlo over Dirichlet posteriors, and an
independent constrained optimisation (scipy.optimize.minimize) for the max-entropy PMF.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as hst
from scipy.integrate import quad
from scipy.optimize import brentq, minimize
from scipy.special import digamma, gammaln, polygamma

from cortexkit.errors import ValidationError
from cortexkit.information import (
    ESTIMATORS,
    bin_edges,
    entropy,
    entropy_from_counts,
    max_entropy_pmf,
    pmf_from_counts,
    reference_pmfs,
)
from cortexkit.information._nsb import nsb_nats, nsb_nats_rows, posterior_mean_entropy

EDGES = bin_edges(50, (0.0, 0.25))
CENTRES = 0.5 * (EDGES[:-1] + EDGES[1:])


# ----------------------------------------------------------------------------- entropy
@pytest.mark.parametrize("pmf", [[1.0], [0.0, 1.0, 0.0], [0, 0, 0, 1]])
@pytest.mark.parametrize("base", [2, math.e, 10])
def test_point_mass_has_entropy_positive_zero(pmf, base):
    h = entropy(pmf, base=base)
    assert h == 0.0
    assert math.copysign(1.0, h) == 1.0  # +0.0, never -0.0


@pytest.mark.parametrize("estimator", ["plugin", "miller_madow", "jackknife"])
def test_point_mass_counts_are_positive_zero(estimator):
    h = entropy_from_counts([0, 7, 0], estimator=estimator)
    assert h == 0.0 and math.copysign(1.0, h) == 1.0


@pytest.mark.parametrize("n", [1, 2, 3, 7, 64, 1000])
@pytest.mark.parametrize("base", [2, math.e, 10, 3])
def test_equal_masses_give_log_n(n, base):
    assert entropy(np.full(n, 1.0 / n), base=base) == pytest.approx(
        math.log(n) / math.log(base), rel=1e-13, abs=1e-15)


def test_nats_and_bits_differ_by_ln2():
    p = np.random.default_rng(0).dirichlet(np.ones(17))
    assert entropy(p, base=math.e) / entropy(p, base=2) == pytest.approx(math.log(2), rel=1e-14)


def test_known_value_and_zero_mass_excluded():
    assert entropy([0.5, 0.25, 0.25, 0.0]) == pytest.approx(1.5, rel=1e-15)


@pytest.mark.parametrize(
    ("pmf", "match"),
    [
        ([-0.1, 1.1], r"pmf has 1 negative value\(s\), first -0.1 at index 0"),
        ([0.5, 0.6], r"pmf sums to 1.1, not 1"),
        ([0.5, 0.4], r"pmf sums to 0.9.*normalize=True"),
        ([np.nan, 1.0], r"pmf contains 1 NaN or infinite value\(s\), first at index 0"),
        ([0.5, np.inf], r"NaN or infinite"),
        ([], r"pmf is empty"),
        (np.ones((2, 2, 2)) / 8, r"must be 1-D .* or 2-D"),
        (["a", "b"], r"numeric"),
        ([[0.5, 0.5], [0.2, 0.2]], r"sums to 0.4.*\(row 1\)"),
    ],
)
def test_invalid_pmf_messages(pmf, match):
    with pytest.raises(ValidationError, match=match):
        entropy(pmf)


@pytest.mark.parametrize("base", [1, 0, -2, float("nan"), "two"])
def test_invalid_base(base):
    with pytest.raises(ValidationError, match="base"):
        entropy([0.5, 0.5], base=base)


def test_sum_tolerance_is_1e9_relative():
    assert entropy([0.5, 0.5 + 5e-10]) == pytest.approx(1.0)
    with pytest.raises(ValidationError, match="sums to"):
        entropy([0.5, 0.5 + 5e-9])


def test_normalize_rescales_and_refuses_zero():
    assert entropy([1, 1, 2], normalize=True) == pytest.approx(1.5, rel=1e-15)
    with pytest.raises(ValidationError, match="all zero"):
        entropy([0, 0], normalize=True)
    with pytest.raises(ValidationError, match="negative"):
        entropy([2, -1], normalize=True)


def test_rows_are_distributions_and_input_untouched():
    rng = np.random.default_rng(1)
    p = rng.dirichlet(np.ones(9), size=6)
    before = p.copy()
    h = entropy(p)
    np.testing.assert_array_equal(h, [entropy(row) for row in p])
    np.testing.assert_array_equal(p, before)


@settings(max_examples=200, deadline=None)
@given(w=hst.lists(hst.floats(0.0, 1e3, allow_nan=False), min_size=1, max_size=60).filter(
    lambda w: sum(w) > 1e-6), base=hst.sampled_from([2.0, math.e, 10.0]))
def test_plugin_equals_scipy_entropy(w, base):
    p = np.asarray(w) / np.sum(w)
    assert entropy(p, base=base) == pytest.approx(scipy.stats.entropy(p, base=base),
                                                  rel=1e-12, abs=1e-13)


@settings(max_examples=100, deadline=None)
@given(c=hst.lists(hst.integers(0, 500), min_size=1, max_size=40).filter(lambda c: sum(c) > 0))
def test_plugin_counts_equal_scipy_and_pmf_path(c):
    assert entropy_from_counts(c) == pytest.approx(scipy.stats.entropy(c, base=2),
                                                   rel=1e-12, abs=1e-13)
    assert entropy_from_counts(c) == entropy(pmf_from_counts(c))


# ----------------------------------------------------------------------- pmf_from_counts
def test_pmf_from_counts_values_and_errors():
    np.testing.assert_array_equal(pmf_from_counts([2, 0, 6]), [0.25, 0.0, 0.75])
    np.testing.assert_allclose(pmf_from_counts([[1, 3], [5, 5]]), [[0.25, 0.75], [0.5, 0.5]])
    with pytest.raises(ValidationError, match="all zero"):
        pmf_from_counts([0, 0, 0])
    with pytest.raises(ValidationError, match=r"all zero \(row 1\)"):
        pmf_from_counts([[1, 0], [0, 0]])
    with pytest.raises(ValidationError, match="negative"):
        pmf_from_counts([3, -1])
    with pytest.raises(ValidationError, match="NaN"):
        pmf_from_counts([3, np.nan])
    with pytest.raises(ValidationError, match="empty"):
        pmf_from_counts([])


# ---------------------------------------------------------------------- estimators
def test_unknown_estimator_lists_options():
    with pytest.raises(ValidationError,
                       match="estimator must be one of plugin, miller_madow, jackknife, nsb; "
                             "got 'nope'"):
        entropy_from_counts([1, 2], estimator="nope")


def test_counts_must_be_whole_and_not_all_zero():
    with pytest.raises(ValidationError, match="whole numbers"):
        entropy_from_counts([1.5, 2])
    with pytest.raises(ValidationError, match="all zero"):
        entropy_from_counts([0, 0], estimator="nsb")


def test_miller_madow_closed_form():
    # plug-in + (m - 1) / (2N) nats; [5, 5, 0]: 1 bit + 1/20 nats
    assert entropy_from_counts([5, 5, 0], "miller_madow") == pytest.approx(
        1.0 + (1 / 20) / math.log(2), rel=1e-14)


@pytest.mark.parametrize("seed", range(5))
def test_jackknife_equals_brute_force_leave_one_out(seed):
    rng = np.random.default_rng(seed)
    c = rng.integers(0, 6, size=8)
    c[0] += 1
    samples = np.repeat(np.arange(c.size), c)
    n = samples.size
    loo = [scipy.stats.entropy(np.bincount(np.delete(samples, j), minlength=c.size))
           for j in range(n)]
    expected = n * scipy.stats.entropy(c) - (n - 1) / n * np.sum(loo)
    assert entropy_from_counts(c, "jackknife", base=math.e) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_rows_match_single_calls(estimator):
    c = np.random.default_rng(2).integers(0, 9, size=(4, 12))
    c[:, 0] += 1
    np.testing.assert_allclose(entropy_from_counts(c, estimator),
                               [entropy_from_counts(r, estimator) for r in c], rtol=1e-14)


def test_nsb_posterior_mean_formula_matches_monte_carlo():
    """Wolpert-Wolf E[H | n, beta] against sampling the Dirichlet posterior."""
    rng = np.random.default_rng(3)
    counts = np.array([4, 0, 1, 7, 0, 2, 0, 0, 1, 3])
    vals, mult = np.unique(counts, return_counts=True)
    for beta in (0.05, 0.5, 3.0):
        p = rng.dirichlet(counts + beta, size=200_000)
        h = scipy.stats.entropy(p, axis=1)
        got = posterior_mean_entropy(np.array([beta]), vals.astype(float), mult.astype(float),
                                     counts.size, float(counts.sum()))[0]
        assert got == pytest.approx(h.mean(), abs=4 * h.std() / math.sqrt(h.size))


@pytest.mark.parametrize("k", [2, 5, 50, 1000])
def test_nsb_without_data_is_half_log_k(k):
    """The NSB prior is flat in xi = E[H | beta] on [0, log K]: its mean is log(K)/2."""
    assert nsb_nats(np.zeros(k)) == pytest.approx(math.log(k) / 2, rel=1e-9)


@pytest.mark.parametrize("counts", [[3, 1, 0, 0, 2], [10, 0, 0, 0, 0, 0, 1], [1, 1, 1, 0, 0, 0]])
def test_nsb_equals_direct_quadrature_over_beta(counts):
    """Independent integration: quad over beta of the NSB posterior, scalar formulas."""
    c = np.asarray(counts, dtype=float)
    k, n = c.size, c.sum()

    def log_post(beta):
        ev = gammaln(k * beta) - gammaln(n + k * beta) + np.sum(gammaln(c + beta) - gammaln(beta))
        dxi = k * polygamma(1, k * beta + 1) - polygamma(1, beta + 1)
        return ev + math.log(dxi)

    def mean_h(beta):
        a = n + k * beta
        return digamma(a + 1) - np.sum((c + beta) / a * digamma(c + beta + 1))

    grid = np.logspace(-6, 6, 200)
    m = max(log_post(b) for b in grid)
    opts = {"limit": 400, "epsabs": 0, "epsrel": 1e-11, "points": [1e-3, 1e-1, 1, 10]}
    z = quad(lambda b: math.exp(log_post(b) - m), 0, 1e3, **opts)[0] + quad(
        lambda b: math.exp(log_post(b) - m), 1e3, np.inf, epsrel=1e-11)[0]
    num = quad(lambda b: math.exp(log_post(b) - m) * mean_h(b), 0, 1e3, **opts)[0] + quad(
        lambda b: math.exp(log_post(b) - m) * mean_h(b), 1e3, np.inf, epsrel=1e-11)[0]
    assert entropy_from_counts(c, "nsb", base=math.e) == pytest.approx(num / z, rel=1e-7)


def _nsb_parity_rows(k: int) -> np.ndarray:
    """Histograms over k bins: 1 to 10^5 observations, uniform / sparse / peaked shapes."""
    rng = np.random.default_rng(k)
    rows = [np.zeros(k)]
    for n in (1, 2, 3, 5, 10, 30, 100, 1000, 10**4, 10**5):
        for a in (0.1, 0.5, 5.0, 1e6):               # Dirichlet concentration of the PMF
            rows.append(rng.multinomial(n, rng.dirichlet(np.full(k, a))))
    return np.array(rows, dtype=float)


@pytest.mark.parametrize("k", [2, 3, 7, 20, 50, 200])
def test_nsb_vectorized_over_rows_equals_reference_to_1e9(k):
    """The vectorized estimator (shared coarse table, Chebyshev-interpolated integrands)
    reproduces the per-histogram reference nsb_nats on every row."""
    c = _nsb_parity_rows(k)
    ref = np.array([nsb_nats(r) for r in c])
    np.testing.assert_allclose(nsb_nats_rows(c), ref, rtol=0, atol=1e-9)
    got = entropy_from_counts(c[1:], "nsb", base=math.e)      # the public entry point
    np.testing.assert_allclose(got, ref[1:], rtol=0, atol=1e-9)


def test_nsb_vectorized_on_isi_histograms_equals_reference():
    """Binned ISIs of simulated units (the workload of isi_entropy), 50 bins."""
    rng = np.random.default_rng(7)
    rows = []
    for n in np.unique(np.geomspace(2, 50_000, 60).astype(int)):
        isi = 0.002 + rng.gamma(rng.uniform(0.5, 4), rng.uniform(0.005, 0.1), size=n)
        rows.append(np.histogram(isi, bins=50, range=(0, 0.25))[0])
    c = np.array([r for r in rows if r.sum() > 0], dtype=float)
    np.testing.assert_allclose(nsb_nats_rows(c), [nsb_nats(r) for r in c], rtol=0, atol=1e-9)


def _nsb_edge_rows(k: int) -> np.ndarray:
    """Edge cases in one call: one observation, all in one bin, two bins only, very
    sparse (a few observations spread over many bins), huge N, and ISI-like shapes."""
    rng = np.random.default_rng(1000 + k)
    rows = []
    for n in (1, 2, 7, 10**3, 10**6, 10**8):
        one = np.zeros(k)
        one[rng.integers(k)] = n
        rows.append(one)                                   # everything in one bin
        two = np.zeros(k)
        two[:2] = [n, max(n // 3, 1)]
        rows.append(two)
    for n in (2, 3, 5, 8):                                 # n distinct bins, one each
        sparse = np.zeros(k)
        sparse[rng.choice(k, size=min(n, k), replace=False)] = 1
        rows.append(sparse)
    for n in (10**6, 10**7, 10**8):                        # large N, peaked and flat
        rows.append(rng.multinomial(n, rng.dirichlet(np.full(k, 0.3))))
        rows.append(rng.multinomial(n, np.full(k, 1.0 / k)))
    rows.append(np.r_[10**7, np.ones(k - 1)])               # one huge bin + singletons
    return np.array(rows, dtype=float)


@pytest.mark.parametrize("k", [2, 5, 50, 1000, 5000])
def test_nsb_vectorized_edge_cases_equal_reference_to_1e9(k):
    """Rows of very different posterior widths share nodes in the vectorized estimator;
    at every edge case it still matches the per-histogram reference to 1e-9 nats."""
    c = _nsb_edge_rows(k)
    ref = np.array([nsb_nats(r) for r in c])
    np.testing.assert_allclose(nsb_nats_rows(c), ref, rtol=0, atol=1e-9)
    for i in (0, 5, len(c) - 1):                           # alone, as a one-row call
        np.testing.assert_allclose(nsb_nats_rows(c[i:i + 1]), ref[i:i + 1], rtol=0, atol=1e-9)


def test_nsb_vectorized_on_many_similar_histograms_equals_reference():
    """Hundreds of rows with overlapping ranges and recurring counts (shared nodes and
    shared count tables), shuffled with a few outliers."""
    rng = np.random.default_rng(11)
    n = rng.integers(5, 3000, size=300)
    c = np.array([rng.multinomial(x, rng.dirichlet(np.full(50, rng.choice([0.2, 2.0, 50.0]))))
                  for x in n], dtype=float)
    c = np.vstack([c, np.eye(50)[:3] * 5, np.full((1, 50), 2.0)])[rng.permutation(304)]
    np.testing.assert_allclose(nsb_nats_rows(c), [nsb_nats(r) for r in c], rtol=0, atol=1e-9)


def test_nsb_converges_to_plugin_for_large_samples():
    p = 0.8 ** np.arange(30)
    p /= p.sum()
    c = np.random.default_rng(4).multinomial(200_000, p)
    h_nsb, h_plugin = entropy_from_counts(c, "nsb"), entropy_from_counts(c, "plugin")
    assert abs(h_nsb - h_plugin) < 2e-4
    assert abs(h_nsb - entropy(p)) < 0.01


def _bias_table(n_trials: int = 200, seed: int = 0):
    """Bias (mean estimate - truth, bits) per distribution x sample size x estimator."""
    rng = np.random.default_rng(seed)
    k = 20
    zipf = 1.0 / np.arange(1, k + 1)
    geo = 0.7 ** np.arange(k)
    dists = {"uniform": np.full(k, 1.0 / k), "zipf": zipf / zipf.sum(),
             "geometric": geo / geo.sum(),
             "sparse": np.r_[np.full(4, 0.9 / 4), np.full(k - 4, 0.1 / (k - 4))]}
    rows = []
    for name, p in dists.items():
        h = entropy(p)
        for n in (10, 30, 100):
            c = rng.multinomial(n, p, size=n_trials)
            for est in ESTIMATORS:
                rows.append((name, n, est, float(np.mean(entropy_from_counts(c, est)) - h)))
    return rows


def test_bias_corrected_estimators_beat_plugin_on_small_samples():
    rows = _bias_table()
    mab = {e: np.mean([abs(b) for _, _, est, b in rows if est == e]) for e in ESTIMATORS}
    assert mab["miller_madow"] < mab["plugin"]
    assert mab["nsb"] < mab["plugin"]
    assert mab["jackknife"] < mab["plugin"]
    # the plug-in is biased low in every cell; NSB in particular is much better on uniform
    plug = {(d, n): b for d, n, e, b in rows if e == "plugin"}
    nsb = {(d, n): b for d, n, e, b in rows if e == "nsb"}
    assert all(b < 0 for b in plug.values())
    assert all(abs(nsb[("uniform", n)]) < abs(plug[("uniform", n)]) for n in (10, 30, 100))


# ---------------------------------------------------------------- max-entropy / references
@pytest.mark.parametrize("mu", [0.0026, 0.004, 0.01, 0.05, 0.1, 0.125, 0.2, 0.24])
def test_max_entropy_has_mean_and_gibbs_form(mu):
    p = max_entropy_pmf(mu)
    assert p.sum() == pytest.approx(1.0, abs=1e-12)
    assert p @ CENTRES == pytest.approx(mu, rel=1e-10)
    # stationarity of the Lagrangian: log p is linear in the centres
    slope, icpt = np.polyfit(CENTRES, np.log(p), 1)
    np.testing.assert_allclose(np.log(p), slope * CENTRES + icpt, atol=1e-8)


@pytest.mark.parametrize("mu", [0.015, 0.06, 0.18])
def test_max_entropy_matches_independent_optimiser(mu):
    edges = bin_edges(12, (0.0, 0.25))
    c = 0.5 * (edges[:-1] + edges[1:])
    res = minimize(lambda p: -scipy.stats.entropy(p), np.full(12, 1 / 12), method="SLSQP",
                   bounds=[(1e-12, 1)] * 12,
                   constraints=[{"type": "eq", "fun": lambda p: p.sum() - 1},
                                {"type": "eq", "fun": lambda p: p @ c - mu}],
                   options={"ftol": 1e-14, "maxiter": 1000})
    assert res.success
    assert entropy(max_entropy_pmf(mu, 12)) == pytest.approx(-res.fun / math.log(2), abs=1e-6)


def _tilt_to_mean(q: np.ndarray, x: np.ndarray, mu: float) -> np.ndarray:
    """Exponential tilt q_i exp(-t x_i), t chosen by brentq so that the mean is mu."""
    def pmf(t):
        a = np.log(q) - t * (x - x.mean()) / np.ptp(x)
        w = np.exp(a - a.max())
        return w / w.sum()

    t = brentq(lambda t: mu - pmf(t) @ x, -2000.0, 2000.0, xtol=1e-13)
    return pmf(t)


@settings(max_examples=80, deadline=None)
@given(n_bins=hst.integers(2, 60), frac=hst.floats(0.02, 0.98),
       seed=hst.integers(0, 2**32 - 1), sparsity=hst.floats(0.0, 0.8))
def test_max_entropy_beats_every_pmf_with_that_mean(n_bins, frac, seed, sparsity):
    edges = bin_edges(n_bins, (0.0, 0.25))
    c = 0.5 * (edges[:-1] + edges[1:])
    mu = c[0] + frac * (c[-1] - c[0])
    rng = np.random.default_rng(seed)
    q = rng.dirichlet(np.full(n_bins, 0.3)) + 1e-9
    q[rng.random(n_bins) < sparsity] = 1e-12  # near-empty bins, kept so the tilt reaches mu
    p = _tilt_to_mean(q / q.sum(), c, mu)
    assert p @ c == pytest.approx(mu, rel=1e-8)
    best = max_entropy_pmf(mu, n_bins)
    assert best @ c == pytest.approx(mu, rel=1e-10)
    assert entropy(p) <= entropy(best) + 1e-9
    for ref in reference_pmfs(min(mu, 0.125), n_bins).values():
        assert entropy(ref) <= entropy(max_entropy_pmf(min(mu, 0.125), n_bins)) + 1e-9


@pytest.mark.parametrize("mu", [0.003, 0.005, 0.01, 0.02, 0.05, 0.08, 0.1, 0.12, 0.125])
def test_references_have_the_mean_and_exponential_is_max_entropy(mu):
    refs = reference_pmfs(mu)
    assert set(refs) == {"deterministic", "uniform", "exponential"}
    for name, p in refs.items():
        assert p.shape == (50,) and np.all(p >= 0), name
        assert p.sum() == pytest.approx(1.0, abs=1e-12), name
        if name != "deterministic":
            assert p @ CENTRES == pytest.approx(mu, rel=1e-10), name
    # SPEC 3 (changed): the deterministic reference is a point mass in the bin holding mu
    # (0 bits, as in the tutorial), so its mean is that bin's centre, not mu itself
    k = np.searchsorted(EDGES, mu, side="right") - 1
    np.testing.assert_array_equal(refs["deterministic"], np.eye(50)[k])
    assert abs(refs["deterministic"] @ CENTRES - mu) <= (EDGES[1] - EDGES[0]) / 2 + 1e-15
    h = {k: entropy(v) for k, v in refs.items()}
    h_max = entropy(max_entropy_pmf(mu))
    assert abs(h["exponential"] - h_max) < 0.05
    assert h["deterministic"] <= h["uniform"] <= h["exponential"] + 1e-12 <= h_max + 2e-12


def test_exponential_reference_is_binned_scipy_exponential():
    p = reference_pmfs(0.03)["exponential"]
    w = EDGES[1] - EDGES[0]
    scale = -w / math.log(p[1] / p[0])  # geometric masses: p_{i+1}/p_i = exp(-w/scale)
    q = np.diff(scipy.stats.expon.cdf(EDGES, scale=scale))
    np.testing.assert_allclose(p, q / q.sum(), rtol=1e-9)


def test_deterministic_and_uniform_definitions():
    refs = reference_pmfs(CENTRES[7])
    assert refs["deterministic"][7] == 1.0 and refs["deterministic"].sum() == 1.0
    # mean = average of the first 10 centres -> uniform over exactly bins 0..9
    refs = reference_pmfs(CENTRES[:10].mean())
    np.testing.assert_allclose(refs["uniform"], np.r_[np.full(10, 0.1), np.zeros(40)],
                               atol=1e-12)
    # SPEC 3 (changed from a split between the two nearest centres, which had 1 bit):
    # all mass in the bin [edges[k], edges[k+1]) holding the mean, 0 bits
    det = reference_pmfs(0.02)["deterministic"]  # 0.02 is edge 4: bin [0.02, 0.025)
    np.testing.assert_array_equal(det, np.eye(50)[4])
    assert entropy(det) == 0.0
    assert reference_pmfs(0.0224)["deterministic"].argmax() == 4
    assert reference_pmfs(0.0251)["deterministic"].argmax() == 5


def test_reference_pmfs_match_tutorial_at_25ms():
    # Neuromatch W1D1 Tutorial 3 (tutorials/W1D1_ModelTypes/instructor/W1D1_Tutorial3.ipynb,
    # Section 2), copied as the reference: deterministic and uniform PMFs at a 25 ms mean
    n_bins, mean_isi, isi_range = 50, 0.025, (0, 0.25)
    bins = np.linspace(*isi_range, n_bins + 1)
    mean_idx = np.searchsorted(bins, mean_isi)
    pmf_single = np.zeros(n_bins)
    pmf_single[mean_idx] = 1.0
    pmf_uniform = np.zeros(n_bins)
    pmf_uniform[0:2 * mean_idx] = 1 / (2 * mean_idx)
    refs = reference_pmfs(mean_isi, n_bins, isi_range)
    np.testing.assert_array_equal(refs["deterministic"], pmf_single)
    np.testing.assert_allclose(refs["uniform"], pmf_uniform, atol=1e-12)
    assert entropy(refs["deterministic"]) == 0.0
    assert round(entropy(refs["uniform"]), 2) == 3.32


def test_reference_non_uniform_edges():
    edges = np.array([0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3])
    c = 0.5 * (edges[:-1] + edges[1:])
    for mu in (0.002, 0.01, 0.05):
        refs = reference_pmfs(mu, edges)
        for name, p in refs.items():
            if name != "deterministic":  # SPEC 3: a point mass in the bin holding mu
                assert p @ c == pytest.approx(mu, rel=1e-10)
        k = np.searchsorted(edges, mu, side="right") - 1
        np.testing.assert_array_equal(refs["deterministic"], np.eye(c.size)[k])
        assert entropy(refs["exponential"]) <= entropy(max_entropy_pmf(mu, edges)) + 1e-12


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: max_entropy_pmf(0.3), r"mean_isi=0.3 s is outside the range of the bin centres"),
        (lambda: max_entropy_pmf(0.001), r"outside the range"),
        (lambda: max_entropy_pmf(float("nan")), r"outside the range"),
        (lambda: max_entropy_pmf("x"), r"mean_isi must be a number"),
        (lambda: reference_pmfs(0.2), r"above 0.125 s, the largest mean"),
        (lambda: reference_pmfs(0.01, [-0.1, 0.0, 0.1]), r"start at 0 s or later"),
        (lambda: max_entropy_pmf(0.05, bins=0), r"bins must be a positive number"),
        (lambda: max_entropy_pmf(0.05, bins=[0.1, 0.05]), r"strictly increasing"),
        (lambda: max_entropy_pmf(0.05, range=(0.2, 0.1)), r"low < high"),
    ],
)
def test_reference_errors(call, match):
    with pytest.raises(ValidationError, match=match):
        call()
