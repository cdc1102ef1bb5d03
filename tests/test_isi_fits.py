"""ck.isi.fit_curve, fit_distribution, fit_all: exact recovery, SciPy parity, model choice."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import special, stats

import cortexkit as ck
from cortexkit.errors import ValidationError

EDGES = np.linspace(0.002, 0.25, 41)
X = 0.5 * (EDGES[1:] + EDGES[:-1])


# ---------------------------------------------------------------- curve fits
@pytest.mark.parametrize("model,truth", [
    ("exponential", {"scale": 812.0, "rate": -23.5, "x0": 0.002}),
    ("inverse", {"scale": 3.7, "x0": -0.006}),
    ("linear", {"slope": -950.0, "y0": 240.0}),
])
def test_fit_curve_recovers_noiseless_parameters(model, truth):
    y = ck.isi.CurveFit(model, truth, 0.0, 1.0).predict(X)
    fit = ck.isi.fit_curve(y, EDGES, model)
    assert fit.model == model
    for k, v in truth.items():
        assert fit.params[k] == pytest.approx(v, rel=1e-7, abs=1e-10), k
    assert fit.sse < 1e-12 * float(y @ y)
    assert fit.r2 == pytest.approx(1.0)
    np.testing.assert_allclose(fit.predict(X), y, rtol=1e-7)


def test_fit_curve_initial_guess_needs_no_tuning_on_noisy_data():
    # counts of very different magnitudes and scales: all converge to a good fit
    rng = np.random.default_rng(5)
    for mean in (0.002, 0.05, 3.0):
        isi = rng.exponential(mean, 20000)
        c, e = ck.isi.histogram(isi, bins=30, range=(0, 4 * mean))
        fit = ck.isi.fit_curve(c, e, "exponential")
        assert fit.params["rate"] == pytest.approx(-1 / mean, rel=0.05)
        assert fit.r2 > 0.98


def test_fit_curve_sse_and_r2_definitions():
    rng = np.random.default_rng(1)
    c, e = ck.isi.histogram(rng.exponential(0.05, 3000), bins=25, range=(0, 0.2))
    for m in ck.isi.CURVE_MODELS:
        fit = ck.isi.fit_curve(c, e, m)
        x = 0.5 * (e[1:] + e[:-1])
        resid = c - fit.predict(x)
        assert fit.sse == pytest.approx(float(resid @ resid))
        assert fit.r2 == pytest.approx(1 - fit.sse / np.sum((c - c.mean()) ** 2))
    lin = ck.isi.fit_curve(c, e, "linear")
    slope, y0 = np.polyfit(0.5 * (e[1:] + e[:-1]), c, 1)
    assert lin.params == pytest.approx({"slope": slope, "y0": y0})


def test_exponential_beats_linear_on_real_units(real_data_dir):
    st = ck.io.load_spikes(real_data_dir / "ibl-slidingrp-3units")
    for uid in (274, 275):
        isi = np.diff(st[st.position(uid)])
        c, e = ck.isi.histogram(isi, bins=50, range=(0, 0.5))
        exp = ck.isi.fit_curve(c, e, "exponential")
        lin = ck.isi.fit_curve(c, e, "linear")
        assert exp.sse < lin.sse


def test_fit_curve_empty_range_and_bad_input():
    c, e = ck.isi.histogram(np.array([0.01, 0.02]), bins=10, range=(1.0, 2.0))
    with pytest.raises(ValidationError, match="no counts"):
        ck.isi.fit_curve(c, e, "exponential")
    with pytest.raises(ValidationError, match="model"):
        ck.isi.fit_curve([1, 2], [0, 1, 2], "cubic")
    with pytest.raises(ValidationError, match="len"):
        ck.isi.fit_curve([1, 2], [0, 1], "linear")


# ------------------------------------------------------- distribution fits
FAMILIES = {
    # name: (sampler(rng, n), truth)   -- parameters chosen where the families are
    # distinguishable at n = 500 (see test_best_model_choice)
    "exponential": (lambda r, n: r.exponential(0.05, n), {"rate": 20.0}),
    "exponential_refractory": (lambda r, n: 0.003 + r.exponential(0.05, n),
                               {"rate": 20.0, "dead_time": 0.003}),
    "gamma": (lambda r, n: r.gamma(3.0, 0.02, n), {"shape": 3.0, "scale": 0.02}),
    "inverse_gaussian": (lambda r, n: r.wald(0.05, 0.03, n), {"mean": 0.05, "shape": 0.03}),
    "lognormal": (lambda r, n: r.lognormal(-3.0, 1.0, n), {"mu": -3.0, "sigma": 1.0}),
}


def _scipy_mle(model, x):
    if model == "exponential":
        _, scale = stats.expon.fit(x, floc=0)
        return {"rate": 1 / scale}
    if model == "exponential_refractory":
        loc, scale = stats.expon.fit(x)
        return {"rate": 1 / scale, "dead_time": loc}
    if model == "gamma":
        a, _, scale = stats.gamma.fit(x, floc=0)
        return {"shape": a, "scale": scale}
    if model == "inverse_gaussian":
        mu, _, scale = stats.invgauss.fit(x, floc=0)
        return {"mean": mu * scale, "shape": scale}
    s, _, scale = stats.lognorm.fit(x, floc=0)
    return {"mu": np.log(scale), "sigma": s}


@pytest.mark.parametrize("family", list(FAMILIES))
def test_mle_ks_and_loglik_equal_scipy(family):
    rng = np.random.default_rng(11)
    x = FAMILIES[family][0](rng, 700)
    fits = ck.isi.fit_distribution(x)
    for model in ck.isi.DIST_MODELS:
        row = fits.table.set_index("model").loc[model]
        ref = _scipy_mle(model, x)
        for k, v in ref.items():
            assert row["params"][k] == pytest.approx(v, rel=1e-6), (model, k)
        dist = ck.isi.scipy_dist(model, row["params"])
        assert row["loglik"] == pytest.approx(dist.logpdf(x).sum(), rel=1e-10)
        ks = stats.kstest(x, dist.cdf)
        assert row["ks_stat"] == pytest.approx(ks.statistic, rel=1e-10, abs=1e-14)
        assert row["ks_pvalue"] == pytest.approx(ks.pvalue, rel=1e-8, abs=1e-300)
        k = len(row["params"])
        assert row["aic"] == pytest.approx(2 * k - 2 * row["loglik"])
        assert row["bic"] == pytest.approx(k * np.log(x.size) - 2 * row["loglik"])
    assert fits.best == fits.table.loc[fits.table["aic"].idxmin(), "model"]


def _standard_errors(model, p, n):
    """Asymptotic standard errors of the MLEs (inverse Fisher information)."""
    if model == "exponential":
        return {"rate": p["rate"] / np.sqrt(n)}
    if model == "exponential_refractory":
        # n * rate * (dead_time_hat - dead_time) ~ Exp(1): one-sided, use its 97.5% quantile/2
        return {"rate": p["rate"] / np.sqrt(n), "dead_time": 3.7 / (2 * 1.96 * n * p["rate"])}
    if model == "gamma":
        k, th = p["shape"], p["scale"]
        det = k * special.polygamma(1, k) - 1
        return {"shape": np.sqrt(k / (n * det)),
                "scale": np.sqrt(th**2 * special.polygamma(1, k) / (n * det))}
    if model == "inverse_gaussian":
        return {"mean": np.sqrt(p["mean"] ** 3 / (p["shape"] * n)),
                "shape": p["shape"] * np.sqrt(2 / n)}
    return {"mu": p["sigma"] / np.sqrt(n), "sigma": p["sigma"] / np.sqrt(2 * n)}


def _simulated_session(family, n_units, n_isi, seed):
    rng = np.random.default_rng(seed)
    trains = [np.r_[0.0, np.cumsum(FAMILIES[family][0](rng, n_isi))] for _ in range(n_units)]
    return ck.SpikeTrains.from_list(trains)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_parameter_recovery_within_confidence_bounds(family):
    n_units, n = 40, 500
    st = _simulated_session(family, n_units, n, seed=21)
    table = ck.isi.fit_all(st, models=(family,))
    truth = FAMILIES[family][1]
    se = _standard_errors(family, truth, n)
    for k, v in truth.items():
        est = table[f"{family}_{k}"].to_numpy()
        if k == "dead_time":
            # one-sided: the smallest ISI is never below the true dead time
            assert np.all(est >= v - 1e-12)
            inside = est - v <= 3.7 / (n * truth["rate"])  # 97.5% quantile of Exp(1)
        else:
            inside = np.abs(est - v) <= 1.96 * se[k]
        assert inside.mean() >= 0.85, (k, inside.mean())
        # and the estimates are centred on the truth (mean within 3 standard errors of it)
        assert abs(est.mean() - v) <= 3 * se[k] / np.sqrt(n_units) + (
            1.0 / (n * truth["rate"]) if k == "dead_time" else 0.0)


@pytest.mark.parametrize("family", [f for f in FAMILIES if f != "exponential"])
def test_best_model_choice_aic(family):
    st = _simulated_session(family, 40, 500, seed=7)
    best = ck.isi.fit_all(st)["best_model"]
    assert (best == family).mean() >= 0.9


@pytest.mark.parametrize("family", list(FAMILIES))
def test_best_model_choice_bic_every_family(family):
    # one criterion that gets every family right: BIC's log(n) penalty keeps the nested
    # exponential from losing to gamma / dead-time exponential by chance
    st = _simulated_session(family, 40, 500, seed=7)
    best = ck.isi.fit_all(st, criterion="bic")["best_model"]
    assert (best == family).mean() >= 0.9


def test_best_model_choice_exponential_needs_bic():
    """Exponential ISIs: the nested gamma / dead-time exponential win AIC by chance
    (expected about half the units), BIC picks the exponential in >= 90%."""
    st = _simulated_session("exponential", 40, 500, seed=7)
    by_aic = ck.isi.fit_all(st)["best_model"]
    by_bic = ck.isi.fit_all(st, criterion="bic")["best_model"]
    assert (by_bic == "exponential").mean() >= 0.9
    assert 0.25 <= (by_aic == "exponential").mean() <= 0.85
    assert set(by_aic) <= {"exponential", "exponential_refractory", "gamma"}


def test_fit_all_equals_fit_distribution_per_unit():
    rng = np.random.default_rng(2)
    trains = [np.r_[0, np.cumsum(rng.gamma(2.0, 0.01, 300))],
              np.r_[0, np.cumsum(rng.lognormal(-4, 0.7, 200))],
              np.array([0.5]), np.array([0.1, 0.1, 0.2, 0.2, 0.3])]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        st = ck.SpikeTrains.from_list(trains)
    table = ck.isi.fit_all(st)
    assert table["n_isi"].tolist() == [300, 200, 0, 2]
    assert table["n_zero_isi"].tolist() == [0, 0, 0, 2]
    assert table["best_model"].isna().tolist() == [False, False, True, True]
    for i in (0, 1):
        one = ck.isi.fit_distribution(np.diff(trains[i]))
        assert table["best_model"][i] == one.best
        for _, row in one.table.iterrows():
            m = row["model"]
            assert table[f"{m}_aic"][i] == pytest.approx(row["aic"], rel=1e-12)
            assert table[f"{m}_ks"][i] == pytest.approx(row["ks_stat"], rel=1e-12)
            for k, v in row["params"].items():
                assert table[f"{m}_{k}"][i] == pytest.approx(v, rel=1e-12)


def test_fit_distribution_zero_isis_and_bad_input():
    x = np.r_[np.random.default_rng(0).gamma(2, 0.01, 100), 0.0, 0.0]
    with pytest.warns(ck.errors.CortexkitWarning, match="2 zero ISI"):
        fits = ck.isi.fit_distribution(x)
    assert fits.n == 100 and fits.n_zero == 2
    with pytest.raises(ValidationError, match="distinct"):
        ck.isi.fit_distribution([0.1, 0.1, 0.1])
    with pytest.raises(ValidationError, match="models"):
        ck.isi.fit_distribution(x[:100], models=("weibull",))
    with pytest.raises(ValidationError, match="finite"):
        ck.isi.fit_distribution([0.1, np.nan, 0.2])
    with pytest.raises(ValidationError, match="criterion"):
        ck.isi.fit_distribution(x[:100], criterion="waic")
    fits = ck.isi.fit_distribution(x[:100], models=("gamma", "lognormal"))
    assert fits.table["model"].tolist() == ["gamma", "lognormal"]
    dens = fits.pdf(np.linspace(0.001, 0.1, 5))
    np.testing.assert_allclose(dens, ck.isi.scipy_dist(fits.best, fits.params()).pdf(
        np.linspace(0.001, 0.1, 5)))


def test_fit_all_on_bundled_session_recovers_kinds():
    st = ck.datasets.steinmetz_like(seed=0)
    table = ck.isi.fit_all(st)
    kind = st.unit_info["kind"].to_numpy()
    best = table["best_model"].to_numpy()
    # regular units are gamma-like (no exponential tail); Poisson units with a refractory
    # period are exponential-like
    reg = kind == "regular"
    poi = kind == "poisson"
    assert np.mean(best[reg] == "gamma") >= 0.9
    assert np.mean(np.isin(best[poi], ["exponential", "exponential_refractory"])) >= 0.9


@pytest.mark.parametrize("kind", ["gamma", "lognormal", "exponential", "invgauss", "mixed"])
def test_fast_fits_and_bounded_ks_equal_reference(kind):
    """fit_all's path (reduceat statistics, KS by bounds on every 64th ISI, refined at
    every 16th, 4th, 1st) against the reference that evaluates every fitted CDF at every
    ISI; unit sizes around every stride and their multiples."""
    from cortexkit.isi._distributions import _fit_flat
    from cortexkit.isi._fit_fast import fit_sorted

    rng = np.random.default_rng(len(kind))
    counts = np.r_[rng.integers(10, 300, 20), [10, 15, 16, 17, 31, 32, 33, 63, 64, 65, 66, 127,
                                                  128, 129, 5000, 40_000]]
    draw = {"gamma": lambda c: 0.002 + rng.gamma(rng.uniform(0.5, 4), 0.01, c),
            "lognormal": lambda c: rng.lognormal(-4, rng.uniform(0.3, 1.5), c),
            "exponential": lambda c: rng.exponential(0.05, c),
            "invgauss": lambda c: rng.wald(0.05, rng.uniform(0.01, 1), c)}
    kinds = list(draw) if kind == "mixed" else [kind]
    x = np.concatenate([np.sort(draw[kinds[i % len(kinds)]](c)) for i, c in enumerate(counts)])
    offsets = np.r_[0, np.cumsum(counts)]
    ref = _fit_flat(x, offsets, ck.isi.DIST_MODELS, pvalues=False)
    got = fit_sorted(x, offsets, ck.isi.DIST_MODELS)
    for m in ck.isi.DIST_MODELS:
        for col, v in ref[m].items():
            np.testing.assert_allclose(got[m][col], v, rtol=1e-9, atol=0, equal_nan=True,
                                       err_msg=f"{m} {col}")
        np.testing.assert_allclose(got[m]["ks_stat"], ref[m]["ks_stat"], rtol=1e-10, atol=0)


def test_fit_all_without_ks_gives_same_fits():
    st = _simulated_session("gamma", 5, 200, seed=3)
    full = ck.isi.fit_all(st)
    fast = ck.isi.fit_all(st, ks=False)
    ks_cols = [c for c in full.columns if c.endswith("_ks")]
    assert fast[ks_cols].isna().all().all() and full[ks_cols].notna().all().all()
    other = [c for c in full.columns if c not in ks_cols]
    assert full[other].equals(fast[other])


# ---------------------------------------------------------------- KS p-values, imports
def test_ks_pvalue_equals_scipy_kstwo_in_every_branch():
    """_ks_pvalue computes SciPy's 2 * smirnov branch itself (n > 140, x < 0.5,
    n x^2 >= 2.2; 0 from n x^2 >= 370) and hands the rest to kstwo.sf: equal bit for bit."""
    from cortexkit.isi._distributions import _ks_pvalue

    d, n = [], []
    for size in (5, 140, 141, 500, 20_000):
        # n x^2 from 0.01 to 1000 (both thresholds 2.2 and 370, each side), and the edges
        nxx = np.r_[np.geomspace(0.01, 1000.0, 23), 2.2, 370.0, np.nextafter(2.2, 0)]
        x = np.sqrt(nxx / size)
        x = np.r_[x[x < 1], 0.0, 1e-9, 0.4999, 0.5, 0.75, 1.0, 1.5, np.nan]
        d.append(x)
        n.append(np.full(x.size, size))
    d, n = np.concatenate(d), np.concatenate(n)
    want = np.clip(stats.kstwo.sf(d, n), 0.0, 1.0)
    np.testing.assert_array_equal(_ks_pvalue(d, n), want)
    assert (want[(n > 140) & (n * d * d >= 2.2) & (d < 0.5)] < 0.3).all()   # the fast branch
    assert _ks_pvalue(np.zeros(0), np.zeros(0, dtype=np.int64)).shape == (0,)


def test_isi_imports_numpy_only_and_rejected_fits_skip_scipy_stats():
    """`import cortexkit.isi` loads neither pandas nor SciPy; fit_distribution on a large
    unit that every model misfits (the usual case) computes its p-values without
    scipy.stats (~0.3 s of import in a fresh process); a well-fitting small one uses it."""
    import subprocess
    import sys

    code = """
import sys
import numpy as np
import cortexkit.isi
print(sorted(m for m in ("pandas", "scipy", "scipy.special", "scipy.stats") if m in sys.modules))
rng = np.random.default_rng(0)
x = np.r_[rng.exponential(0.004, 3000), 0.05 + rng.exponential(0.001, 3000)]
fits = cortexkit.isi.fit_distribution(x)
print("scipy.stats" in sys.modules, fits.table["ks_pvalue"].max() < 1e-6)
cortexkit.isi.fit_distribution(rng.gamma(3.0, 0.01, 100))
print("scipy.stats" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split("\n")
    assert out[:3] == ["[]", "False True", "True"]
