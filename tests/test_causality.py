"""ck.causality: simulation, estimators against independent references, the must-show claims."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from scipy.special import logit

from cortexkit import causality as cz
from cortexkit.errors import ValidationError

# --- network and simulation ---------------------------------------------------------------

def test_make_connectivity_scaling_density_determinism():
    A = cz.make_connectivity(200, p=0.1, seed=3)
    assert np.linalg.norm(A, 2) == pytest.approx(1 / 1.01, rel=1e-12)
    nz = A[A != 0]
    assert np.allclose(nz, nz[0])                     # a scaled 0/1 matrix
    assert (A != 0).mean() == pytest.approx(0.1, abs=0.01)
    np.testing.assert_array_equal(A, cz.make_connectivity(200, p=0.1, seed=3))
    assert not np.array_equal(A, cz.make_connectivity(200, p=0.1, seed=4))
    tiny = cz.make_connectivity(1, p=0.01, seed=0)    # an all-zero draw is redrawn
    assert tiny[0, 0] == pytest.approx(1 / 1.01)


def _residuals(run):
    """logit(x[t+1]) - A x[t]: exactly the N(0, 1) noise if the dynamics are right."""
    x = run.activity.astype(np.float64)
    return logit(x[:, 1:]) - run.A @ x[:, :-1]


@pytest.mark.parametrize("perturb,kw", [(None, {}), ("all", {}), ("units", {"units": [0, 3]}),
                                        ("fraction", {"fraction": 0.5})])
def test_simulate_dynamics_are_sigmoid_of_drive_plus_unit_noise(perturb, kw):
    A = cz.make_connectivity(8, p=0.3, seed=1)
    run = cz.simulate(A, 20001, perturb=perturb, seed=2, **kw)
    assert run.activity.shape == run.clamped.shape == (8, 20001)
    eps_all = _residuals(run)
    free = ~run.clamped[:, 1:]                 # outcomes that were not replaced by a clamp
    assert free[:, ::2].all()                  # every odd step is an outcome
    eps = eps_all[free]
    assert abs(eps.mean()) < 0.01
    assert eps.std() == pytest.approx(1.0, abs=0.01)
    assert stats.kstest(eps, "norm").pvalue > 1e-3
    odd = eps_all[:, ::2]                      # x[1], x[3], ...: never clamped
    lag = np.corrcoef(odd[:, :-1].ravel(), odd[:, 1:].ravel())[0, 1]
    assert abs(lag) < 0.02                     # independent over time
    cross = np.corrcoef(odd)[~np.eye(8, dtype=bool)]
    assert np.abs(cross).max() < 0.05          # and across neurons (SE 0.01)


def test_simulate_clamping_protocols():
    A = cz.make_connectivity(10, p=0.2, seed=0)
    free = cz.simulate(A, 101, seed=1)
    assert not free.clamped.any() and np.all(free.activity[:, 0] == 0)
    full = cz.simulate(A, 101, perturb="all", seed=1)
    assert full.clamped[:, ::2].all() and not full.clamped[:, 1::2].any()
    assert set(np.unique(full.activity[:, ::2])) <= {0.0, 1.0}
    units = cz.simulate(A, 101, perturb="units", units=[2, 5], seed=1)
    assert units.clamped[[2, 5], ::2].all() and units.clamped.sum() == 2 * 51
    frac = cz.simulate(A, 101, perturb="fraction", fraction=0.3, seed=1)
    per_step = frac.clamped[:, ::2].sum(axis=0)
    assert np.all(per_step == 3) and not frac.clamped[:, 1::2].any()
    assert len({tuple(np.flatnonzero(c)) for c in frac.clamped[:, ::2].T}) > 10  # redrawn
    vals = frac.activity[frac.clamped]
    assert set(np.unique(vals)) == {0.0, 1.0}


def test_simulate_reproducible_readonly_and_does_not_modify_input():
    A = cz.make_connectivity(5, p=0.4, seed=0)
    before = A.copy()
    r1 = cz.simulate(A, 300, perturb="fraction", fraction=0.4, seed=7)
    r2 = cz.simulate(A, 300, perturb="fraction", fraction=0.4, seed=7)
    np.testing.assert_array_equal(r1.activity, r2.activity)
    np.testing.assert_array_equal(A, before)
    assert not r1.activity.flags.writeable and not r1.A.flags.writeable
    assert r1.activity.dtype == np.float64
    r32 = cz.simulate(A, 300, perturb="all", seed=7, dtype=np.float32)
    assert r32.activity.dtype == np.float32
    assert "NetworkRun(n_neurons=5" in repr(r32)


@pytest.mark.parametrize("seed", range(5))
def test_rct_two_neurons_within_005_of_one(seed):
    assert abs(cz.rct_two_neurons(5000, seed=seed) - 1.0) < 0.05


def test_rct_spread_matches_standard_error():
    est = np.array([cz.rct_two_neurons(500, seed=s) for s in range(200)])
    assert est.std() == pytest.approx(np.sqrt(2 / 500), rel=0.15)


# --- estimators against independent reference implementations ------------------------------

@pytest.fixture(scope="module")
def small():
    A = cz.make_connectivity(6, p=0.3, seed=2)
    return A, {None: cz.simulate(A, 3001, seed=1),
               "all": cz.simulate(A, 3001, perturb="all", seed=2),
               "fraction": cz.simulate(A, 3001, perturb="fraction", fraction=0.5, seed=3)}


@pytest.mark.parametrize("proto", ["all", "fraction"])
def test_perturbation_equals_loop_difference_in_means(small, proto):
    _, runs = small
    run = runs[proto]
    x, c = run.activity, run.clamped
    t = np.arange(0, x.shape[1] - 1, 2)
    ref = np.empty((6, 6))
    for j in range(6):
        on = t[c[j, t] & (x[j, t] == 1)]
        off = t[c[j, t] & (x[j, t] == 0)]
        ref[:, j] = x[:, on + 1].mean(axis=1) - x[:, off + 1].mean(axis=1)
    np.testing.assert_allclose(cz.estimate(run, "perturbation"), ref, atol=1e-12)
    col = cz.estimate(run, "perturbation", source=4)
    np.testing.assert_allclose(col[:, 4], ref[:, 4], atol=1e-12)
    assert np.isnan(np.delete(col, 4, axis=1)).all()


@pytest.mark.parametrize("proto", ["all", "fraction"])
def test_perturbation_corr_equals_scipy_pearsonr(small, proto):
    _, runs = small
    run = runs[proto]
    x, c = run.activity, run.clamped
    t = np.arange(0, x.shape[1] - 1, 2)
    est = cz.estimate(run, "perturbation_corr")
    for i, j in [(0, 1), (3, 2), (5, 5), (1, 4)]:
        tj = t[c[j, t]]
        ref = stats.pearsonr(x[j, tj], x[i, tj + 1]).statistic
        assert est[i, j] == pytest.approx(ref, abs=1e-10)


def test_correlation_equals_numpy_lagged_corrcoef(small):
    _, runs = small
    x = runs[None].activity
    est = cz.estimate(runs[None], "correlation")
    ref = np.corrcoef(x[:, 1:], x[:, :-1])[:6, 6:]    # rows x[t+1], columns x[t]
    np.testing.assert_allclose(est, ref, atol=1e-10)
    np.testing.assert_allclose(cz.estimate(np.array(x), "correlation"), est)  # plain array


def test_regression_equals_sklearn_ols(small):
    from sklearn.linear_model import LinearRegression

    _, runs = small
    x = runs[None].activity
    ref = LinearRegression().fit(x[:, :-1].T, logit(x[:, 1:].T)).coef_
    np.testing.assert_allclose(cz.estimate(runs[None], "regression"), ref, atol=1e-9)
    ref_id = LinearRegression().fit(x[:, :-1].T, x[:, 1:].T).coef_
    np.testing.assert_allclose(cz.estimate(runs[None], "regression", link="identity"), ref_id,
                               atol=1e-9)


def test_lasso_regression_is_sparser_than_ols(small):
    A, runs = small
    ols = cz.estimate(runs[None], "regression")
    lasso = cz.estimate(runs[None], "regression", lasso=True, alpha=0.01)
    assert (np.abs(lasso) < 1e-12).sum() > (np.abs(ols) < 1e-12).sum()
    assert cz.score(lasso, A).auroc > 0.9


def test_iv_equals_textbook_two_stage_least_squares(small):
    _, runs = small
    run = runs["fraction"]
    x, c = run.activity, run.clamped
    t = np.arange(0, x.shape[1] - 1, 2)
    z = np.where(c[:, t], 2 * x[:, t] - 1, 0).T
    Z = np.column_stack([np.ones(t.size), z])
    X = np.column_stack([np.ones(t.size), x[:, t].T])
    Y = logit(x[:, t + 1].T)
    X_hat = Z @ np.linalg.lstsq(Z, X, rcond=None)[0]          # stage 1
    beta = np.linalg.lstsq(X_hat, Y, rcond=None)[0]           # stage 2
    np.testing.assert_allclose(cz.estimate(run, "iv"), beta[1:].T, atol=1e-8)


def test_observed_subset_gives_nan_outside_block(small):
    A, runs = small
    est = cz.estimate(runs["all"], "perturbation", observed=[1, 2, 4])
    mask = np.zeros((6, 6), bool)
    mask[np.ix_([1, 2, 4], [1, 2, 4])] = True
    assert np.isfinite(est[mask]).all() and np.isnan(est[~mask]).all()
    full = cz.estimate(runs["all"], "perturbation")
    np.testing.assert_allclose(est[mask], full[mask])         # same clamps, same outcomes
    half = cz.estimate(runs[None], "regression", observed=0.5, seed=0)
    assert np.isfinite(half).sum() == 9


def test_units_protocol_estimates_only_clamped_columns_and_float32_runs():
    A = cz.make_connectivity(8, p=0.3, seed=5)
    run = cz.simulate(A, 6001, perturb="units", units=[1, 4, 6], seed=0)
    est = cz.estimate(run, "perturbation")
    assert np.isfinite(est[:, [1, 4, 6]]).all()
    assert np.isnan(np.delete(est, [1, 4, 6], axis=1)).all()
    iv = cz.estimate(run, "iv")
    assert np.isfinite(iv[:, [1, 4, 6]]).all() and np.isnan(iv[:, 0]).all()
    r32 = cz.simulate(A, 6001, perturb="all", seed=0, dtype=np.float32)
    r64 = cz.simulate(A, 6001, perturb="all", seed=0)
    e32, e64 = cz.estimate(r32, "perturbation"), cz.estimate(r64, "perturbation")
    assert e32.dtype == np.float64
    assert cz.score(e32, A).correlation > 0.9 and cz.score(e64, A).correlation > 0.9


# --- scores ------------------------------------------------------------------------------

def test_score_values_against_references():
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(0)
    A = cz.make_connectivity(15, p=0.2, seed=1)
    est = A + rng.normal(0, 0.05, A.shape) - 0.02
    s = cz.score(est, A)
    off = ~np.eye(15, dtype=bool)
    assert s.correlation == pytest.approx(np.corrcoef(est[off], A[off])[0, 1])
    assert s.auroc == pytest.approx(roc_auc_score(A[off] != 0, np.abs(est[off])))
    edges = off & (A != 0)
    assert s.sign_accuracy == pytest.approx(np.mean(est[edges] > 0))
    assert s.n_pairs == 15 * 14
    perfect = cz.score(3 * A, A)
    assert perfect.rel_error == pytest.approx(0, abs=1e-7) and perfect.auroc == 1
    flipped = cz.score(-A, A)
    assert flipped.sign_accuracy == 0 and flipped.correlation == pytest.approx(-1)
    assert cz.auroc([1, 2, 2, 3], [0, 1, 0, 1]) == pytest.approx(
        roc_auc_score([0, 1, 0, 1], [1, 2, 2, 3]))
    ties = rng.integers(0, 4, 300).astype(float)            # many ties
    labels = rng.random(300) < 0.3
    assert cz.auroc(ties, labels) == pytest.approx(roc_auc_score(labels, ties))
    u = stats.mannwhitneyu(ties[labels], ties[~labels]).statistic
    assert cz.auroc(ties, labels) == pytest.approx(u / (labels.sum() * (~labels).sum()))
    assert np.isnan(cz.score(np.zeros((3, 3)), np.zeros((3, 3))).auroc)


# --- the must-show claims ---------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 1, 2])
def test_six_neurons_perturbation_correlates_095(seed):
    A = cz.make_connectivity(6, p=0.3, seed=seed)
    run = cz.simulate(A, 5000, perturb="all", seed=seed + 10)
    assert cz.score(cz.estimate(run, "perturbation"), A).correlation >= 0.95


def test_correlation_method_degrades_with_network_size_perturbation_holds():
    df = cz.run_experiment((6, 24, 64), (5000,), methods=("perturbation", "correlation"),
                           p=0.3, seed=0)
    corr = df.pivot(index="n_neurons", columns="method", values="correlation")
    # measured: correlation 0.945 -> 0.646 -> 0.293; perturbation 0.974 -> 0.803 -> 0.473
    assert corr.loc[6, "correlation"] > 0.85
    assert corr.loc[64, "correlation"] < corr.loc[6, "correlation"] - 0.3
    assert corr.loc[64, "perturbation"] > corr.loc[64, "correlation"] + 0.15
    assert (corr["perturbation"] > corr["correlation"]).all()


def test_regression_recovers_connectivity_with_all_neurons_observed():
    A = cz.make_connectivity(10, p=0.3, seed=0)
    s = cz.score(cz.estimate(cz.simulate(A, 20000, seed=1), "regression"), A)
    assert s.correlation > 0.95 and s.auroc > 0.99 and s.rel_error < 0.3


@pytest.fixture(scope="module")
def confounded():
    A, rec = cz.confounded_network(2, weight=3.0)
    runs = {None: cz.simulate(A, 20000, seed=1), "all": cz.simulate(A, 20000, "all", seed=2),
            "fraction": cz.simulate(A, 20000, "fraction", fraction=0.5, seed=3)}
    return A, rec, runs


def _block(est, idx):
    out = np.full_like(est, np.nan)
    out[np.ix_(idx, idx)] = est[np.ix_(idx, idx)]
    return out


def test_hidden_half_regression_suffers_omitted_variable_bias(confounded):
    A, rec, runs = confounded
    assert np.abs(np.linalg.eigvals(A)).max() < 1e-12       # feed-forward: stable
    full = cz.estimate(runs[None], "regression")
    half = cz.estimate(runs[None], "regression", observed=rec)
    e_full = cz.score(_block(full, rec), A).rel_error
    e_half = cz.score(half, A).rel_error
    # measured: 0.10 with all neurons in the model, 0.28 with the common inputs hidden
    assert e_full < 0.15
    assert e_half > 2 * e_full
    assert abs(full[3, 2]) < 0.1 and abs(full[7, 6]) < 0.1   # no j -> i edge when all seen
    assert half[3, 2] > 0.5 and half[7, 6] > 0.5             # spurious edge when g, h hidden


@pytest.mark.parametrize("method", ["perturbation", "perturbation_corr", "iv"])
def test_hidden_half_interventional_estimates_stay_good(confounded, method):
    A, rec, runs = confounded
    run = runs[cz.METHOD_PROTOCOL[method]]
    full = cz.score(_block(cz.estimate(run, method), rec), A)
    half_est = cz.estimate(run, method, observed=rec)
    half = cz.score(half_est, A)
    assert half.rel_error < 0.1 and half.correlation > 0.99
    assert half.rel_error < full.rel_error + 0.05     # noise from hidden cells, no bias
    scale = np.nanmax(half_est)
    assert abs(half_est[3, 2]) < 0.05 * scale and abs(half_est[7, 6]) < 0.05 * scale
    if method == "iv":                                        # IV estimates the weight itself
        assert half_est[3, 6] == pytest.approx(3.0, rel=0.05)


# --- experiment runner ------------------------------------------------------------------

def test_run_experiment_tidy_and_reproducible():
    kw = dict(n_neurons=(6, 10), timesteps=(800, 1600), observed=(1.0, 0.5),
              methods=("perturbation", "iv", "regression"), seed=4)
    df = cz.run_experiment(**kw)
    assert len(df) == 2 * 2 * 2 * 3
    assert {"n_neurons", "timesteps", "observed", "n_observed", "method", "correlation",
            "auroc", "sign_accuracy", "rel_error", "n_pairs"} <= set(df.columns)
    assert (df[df.observed == 0.5].n_observed == df[df.observed == 0.5].n_neurons // 2).all()
    assert df.equals(cz.run_experiment(**kw))
    one = cz.run_experiment((10,), (1600,), (0.5,), methods=("iv",), seed=4)
    same = df[(df.n_neurons == 10) & (df.timesteps == 1600) & (df.observed == 0.5)
              & (df.method == "iv")]
    assert one.correlation.iloc[0] == pytest.approx(same.correlation.iloc[0])


def test_compare_methods_returns_estimates_and_runs():
    cmp = cz.compare_methods(8, 1000, 0.5, ("perturbation", "correlation"), seed=1)
    assert set(cmp.runs) == {"all", None} and cmp.observed.size == 4
    assert list(cmp.scores.method) == ["perturbation", "correlation"]


# --- validation -------------------------------------------------------------------------

A3 = cz.make_connectivity(3, p=0.5, seed=0)
RUN = cz.simulate(A3, 50, seed=0)
RUN_ALL = cz.simulate(A3, 50, perturb="all", seed=0)


@pytest.mark.parametrize("call,match", [
    (lambda: cz.simulate(np.ones((2, 3)) * 0.1, 10), "square"),
    (lambda: cz.simulate(np.eye(3) * 1.2, 10), "unstable.*1.2"),
    (lambda: cz.simulate([[0, 2.0], [0.6, 0]], 10), "unstable"),
    (lambda: cz.simulate([[np.nan]], 10), "NaN"),
    (lambda: cz.simulate(A3, 1), "timesteps.*>= 2"),
    (lambda: cz.simulate(A3, 10.5), "timesteps"),
    (lambda: cz.simulate(A3, 10, perturb="some"), "perturb must be one of"),
    (lambda: cz.simulate(A3, 10, perturb="units"), "units="),
    (lambda: cz.simulate(A3, 10, perturb="units", units=[5]), "units.*0, 2"),
    (lambda: cz.simulate(A3, 10, perturb="fraction", fraction=0), r"fraction.*\(0, 1\]"),
    (lambda: cz.simulate(A3, 10, perturb="fraction", fraction=1.5), r"fraction.*\(0, 1\]"),
    (lambda: cz.simulate(A3, 10, fraction=0.5), "only apply"),
    (lambda: cz.simulate(A3, 10, dtype=np.int32), "dtype"),
    (lambda: cz.make_connectivity(0), "n_neurons"),
    (lambda: cz.make_connectivity(5, p=0), "p must be"),
    (lambda: cz.rct_two_neurons(0), "n_trials"),
    (lambda: cz.estimate(RUN, "nope"), "method must be one of"),
    (lambda: cz.estimate(RUN, "perturbation"), "needs clamped steps"),
    (lambda: cz.estimate(RUN.activity, "iv"), "needs a NetworkRun"),
    (lambda: cz.estimate(RUN, "regression", observed=1.5), r"observed.*\(0, 1\]"),
    (lambda: cz.estimate(RUN, "regression", observed=0.0), r"observed.*\(0, 1\]"),
    (lambda: cz.estimate(RUN, "regression", observed=[0, 0]), "repeated"),
    (lambda: cz.estimate(RUN, "correlation", source=1), "source="),
    (lambda: cz.estimate(RUN_ALL, "perturbation", observed=[0, 1], source=2), "not an obs"),
    (lambda: cz.estimate(RUN, "correlation", lasso=True), "lasso"),
    (lambda: cz.estimate(RUN, "regression", link="probit"), "link"),
    (lambda: cz.estimate(np.ones((3, 40)), "correlation"), "constant"),
    (lambda: cz.estimate(np.full((2, 40), 3.0), "regression"), "logit"),
    (lambda: cz.score(np.zeros((2, 2)), np.zeros((3, 3))), "shape"),
    (lambda: cz.run_experiment(methods=("nope",)), "method must be one of"),
    (lambda: cz.run_experiment(observed=(1.5,)), r"observed.*\(0, 1\]"),
    (lambda: cz.confounded_network(1), "n_motifs"),
])
def test_invalid_input_raises_validation_error(call, match):
    with pytest.raises(ValidationError, match=match):
        call()


# --- fast paths: clamp moments (one product on the clamped pairs) vs the masked products ---

@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_clamp_moments_estimates_equal_masked_product_reference(dtype):
    from cortexkit.causality._estimate import _perturbation, _perturbation_corr

    A = cz.make_connectivity(7, p=0.3, seed=4)
    run = cz.simulate(A, 2 * 8192 + 1501, perturb="all", seed=3, dtype=dtype)  # > 1 block
    act_tm, clamped_tm = run.activity.T, run.clamped.T
    obs = np.arange(7)
    ref_p = _perturbation(act_tm, clamped_tm, obs, obs)
    ref_c = _perturbation_corr(act_tm, clamped_tm.copy(), obs, obs)
    tol = 1e-10 if dtype == np.float64 else 2e-5
    np.testing.assert_allclose(cz.estimate(run, "perturbation"), ref_p, atol=tol)
    np.testing.assert_allclose(cz.estimate(run, "perturbation_corr"), ref_c, atol=tol)
    # record="moments": same random stream, nothing stored, same estimates
    light = cz.simulate(A, 2 * 8192 + 1501, perturb="all", seed=3, dtype=dtype,
                        record="moments")
    assert light.activity is None and light.clamped is None
    assert light.timesteps == run.timesteps and light.moments.n == (run.timesteps - 1 + 1) // 2
    for method in ("perturbation", "perturbation_corr"):
        np.testing.assert_allclose(cz.estimate(light, method), cz.estimate(run, method),
                                   atol=1e-12 if dtype == np.float64 else 2e-5)
    sub = cz.estimate(light, "perturbation", observed=[1, 3, 6], source=3)
    np.testing.assert_allclose(sub[[1, 3, 6], 3], ref_p[[1, 3, 6], 3], atol=tol)
    assert np.isnan(np.delete(sub, 3, axis=1)).all()


def test_units_protocol_clamped_subset_takes_moments_path_and_matches_pearson():
    # sources [0, 2, 5] are clamped on every even step (fast path), neuron 1 never is
    A = cz.make_connectivity(6, p=0.3, seed=2)
    run = cz.simulate(A, 3001, perturb="units", units=[0, 2, 3, 4, 5], seed=5)
    x = run.activity
    t = np.arange(0, x.shape[1] - 1, 2)
    est = cz.estimate(run, "perturbation_corr", observed=[0, 1, 2, 5])
    for i, j in [(0, 2), (5, 0), (1, 5)]:
        ref = stats.pearsonr(x[j, t], x[i, t + 1]).statistic
        assert est[i, j] == pytest.approx(ref, abs=1e-10)
    assert np.isnan(est[:, 1]).all()        # never clamped: general path gives NaN there


def test_record_moments_only_for_all_clamped_and_perturbation_methods():
    A = cz.make_connectivity(5, p=0.3, seed=1)
    with pytest.raises(ValidationError, match="record='moments' needs the all-clamped"):
        cz.simulate(A, 100, perturb="units", units=[1], record="moments")
    with pytest.raises(ValidationError, match="record must be one of activity, moments"):
        cz.simulate(A, 100, perturb="all", record="some")
    light = cz.simulate(A, 100, perturb="fraction", fraction=1.0, seed=0, record="moments")
    with pytest.raises(ValidationError, match="record='activity'"):
        cz.estimate(light, "iv")
    assert "moments" in repr(light)
