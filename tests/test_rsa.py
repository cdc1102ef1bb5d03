"""ck.rsa: RDMs and comparisons against np.corrcoef, SciPy and rsatoolbox on the same inputs."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import scipy.stats

from cortexkit import rsa
from cortexkit.errors import ValidationError

rsatoolbox = pytest.importorskip("rsatoolbox")


def _data(s=24, n=40, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=(s, 3))
    x = latent @ rng.normal(size=(3, n)) + 0.5 * rng.normal(size=(s, n))
    return x.astype(dtype)


def _rtb_rdm(x, method):
    ds = rsatoolbox.data.Dataset(x)
    return rsatoolbox.rdm.calc_rdm(ds, method=method)


# ------------------------------------------------------------------------------ rdm
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_correlation_rdm_equals_one_minus_corrcoef(dtype):
    x = _data(dtype=dtype)
    d = rsa.rdm(x, "correlation")
    assert d.dtype == dtype
    np.testing.assert_allclose(d, 1 - np.corrcoef(x.astype(np.float64)), atol=1e-6)
    assert (np.diag(d) == 0).all() and (d == d.T).all()


@pytest.mark.parametrize("offset", [0.0, 0.5, 5.0, 1e4])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_correlation_rdm_accurate_with_and_without_offsets(offset, dtype):
    # rows with small means take the uncentred Gram path, large offsets the centred one;
    # both must match float64 np.corrcoef
    from cortexkit.rsa._rdm import _correlation_uncentred

    x = (np.random.default_rng(1).normal(size=(50, 3000)) + offset).astype(dtype)
    d = rsa.rdm(x)
    np.testing.assert_allclose(d, 1 - np.corrcoef(x.astype(np.float64)), atol=1e-6)
    took_fast = _correlation_uncentred(x, x.mean(1)) is not None
    assert took_fast == (offset < 1 or (dtype == np.float64 and offset < 100))


@pytest.mark.parametrize("layout", ["C", "F", "strided"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_correlation_rdm_exactly_symmetric_for_any_memory_layout(layout, dtype):
    # the uncentred path relies on x @ x.T being exactly symmetric (checked, with a
    # fallback): the result must be symmetric bit for bit with a zero diagonal for C,
    # Fortran and strided inputs alike
    x = np.random.default_rng(2).normal(size=(37, 2 * 901)).astype(dtype)
    x = {"C": x, "F": np.asfortranarray(x), "strided": x[:, ::2]}[layout]
    d = rsa.rdm(x)
    assert (d == d.T).all() and (np.diag(d) == 0).all()
    np.testing.assert_allclose(d, 1 - np.corrcoef(x.astype(np.float64)), atol=1e-6)


def test_rdm_matches_rsatoolbox_calc_rdm():
    x = _data(s=30, n=50, seed=3)
    ref = _rtb_rdm(x, "correlation").get_matrices()[0]
    np.testing.assert_allclose(rsa.rdm(x, "correlation"), ref, atol=1e-10)
    # rsatoolbox's "euclidean" is the squared distance divided by the number of channels
    ref_e = _rtb_rdm(x, "euclidean").get_matrices()[0]
    np.testing.assert_allclose(rsa.rdm(x, "euclidean"), np.sqrt(ref_e * x.shape[1]), atol=1e-9)


def test_euclidean_and_cosine_match_scipy():
    from scipy.spatial.distance import cdist

    x = _data(s=15, n=8, seed=1)
    np.testing.assert_allclose(rsa.rdm(x, "euclidean"), cdist(x, x), atol=1e-10)
    np.testing.assert_allclose(rsa.rdm(x, "cosine"), cdist(x, x, "cosine"), atol=1e-12)


def test_rdm_does_not_modify_input_and_accepts_ints():
    x = np.random.default_rng(0).integers(0, 9, (10, 6))
    before = x.copy()
    d = rsa.rdm(x)
    assert d.dtype == np.float64
    np.testing.assert_array_equal(x, before)


@pytest.mark.parametrize("metric", ["correlation", "cosine"])
def test_constant_or_zero_rows_are_named(metric):
    x = _data(s=10, n=12)
    x[3] = 0.0
    x[7] = 0.0
    with pytest.raises(ValidationError, match=r"\[3, 7\]"):
        rsa.rdm(x, metric)


def test_constant_nonzero_row_detected_despite_rounding():
    x = _data(s=6, n=20000, dtype=np.float32)
    x[2] = 0.1  # the float mean of 20,000 copies of 0.1 is not exactly 0.1
    with pytest.raises(ValidationError, match="constant .*\\[2\\]"):
        rsa.rdm(x)


def test_nan_rows_are_named():
    x = _data(s=10, n=12)
    x[4, 2] = np.nan
    with pytest.raises(ValidationError, match=r"NaN.*\[4\]"):
        rsa.rdm(x)


@pytest.mark.parametrize("shape", [(5,), (2, 3, 4)])
def test_wrong_ndim_names_the_shape(shape):
    with pytest.raises(ValidationError, match=re_shape(shape)):
        rsa.rdm(np.ones(shape))


def re_shape(shape):
    return "shape " + str(shape).replace("(", r"\(").replace(")", r"\)")


def test_bad_metric():
    with pytest.raises(ValidationError, match="metric"):
        rsa.rdm(_data(), "manhattan")


# --------------------------------------------------------------------------- compare
@pytest.mark.parametrize(("ours", "theirs"), [("pearson", "corr"), ("spearman", "spearman"),
                                              ("spearman", "rho-a"),
                                              ("kendall_tau_a", "tau-a")])
def test_compare_matches_rsatoolbox(ours, theirs):
    x, y = _data(s=25, seed=1), _data(s=25, seed=2)
    r1, r2 = _rtb_rdm(x, "correlation"), _rtb_rdm(y, "correlation")
    ref = float(rsatoolbox.rdm.compare(r1, r2, method=theirs)[0, 0])
    ours_val = rsa.compare(rsa.rdm(x), rsa.rdm(y), ours)
    assert ours_val == pytest.approx(ref, abs=1e-8)


def test_compare_ignores_diagonal_and_lower_triangle():
    a, b = rsa.rdm(_data(seed=4)), rsa.rdm(_data(seed=5))
    r = rsa.compare(a, b)
    b2 = b.copy()
    b2[np.tril_indices(b.shape[0])] = 99.0  # diagonal and lower triangle garbage
    assert rsa.compare(a, b2) == pytest.approx(r)
    iu = np.triu_indices(a.shape[0], 1)
    assert r == pytest.approx(scipy.stats.pearsonr(a[iu], b[iu]).statistic)


def test_compare_with_ties_tau_a_vs_scipy_tau_b():
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, 4, 300).astype(float), rng.integers(0, 6, 300).astype(float)
    n0 = 300 * 299 / 2

    def tied(v):
        _, c = np.unique(v, return_counts=True)
        return (c * (c - 1) / 2).sum()

    tau_b = scipy.stats.kendalltau(a, b).statistic
    ref = tau_b * np.sqrt((n0 - tied(a)) * (n0 - tied(b))) / n0
    assert rsa.kendall_tau_a(a, b) == pytest.approx(ref, abs=1e-12)
    assert rsa.compare(a, b, "kendall_tau_a") == pytest.approx(ref, abs=1e-12)
    assert rsa.compare(a, b, "spearman") == pytest.approx(scipy.stats.spearmanr(a, b).statistic)


def test_tau_a_brute_force_small():
    rng = np.random.default_rng(7)
    a, b = rng.integers(0, 5, 40), rng.normal(size=40).round(1)
    s = np.sign(a[:, None] - a[None, :]) * np.sign(b[:, None] - b[None, :])
    assert rsa.kendall_tau_a(a, b) == pytest.approx(s[np.triu_indices(40, 1)].mean())


def test_compare_mismatched_shapes_named():
    with pytest.raises(ValidationError, match=r"\(5, 5\) and \(6, 6\)"):
        rsa.compare(np.zeros((5, 5)), np.zeros((6, 6)))
    with pytest.raises(ValidationError, match="method"):
        rsa.compare(np.zeros((5, 5)), np.zeros((5, 5)), "nope")


# ------------------------------------------------------------------------------- cka
def test_cka_matches_hsic_definition_and_invariances():
    x, y = _data(s=20, n=7, seed=1), _data(s=20, n=30, seed=2)
    h = np.eye(20) - 1 / 20
    k, lm = x @ x.T, y @ y.T

    def hsic(p, q):
        return np.trace(p @ h @ q @ h)

    ref = hsic(k, lm) / np.sqrt(hsic(k, k) * hsic(lm, lm))
    assert rsa.cka(x, y) == pytest.approx(ref, rel=1e-10)
    q, _ = np.linalg.qr(np.random.default_rng(0).normal(size=(7, 7)))
    assert rsa.cka(3 * x @ q + 1, y) == pytest.approx(ref, rel=1e-10)
    assert rsa.cka(x, x) == pytest.approx(1.0)
    with pytest.raises(ValidationError, match="same stimuli"):
        rsa.cka(x, y[:10])


# ------------------------------------------------------------- bootstrap / permutation
def _loop_bootstrap(a, b, idx, method):
    s = a.shape[0]
    iu, ju = np.triu_indices(s, 1)
    out = []
    for r in idx:
        keep = r[iu] != r[ju]
        va, vb = a[r[iu][keep], r[ju][keep]], b[r[iu][keep], r[ju][keep]]
        if method == "pearson":
            out.append(scipy.stats.pearsonr(va, vb).statistic)
        else:
            out.append(scipy.stats.spearmanr(va, vb).statistic)
    return np.array(out)


@pytest.mark.parametrize("method", ["pearson", "spearman"])
def test_bootstrap_equals_explicit_resampling(method):
    a, b = rsa.rdm(_data(s=30, seed=1)), rsa.rdm(_data(s=30, seed=2))
    res = rsa.bootstrap_compare(a, b, method, n_boot=150, seed=11)
    idx = np.random.default_rng(11).integers(0, 30, size=(150, 30))
    ref = _loop_bootstrap(a, b, idx, method)
    np.testing.assert_allclose(res.samples, ref, atol=1e-10)
    lo, hi = np.percentile(ref, [2.5, 97.5])
    assert (res.ci_low, res.ci_high) == pytest.approx((lo, hi))
    assert res.estimate == pytest.approx(rsa.compare(a, b, method))
    assert res.n_valid == 150


def test_bootstrap_from_responses_and_seeded():
    x, y = _data(s=20, seed=1), _data(s=20, seed=2)
    r1 = rsa.bootstrap_compare(x, y, metric="correlation", n_boot=100, seed=3)
    r2 = rsa.bootstrap_compare(rsa.rdm(x), rsa.rdm(y), n_boot=100, seed=3)
    np.testing.assert_array_equal(r1.samples, r2.samples)
    with pytest.raises(ValidationError, match="square"):
        rsa.bootstrap_compare(x, y)  # responses without metric= are not RDMs


def test_bootstrap_interval_covers_truth_mostly():
    # Noisy copies of one representation: the interval of the noisy comparison contains
    # the comparison's estimate and is narrower with more stimuli.
    rng = np.random.default_rng(0)
    base = rng.normal(size=(80, 60))
    a = rsa.rdm(base + rng.normal(size=base.shape))
    b = rsa.rdm(base + rng.normal(size=base.shape))
    wide = rsa.bootstrap_compare(a[:20, :20], b[:20, :20], n_boot=300, seed=0)
    narrow = rsa.bootstrap_compare(a, b, n_boot=300, seed=0)
    assert narrow.ci_low < narrow.estimate < narrow.ci_high
    assert narrow.ci_high - narrow.ci_low < wide.ci_high - wide.ci_low


@pytest.mark.parametrize("method", ["pearson", "spearman", "kendall_tau_a"])
def test_permutation_null_equals_explicit_permutations(method):
    a, b = rsa.rdm(_data(s=15, seed=1)), rsa.rdm(_data(s=15, seed=2))
    res = rsa.permutation_test(a, b, method, n_perm=40, seed=5)
    rng = np.random.default_rng(5)
    if method == "kendall_tau_a":
        perms = [rng.permutation(15) for _ in range(40)]
    else:
        perms = rng.permuted(np.tile(np.arange(15), (40, 1)), axis=1)
    ref = np.array([rsa.compare(a, b[p][:, p], method) for p in perms])
    np.testing.assert_allclose(res.null, ref, atol=1e-10)
    assert res.p_value == pytest.approx((1 + (ref >= res.statistic - 1e-12).sum()) / 41)


def test_permutation_detects_shared_structure_and_not_independent():
    x = _data(s=30, seed=1)
    related = rsa.permutation_test(x, x + 0.3 * _data(s=30, seed=9), metric="correlation",
                                   n_perm=199, seed=0)
    assert related.p_value == pytest.approx(1 / 200)
    rng = np.random.default_rng(2)
    ps = [rsa.permutation_test(rng.normal(size=(12, 20)), rng.normal(size=(12, 20)),
                               metric="correlation", n_perm=99, seed=i).p_value
          for i in range(20)]
    assert np.mean(ps) > 0.25  # p-values of independent data are roughly uniform


# --------------------------------------------------------------- tuning curves, embed
def test_tuning_curves_match_pandas_groupby():
    rng = np.random.default_rng(0)
    stim = rng.choice([0.0, 45.0, 90.0, 135.0], 50)
    x = rng.poisson(3, (50, 6)).astype(float)
    tc = rsa.tuning_curves(x, stim)
    df = pd.DataFrame(x).assign(s=stim).groupby("s")
    np.testing.assert_allclose(tc.mean, df.mean().to_numpy())
    np.testing.assert_allclose(tc.sem, df.sem().to_numpy())
    np.testing.assert_array_equal(tc.stimuli, [0, 45, 90, 135])
    binned = rsa.tuning_curves(x, stim, bin_width=90)
    np.testing.assert_array_equal(binned.stimuli, [45.0, 135.0])
    with pytest.raises(ValidationError, match="49 values"):
        rsa.tuning_curves(x, stim[:-1])


def test_embed_pca_matches_sklearn_and_tsne_is_seeded():
    from sklearn.decomposition import PCA

    x = _data(s=40, n=30, seed=2)
    ours = rsa.embed(x, "pca")
    ref = PCA(2).fit_transform(x)
    np.testing.assert_allclose(np.abs(ours), np.abs(ref), atol=1e-8)
    wide = _data(s=20, n=90, seed=3)  # more neurons than stimuli: Gram-matrix path
    np.testing.assert_allclose(np.abs(rsa.embed(wide, "pca")),
                               np.abs(PCA(2).fit_transform(wide)), atol=1e-8)
    t1 = rsa.embed(x, "tsne", pca_components=10, seed=0)
    t2 = rsa.embed(x, "tsne", pca_components=10, seed=0)
    assert t1.shape == (40, 2)
    np.testing.assert_array_equal(t1, t2)


def test_rsa_does_not_import_torch():
    code = ("import sys, cortexkit, cortexkit.rsa; import numpy as np; "
            "cortexkit.rsa.rdm(np.random.default_rng(0).normal(size=(5, 4))); "
            "cortexkit.encoding.grating(0.0); "
            "assert 'torch' not in sys.modules, 'torch imported'")
    subprocess.run([sys.executable, "-c", code], check=True)
