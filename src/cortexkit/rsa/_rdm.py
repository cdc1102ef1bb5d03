"""Representational dissimilarity matrices and their comparison (NumPy / SciPy only)."""

from __future__ import annotations

import warnings
from typing import Literal

import numpy as np
import scipy.stats

from cortexkit._lib.validation import check_choice, check_real
from cortexkit.errors import CortexkitWarning, ValidationError

__all__ = ["rdm", "compare", "cka", "upper_triangle", "kendall_tau_a"]

Metric = Literal["correlation", "euclidean", "cosine"]
Method = Literal["pearson", "spearman", "kendall_tau_a"]
METRICS = ("correlation", "euclidean", "cosine")
METHODS = ("pearson", "spearman", "kendall_tau_a")


def _rows(idx: np.ndarray, limit: int = 10) -> str:
    idx = np.asarray(idx).ravel()
    shown = ", ".join(str(int(i)) for i in idx[:limit])
    return f"[{shown}{', ...' if idx.size > limit else ''}] ({idx.size} row(s))"


def _as_float_matrix(x: object, name: str) -> np.ndarray:
    """A 2-D float array (float32 kept, float16 -> float32, other numbers -> float64)."""
    a = check_real(name, x)
    if a.ndim != 2:
        raise ValidationError(
            f"{name} must be a 2-D (stimulus x neuron) array, got shape {a.shape}; "
            "reshape it so that rows are stimuli and columns are neurons/units", param=name)
    if a.shape[0] < 2 or a.shape[1] < 1:
        raise ValidationError(
            f"{name} has shape {a.shape}; need at least 2 stimuli (rows) and 1 neuron (column)",
            param=name)
    if a.dtype == np.float16:
        a = a.astype(np.float32)
    elif a.dtype not in (np.float32, np.float64):
        if not (np.issubdtype(a.dtype, np.number) or a.dtype == np.bool_):
            raise ValidationError(f"{name} must be numeric, got dtype {a.dtype}", param=name)
        a = a.astype(np.float64)
    return a


def rdm(responses: np.ndarray, metric: Metric = "correlation") -> np.ndarray:
    """Stimulus x stimulus representational dissimilarity matrix.

    Parameters
    ----------
    responses : array_like, shape (S, N)
        Rows are stimuli (or trials), columns are neurons / model units. float32 input is
        computed and returned in float32, float64 in float64 (integers become float64).
    metric : {"correlation", "euclidean", "cosine"}
        ``"correlation"``: ``1 - r`` with ``r`` the Pearson correlation between the two
        stimuli's population vectors (equals ``1 - np.corrcoef(responses)``), computed with
        one matrix product: of the raw rows with a rank-one mean correction when every
        row's squared mean is at most its variance (float32; 1e6 x for float64), else of
        the row-centred copy (exact to rounding for any offset). ``"euclidean"``: Euclidean
        distance (not squared, not divided by N). ``"cosine"``: ``1 - cos`` angle.

    Returns
    -------
    ndarray, shape (S, S)
        Symmetric, zero diagonal.

    Raises
    ------
    ValidationError
        Wrong number of dimensions (the shape is named), NaN/inf values (the rows are named),
        constant rows for ``"correlation"`` and all-zero rows for ``"cosine"`` (named).

    Examples
    --------
    >>> import numpy as np
    >>> from cortexkit.rsa import rdm
    >>> x = np.array([[1.0, 2, 3], [2, 4, 6.5], [3, 1, 0]])
    >>> np.round(rdm(x), 3)
    array([[0.   , 0.002, 1.982],
           [0.002, 0.   , 1.968],
           [1.982, 1.968, 0.   ]])
    """
    x = _as_float_matrix(responses, "responses")
    check_choice("metric", metric, METRICS)
    s, n = x.shape
    # Row sums by one BLAS matrix-vector product (a fraction of the cost of x.mean); NaN and
    # inf propagate into them, so they double as the finiteness check.
    sums = x @ np.ones(n, dtype=x.dtype)
    bad = ~np.isfinite(sums)
    if bad.any():
        bad = ~np.isfinite(x).all(axis=1)  # name exactly the rows with NaN/inf values
        if bad.any():
            raise ValidationError(
                "responses contain NaN or infinite values in stimulus rows "
                f"{_rows(np.flatnonzero(bad))}; drop or impute those rows/neurons before "
                "computing an RDM", param="responses")
        sums = x.sum(axis=1, dtype=np.float64)  # finite values whose float32 sum overflows
    if metric == "correlation":
        fast = _correlation_uncentred(x, sums.astype(np.float64) / n)
        if fast is not None:
            return fast
        mean = x.mean(axis=1, keepdims=True)  # accurate (pairwise) mean for centring
        xc = x - mean
        gram = xc @ xc.T  # the only O(S^2 N) step; its diagonal holds the row sums of squares
        del xc
        ss = np.diagonal(gram).copy()
        # A constant row centred with a rounded mean leaves ~ulp-sized residues: treat a
        # spread below 16 ulps of the row's magnitude as zero.
        eps = np.finfo(x.dtype).eps
        tiny = ss <= n * (16 * eps * np.abs(mean[:, 0])) ** 2
        if tiny.any():
            raise ValidationError(
                "responses has constant (zero-variance) stimulus rows "
                f"{_rows(np.flatnonzero(tiny))}; the correlation distance is undefined for them: "
                "drop these stimuli or use metric='euclidean'", param="responses")
        inv = (1.0 / np.sqrt(ss)).astype(x.dtype, copy=False)
        gram *= inv[:, None]
        gram *= inv[None, :]
        out = np.subtract(1, gram, out=gram)
        np.clip(out, 0, 2, out=out)
    elif metric == "cosine":
        ss = np.einsum("ij,ij->i", x, x)
        zero = ss == 0
        if zero.any():
            raise ValidationError(
                f"responses has all-zero stimulus rows {_rows(np.flatnonzero(zero))}; the cosine "
                "distance is undefined for them: drop these stimuli or use metric='euclidean'",
                param="responses")
        gram = x @ x.T
        inv = (1.0 / np.sqrt(ss)).astype(x.dtype, copy=False)
        gram *= inv[:, None]
        gram *= inv[None, :]
        out = np.subtract(1, gram, out=gram)
        np.clip(out, 0, 2, out=out)
    else:
        xc = x - x.mean(axis=0, keepdims=True)  # translation-invariant, less cancellation
        ss = np.einsum("ij,ij->i", xc, xc)
        gram = xc @ xc.T
        gram *= -2
        gram += ss[:, None]
        gram += ss[None, :]
        np.maximum(gram, 0, out=gram)
        out = np.sqrt(gram, out=gram)
    # exact symmetry and zero diagonal (BLAS may differ in the last bit between halves)
    out = np.triu(out, 1)
    out += out.T
    return out


def _correlation_uncentred(x: np.ndarray, mean: np.ndarray) -> np.ndarray | None:
    """Correlation RDM from the Gram matrix of the raw rows, when that is accurate.

    ``(x - m)(x - m)^T = x x^T - N m m^T``: one matrix product of the input itself, no
    centred copy (which costs a full read + write of the data and, for large inputs, fresh
    pages from the OS). The subtraction loses about ``log10(1 + m^2 / var)`` digits, so this
    path is taken only when every row's squared mean is at most its variance (float32) or
    1e6 times it (float64); otherwise (and for constant rows, whose error message needs the
    exact check) ``None`` sends the caller to the centred computation.
    """
    s, n = x.shape
    m = mean.astype(np.float64)
    limit = 1.0 if x.dtype == np.float32 else 1e6
    # Screen on a column sample (cheap), so offset data goes straight to the centred path
    # without paying for a wasted matrix product; the exact check below uses the Gram
    # diagonal, which the product gives for free (no extra pass over the data).
    # (in the input's precision, by BLAS: a screen with a factor-2 margin needs no more,
    # and the float64 reductions over a strided sample cost ~5 % of the whole RDM)
    sample = x[:, : min(n, 2048)]
    k = sample.shape[1]
    ms = (sample @ np.ones(k, dtype=x.dtype)).astype(np.float64) / k
    vs = np.einsum("ij,ij->i", sample, sample).astype(np.float64) / k - ms * ms
    if not (np.all(vs > 0) and np.all(m * m <= 0.5 * limit * vs)):
        return None
    g = x @ x.T
    # NumPy computes x @ x.T with BLAS syrk and mirrors the triangle, so g is exactly
    # symmetric and so is everything below (outer products commute); checked, not assumed
    symmetric = np.array_equal(g, g.T)
    gc = g.astype(np.float64)
    del g
    var = np.diagonal(gc) / n - m * m
    if not (np.all(var > 0) and np.all(m * m <= limit * var)):
        return None
    w = np.multiply.outer(m, m)  # one S x S buffer for both outer products
    w *= n
    gc -= w
    inv = 1.0 / np.sqrt(np.diagonal(gc).copy())
    gc *= np.multiply.outer(inv, inv, out=w)
    del w
    out = np.subtract(1, gc, out=gc)
    np.clip(out, 0, 2, out=out)
    if symmetric:
        np.fill_diagonal(out, 0)
    else:
        out = np.triu(out, 1)
        out += out.T
    return out.astype(x.dtype, copy=False)


def upper_triangle(rdm_: np.ndarray, name: str = "rdm") -> np.ndarray:
    """The upper off-diagonal triangle of a square RDM (row-major), or a 1-D vector as is.

    Parameters
    ----------
    rdm_ : array_like
        Square (S x S) matrix or an already condensed 1-D vector.
    name : str
        Argument name used in error messages.

    Returns
    -------
    ndarray, shape (S * (S - 1) / 2,)

    Examples
    --------
    >>> import numpy as np
    >>> upper_triangle(np.arange(9.0).reshape(3, 3))
    array([1., 2., 5.])
    """
    a = check_real(name, rdm_)
    if a.ndim == 2:
        if a.shape[0] != a.shape[1]:
            raise ValidationError(
                f"{name} must be a square (S x S) RDM or a 1-D upper-triangle vector, "
                f"got shape {a.shape}", param=name)
        v = a[np.triu_indices(a.shape[0], 1)]
    elif a.ndim == 1:
        v = a
    else:
        raise ValidationError(
            f"{name} must be a square (S x S) RDM or a 1-D upper-triangle vector, "
            f"got shape {a.shape}", param=name)
    if not np.issubdtype(v.dtype, np.number):
        raise ValidationError(f"{name} must be numeric, got dtype {v.dtype}", param=name)
    v = v.astype(np.float64, copy=False)
    if not np.isfinite(v).all():
        raise ValidationError(f"{name} contains NaN or infinite dissimilarities; fix the RDM",
                              param=name)
    return v


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    # einsum, not BLAS: a multi-threaded BLAS dot wakes its threads for a few microseconds
    # of work, which costs milliseconds on a busy machine
    a = a - a.mean()
    b = b - b.mean()
    den = np.sqrt(np.einsum("i,i", a, a) * np.einsum("i,i", b, b))
    return float(np.einsum("i,i", a, b) / den) if den > 0 else float("nan")


def _inversions(r: np.ndarray) -> int:
    """Number of pairs i < j with r[i] > r[j] (strictly), r non-negative ints.

    Bottom-up merge sort, vectorized per level: the sequence is padded to a power of two
    with a sentinel larger than every value (it creates no inversion), every block of 2w
    holds two sorted halves, and each right-half element counts the larger elements of
    its left half with one ``searchsorted`` on keys ``block * M + value``; the halves are
    then merged by a row-wise sort. O(n log^2 n) in C loops.
    """
    n = r.size
    if n < 2:
        return 0
    size = 1 << (n - 1).bit_length()
    m = int(r.max()) + 2
    a = np.full(size, m - 1, dtype=np.int64)
    a[:n] = r
    total = 0
    w = 1
    while w < size:
        blocks = size // (2 * w)
        v = a.reshape(blocks, 2, w)
        base = np.arange(blocks, dtype=np.int64) * m
        lkeys = (v[:, 0, :] + base[:, None]).ravel()  # globally sorted
        rkeys = (v[:, 1, :] + base[:, None]).ravel()
        not_greater = np.searchsorted(lkeys, rkeys, side="right")
        total += blocks * w * w - int(not_greater.sum() - w * w * (blocks * (blocks - 1) // 2))
        a = np.sort(a.reshape(blocks, 2 * w), axis=1, kind="stable").ravel()
        w *= 2
    return total


def _tied_pairs(v: np.ndarray) -> int:
    _, c = np.unique(v, return_counts=True)
    return int((c * (c - 1) // 2).sum())


def kendall_tau_a(a: np.ndarray, b: np.ndarray) -> float:
    """Kendall's tau-a: (concordant - discordant) / (n (n - 1) / 2), ties count as zero.

    O(n log^2 n) through an inversion count (Knight's method), so the 64,620 pairs of a
    360-stimulus RDM take milliseconds.

    Parameters
    ----------
    a, b : array_like, shape (n,)

    Returns
    -------
    float

    Examples
    --------
    >>> kendall_tau_a([1, 2, 3, 4], [1, 3, 2, 4])
    0.6666666666666666
    """
    a = np.asarray(a, dtype=np.float64).ravel()
    b = np.asarray(b, dtype=np.float64).ravel()
    if a.size != b.size:
        raise ValidationError(f"a and b must have the same length, got {a.size} and {b.size}",
                              param="a")
    n = a.size
    if n < 2:
        return float("nan")
    order = np.lexsort((b, a))
    a_s, b_s = a[order], b[order]
    rb = np.unique(b_s, return_inverse=True)[1].astype(np.int64)
    n0 = n * (n - 1) // 2
    n1 = _tied_pairs(a_s)
    n2 = _tied_pairs(b_s)
    # pairs tied in both: count equal (a, b) combinations
    both = np.ones(n, dtype=bool)
    both[1:] = (a_s[1:] != a_s[:-1]) | (b_s[1:] != b_s[:-1])
    c = np.diff(np.append(np.flatnonzero(both), n))
    n3 = int((c * (c - 1) // 2).sum())
    dis = _inversions(rb)
    s = n0 - n1 - n2 + n3 - 2 * dis
    return s / n0


def compare(rdm1: np.ndarray, rdm2: np.ndarray, method: Method = "pearson") -> float:
    """Similarity of two RDMs over their upper off-diagonal triangle.

    Parameters
    ----------
    rdm1, rdm2 : array_like
        Square RDMs of the same stimuli (same shape) or their 1-D upper-triangle vectors.
        Only the strict upper triangle is used (the diagonal is ignored).
    method : {"pearson", "spearman", "kendall_tau_a"}
        Pearson correlation, Spearman rank correlation (average ranks for ties; equals
        rsatoolbox's ``"spearman"``, and its ``"rho-a"`` when there are no ties) or
        Kendall's tau-a (recommended by Nili et al. 2014 when a model predicts ties).

    Returns
    -------
    float
        NaN, with a CortexkitWarning, only if one of the vectors is constant (the
        correlation is undefined).

    Examples
    --------
    >>> import numpy as np
    >>> a = np.array([[0, 1, 2], [1, 0, 3], [2, 3, 0.]])
    >>> compare(a, 2 * a + 1)
    1.0
    """
    check_choice("method", method, METHODS)
    s1, s2 = np.shape(rdm1), np.shape(rdm2)
    if s1 != s2:
        raise ValidationError(
            f"rdm1 and rdm2 must describe the same stimuli: shapes {s1} and {s2} differ",
            param="rdm1")
    v1 = upper_triangle(rdm1, "rdm1")
    v2 = upper_triangle(rdm2, "rdm2")
    if v1.size < 2:
        raise ValidationError(
            f"need at least 2 stimulus pairs (3 stimuli) to compare RDMs, got {v1.size}")
    for name, v in (("rdm1", v1), ("rdm2", v2)):
        if not np.ptp(v) > 0:
            warnings.warn(
                f"rsa.compare: {name} is constant over its {v.size} stimulus pairs, so its "
                f"correlation with the other RDM is undefined; the result is NaN",
                CortexkitWarning, stacklevel=2)
            return float("nan")
    if method == "pearson":
        return _pearson(v1, v2)
    if method == "spearman":
        return _pearson(scipy.stats.rankdata(v1), scipy.stats.rankdata(v2))
    return kendall_tau_a(v1, v2)


def cka(x: np.ndarray, y: np.ndarray) -> float:
    """Linear centred kernel alignment between two response matrices of the same stimuli.

    ``CKA = ||Yc^T Xc||_F^2 / (||Xc^T Xc||_F ||Yc^T Yc||_F)`` with column-centred
    ``Xc, Yc`` (Kornblith et al. 2019). Invariant to orthogonal transforms and isotropic
    scaling of either matrix; 1 for identical representations.

    Parameters
    ----------
    x : array_like, shape (S, N1)
    y : array_like, shape (S, N2)
        Same stimuli (rows) in the same order; the number of units may differ.

    Returns
    -------
    float in [0, 1]

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).normal(size=(20, 5))
    >>> round(cka(x, 3 * x), 6)
    1.0
    """
    x = _as_float_matrix(x, "x").astype(np.float64, copy=False)
    y = _as_float_matrix(y, "y").astype(np.float64, copy=False)
    if x.shape[0] != y.shape[0]:
        raise ValidationError(
            f"x and y must have the same stimuli (rows): shapes {x.shape} and {y.shape}", param="x")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ValidationError("x or y contains NaN or infinite values; drop or impute them",
                              param="x")
    xc = x - x.mean(0)
    yc = y - y.mean(0)
    s = x.shape[0]
    if s <= max(x.shape[1], y.shape[1]):  # Gram form: S x S products
        k, l_ = xc @ xc.T, yc @ yc.T
        num, dx, dy = np.vdot(k, l_), np.linalg.norm(k), np.linalg.norm(l_)
    else:
        num = np.linalg.norm(yc.T @ xc) ** 2
        dx, dy = np.linalg.norm(xc.T @ xc), np.linalg.norm(yc.T @ yc)
    if dx == 0 or dy == 0:
        raise ValidationError("x or y is constant over stimuli; CKA is undefined", param="x")
    return float(num / (dx * dy))
