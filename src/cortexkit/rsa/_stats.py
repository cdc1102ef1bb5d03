"""Bootstrap confidence intervals and permutation p-values for RDM comparisons."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.stats

from cortexkit._lib.reprs import Summarized
from cortexkit._lib.validation import check_choice
from cortexkit.errors import CortexkitWarning, ValidationError
from cortexkit.rsa._rdm import METHODS, Method, Metric, compare, kendall_tau_a, rdm

__all__ = ["BootstrapResult", "PermutationResult", "bootstrap_compare", "permutation_test"]


@dataclass(frozen=True, repr=False)
class BootstrapResult(Summarized):
    """Outcome of :func:`bootstrap_compare`.

    Attributes
    ----------
    estimate : float
        The comparison on all stimuli.
    ci_low, ci_high : float
        Percentile confidence interval.
    ci : float
        Confidence level (e.g. 0.95).
    samples : ndarray
        The bootstrap distribution (NaN for degenerate resamples).
    n_valid : int
        Resamples with a defined similarity.
    """

    estimate: float
    ci_low: float
    ci_high: float
    ci: float
    samples: np.ndarray
    n_valid: int

    def _summary(self) -> list[tuple[str, object]]:
        return [("estimate", self.estimate), (f"{self.ci:.0%} CI", (self.ci_low, self.ci_high)),
                ("valid resamples", f"{self.n_valid} of {self.samples.size}")]


@dataclass(frozen=True, repr=False)
class PermutationResult(Summarized):
    """Outcome of :func:`permutation_test`: statistic, one-sided p-value, null distribution."""

    statistic: float
    p_value: float
    null: np.ndarray

    def _summary(self) -> list[tuple[str, object]]:
        return [("statistic", self.statistic), ("p_value", self.p_value),
                ("permutations", self.null.size),
                ("null mean / sd", (float(np.nanmean(self.null)), float(np.nanstd(self.null))))]


def _square_pair(a: Any, b: Any, metric: Metric | None) -> tuple[np.ndarray, np.ndarray]:
    if metric is not None:
        a, b = rdm(a, metric), rdm(b, metric)
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    for name, m in (("rdm1", a), ("rdm2", b)):
        if m.ndim != 2 or m.shape[0] != m.shape[1]:
            raise ValidationError(
                f"{name} must be a square (S x S) RDM, got shape {m.shape}; pass response "
                "matrices together with metric='correlation' to compute the RDMs first")
        if not np.isfinite(m).all():
            raise ValidationError(f"{name} contains NaN or infinite dissimilarities")
    if a.shape != b.shape:
        raise ValidationError(
            f"rdm1 and rdm2 must describe the same stimuli: shapes {a.shape} and {b.shape} differ")
    if a.shape[0] < 3:
        raise ValidationError(f"need at least 3 stimuli, got RDMs of shape {a.shape}")
    return a, b


def _check_method(method: str) -> None:
    check_choice("method", method, METHODS)


def _centred_zero_diag(m: np.ndarray) -> np.ndarray:
    """Copy with the off-diagonal mean subtracted and an exact zero diagonal."""
    s = m.shape[0]
    out = m - m[np.triu_indices(s, 1)].mean()
    np.fill_diagonal(out, 0.0)
    return out


def _boot_pearson(a0: np.ndarray, b0: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Pearson r of each bootstrap resample (rows of idx), duplicate-stimulus pairs dropped.

    With ``c`` the number of times each stimulus was drawn, the pairs of distinct original
    stimuli (i, j) appear ``c_i c_j`` times, so every sum over the resampled upper triangle
    is a quadratic form ``c^T M c / 2`` of a zero-diagonal matrix M (A, B, A*A, B*B, A*B):
    five (k x S) @ (S x S) products instead of gathering k x S(S-1)/2 values.
    Pearson r is invariant to the shift applied by :func:`_centred_zero_diag`.
    """
    k, s = idx.shape
    c = np.zeros((k, s))
    np.add.at(c, (np.repeat(np.arange(k), s), idx.ravel()), 1.0)

    def q(m: np.ndarray) -> np.ndarray:
        return 0.5 * np.einsum("ij,ij->i", c @ m, c)

    n = 0.5 * (s * s - (c * c).sum(1))
    sa, sb = q(a0), q(b0)
    saa, sbb, sab = q(a0 * a0), q(b0 * b0), q(a0 * b0)
    with np.errstate(invalid="ignore", divide="ignore"):
        va = np.maximum(n * saa - sa * sa, 0)
        vb = np.maximum(n * sbb - sb * sb, 0)
        r = (n * sab - sa * sb) / np.sqrt(va * vb)
    bad = (n < 2) | ~(va > 1e-12 * n * saa) | ~(vb > 1e-12 * n * sbb)
    r[bad] = np.nan
    return r


def bootstrap_compare(
    rdm1: np.ndarray,
    rdm2: np.ndarray,
    method: Method = "pearson",
    *,
    n_boot: int = 1000,
    ci: float = 0.95,
    metric: Metric | None = None,
    seed: int | np.random.Generator | None = None,
) -> BootstrapResult:
    """Bootstrap confidence interval of an RDM comparison, resampling stimuli.

    Each resample draws S stimuli with replacement and compares the two RDMs restricted
    to them. Resampling stimuli of an RDM is the same as recomputing the RDM of the
    resampled responses (the dissimilarity of two stimuli does not depend on the others).
    A stimulus drawn twice would create "pairs" of a stimulus with itself, whose
    dissimilarity is the diagonal zero, not a measurement: those entries are dropped, so
    every resample compares only pairs of distinct original stimuli (Nili et al. 2014).

    Parameters
    ----------
    rdm1, rdm2 : array_like
        Square RDMs of the same S stimuli, or, with ``metric`` given, (S x N) response
        matrices whose RDMs are computed with :func:`rdm` first.
    method : {"pearson", "spearman", "kendall_tau_a"}
        Comparison, as in :func:`compare`.
    n_boot : int
        Number of resamples.
    ci : float
        Confidence level of the percentile interval.
    metric : {"correlation", "euclidean", "cosine"}, optional
        Treat the inputs as responses and compute their RDMs with this metric.
    seed : int, Generator or None
        Randomness (``np.random.default_rng(seed)``).

    Returns
    -------
    BootstrapResult

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(30, 50))
    >>> y = x + rng.normal(size=(30, 50))
    >>> res = bootstrap_compare(x, y, metric="correlation", n_boot=200, seed=0)
    >>> res.ci_low < res.estimate < res.ci_high
    True
    """
    _check_method(method)
    if not (isinstance(n_boot, int | np.integer) and n_boot >= 1):
        raise ValidationError(f"n_boot must be a positive integer; got {n_boot!r}", param="n_boot")
    if not 0 < ci < 1:
        raise ValidationError(f"ci must be in (0, 1), e.g. 0.95; got {ci!r}", param="ci")
    a, b = _square_pair(rdm1, rdm2, metric)
    estimate = compare(a, b, method)
    s = a.shape[0]
    rng = np.random.default_rng(seed)
    iu, ju = np.triu_indices(s, 1)
    samples = np.empty(n_boot)
    chunk = max(1, min(n_boot, 2_000_000 // iu.size)) if method != "pearson" else n_boot
    a0, b0 = _centred_zero_diag(a), _centred_zero_diag(b)
    for start in range(0, n_boot, chunk):
        k = min(chunk, n_boot - start)
        idx = rng.integers(0, s, size=(k, s))
        if method == "pearson":
            samples[start:start + k] = _boot_pearson(a0, b0, idx)
            continue
        ia, ib = idx[:, iu], idx[:, ju]
        keep = ia != ib
        for r in range(k):
            m = keep[r]
            va, vb = a[ia[r, m], ib[r, m]], b[ia[r, m], ib[r, m]]
            if va.size < 2 or np.ptp(va) == 0 or np.ptp(vb) == 0:
                samples[start + r] = np.nan
            elif method == "spearman":
                samples[start + r] = np.corrcoef(scipy.stats.rankdata(va),
                                                 scipy.stats.rankdata(vb))[0, 1]
            else:
                samples[start + r] = kendall_tau_a(va, vb)
    valid = np.isfinite(samples)
    n_valid = int(valid.sum())
    if n_valid < n_boot / 2:
        warnings.warn(
            f"only {n_valid} of {n_boot} bootstrap resamples had a defined similarity "
            f"(too few distinct stimuli: S={s}); the interval is unreliable",
            CortexkitWarning, stacklevel=2)
    if n_valid == 0:
        lo = hi = float("nan")
    else:
        q = 100 * (1 - ci) / 2
        lo, hi = (float(v) for v in np.percentile(samples[valid], [q, 100 - q]))
    return BootstrapResult(estimate, lo, hi, ci, samples, n_valid)


def permutation_test(
    rdm1: np.ndarray,
    rdm2: np.ndarray,
    method: Method = "pearson",
    *,
    n_perm: int = 1000,
    metric: Metric | None = None,
    seed: int | np.random.Generator | None = None,
) -> PermutationResult:
    """One-sided permutation p-value of an RDM comparison (H1: similarity > 0).

    The stimulus labels of ``rdm2`` are permuted (rows and columns together), which keeps
    its set of dissimilarities and destroys the correspondence with ``rdm1``.
    ``p = (1 + #{null >= observed}) / (1 + n_perm)``.

    Parameters
    ----------
    rdm1, rdm2 : array_like
        Square RDMs of the same stimuli (or responses, with ``metric``).
    method : {"pearson", "spearman", "kendall_tau_a"}
    n_perm : int
        Number of permutations.
    metric : {"correlation", "euclidean", "cosine"}, optional
        Treat the inputs as responses and compute their RDMs first.
    seed : int, Generator or None

    Returns
    -------
    PermutationResult

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(1).normal(size=(25, 40))
    >>> permutation_test(x, x + 0.5, metric="correlation", n_perm=199, seed=0).p_value
    0.005
    """
    _check_method(method)
    if not (isinstance(n_perm, int | np.integer) and n_perm >= 1):
        raise ValidationError(f"n_perm must be a positive integer; got {n_perm!r}", param="n_perm")
    a, b = _square_pair(rdm1, rdm2, metric)
    stat = compare(a, b, method)
    s = a.shape[0]
    rng = np.random.default_rng(seed)
    iu, ju = np.triu_indices(s, 1)
    null = np.empty(n_perm)
    if method in ("pearson", "spearman"):
        # The permuted RDM has the same multiset of dissimilarities (same mean, sd, ranks):
        # each null value is one dot product with the standardized rdm1 vector.
        va, vb_sq = a[iu, ju], b.copy()
        if method == "spearman":
            va = scipy.stats.rankdata(va)
            vb_sq[iu, ju] = scipy.stats.rankdata(b[iu, ju])
            vb_sq[ju, iu] = vb_sq[iu, ju]
        vb = vb_sq[iu, ju]
        sb = vb.std()
        if sb == 0 or va.std() == 0:
            raise ValidationError("an RDM is constant over all pairs; similarity is undefined")
        # r = sum_pairs za * (b_perm - mean) / sb with za standardized / P; za sums to zero,
        # so the mean drops out: one gather and one dot product per permutation, in chunks.
        za = (va - va.mean()) / (va.std() * va.size)
        dt: Any = np.int32 if s * s < 2**31 else np.int64
        iu_, ju_ = iu.astype(dt), ju.astype(dt)
        bflat = vb_sq.ravel()
        chunk = max(1, min(n_perm, 2_000_000 // iu.size))
        for start in range(0, n_perm, chunk):
            k = min(chunk, n_perm - start)
            perms = rng.permuted(np.tile(np.arange(s, dtype=dt), (k, 1)), axis=1)
            flat = perms[:, iu_] * dt(s)
            flat += perms[:, ju_]
            null[start:start + k] = (bflat.take(flat) @ za) / sb
    else:
        for r in range(n_perm):
            p = rng.permutation(s)
            null[r] = kendall_tau_a(a[iu, ju], b[p[iu], p[ju]])
    p_value = (1 + np.count_nonzero(null >= stat - 1e-12)) / (1 + n_perm)
    return PermutationResult(float(stat), float(p_value), null)
