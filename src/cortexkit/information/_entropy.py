"""Shannon entropy of probability mass functions and of counts (plug-in and bias-corrected).

All functions accept one distribution (1-D) or many (2-D, one distribution per row) and
work on all rows at once; only the NSB estimator integrates row by row.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy.special import entr

from cortexkit._lib.validation import check_choice
from cortexkit.errors import ValidationError

__all__ = ["entropy", "pmf_from_counts", "entropy_from_counts", "ESTIMATORS"]

#: Names accepted by ``entropy_from_counts(estimator=...)``.
ESTIMATORS = ("plugin", "miller_madow", "jackknife", "nsb")

# Relative tolerance on the sum of a PMF (SPEC section 3).
_SUM_RTOL = 1e-9


def log_base(base: Any) -> float:
    """Natural log of an entropy base, validating it (positive, finite, not 1)."""
    try:
        b = float(base)
    except (TypeError, ValueError):
        raise ValidationError(
            f"base must be a number such as 2 (bits) or math.e (nats); got {base!r}", param="base"
        ) from None
    if not math.isfinite(b) or b <= 0 or b == 1:
        raise ValidationError(
            f"base must be positive, finite and not 1 (2 for bits, math.e for nats); got {base!r}",
            param="base"
        )
    return math.log(b)


def _as_numeric(x: Any, name: str) -> np.ndarray:
    a = np.asarray(x)
    if a.dtype == object or not (np.issubdtype(a.dtype, np.number) or a.dtype == bool):
        raise ValidationError(f"{name} must be a numeric array; got dtype {a.dtype}", param=name)
    if a.ndim not in (1, 2):
        raise ValidationError(
            f"{name} must be 1-D (one distribution) or 2-D (one distribution per row); "
            f"got shape {a.shape}", param=name
        )
    if a.shape[-1] == 0 or a.size == 0:
        raise ValidationError(f"{name} is empty (shape {a.shape}); give at least one bin",
                              param=name)
    if np.iscomplexobj(a):
        raise ValidationError(f"{name} must be real; got complex dtype {a.dtype}", param=name)
    a = a.astype(np.float64, copy=False)
    bad = ~np.isfinite(a)
    if bad.any():
        idx = np.argwhere(bad)[0].tolist()
        raise ValidationError(
            f"{name} contains {int(bad.sum())} NaN or infinite value(s), first at index "
            f"{idx[0] if a.ndim == 1 else tuple(idx)}; remove or replace them", param=name
        )
    neg = a < 0
    if neg.any():
        idx = np.argwhere(neg)[0].tolist()
        where = idx[0] if a.ndim == 1 else tuple(idx)
        raise ValidationError(
            f"{name} has {int(neg.sum())} negative value(s), first "
            f"{float(a[tuple(idx)])!r} at index "
            f"{where}; probabilities and counts must be >= 0", param=name
        )
    return a


def entropy(pmf: Any, base: float = 2, normalize: bool = False) -> float | np.ndarray:
    """Shannon entropy of a probability mass function.

    ``H = -sum_i p_i log_b p_i`` over the points with ``p_i > 0`` (zero-mass points are
    excluded, i.e. ``0 log 0 = 0``). The result is never ``-0.0``.

    Parameters
    ----------
    pmf : array_like
        Probabilities, 1-D (one distribution) or 2-D (one distribution per row). Must be
        finite, non-negative and sum to 1 within 1e-9 (relative).
    base : float, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.
    normalize : bool, default False
        Rescale ``pmf`` to sum 1 instead of refusing it (it must still be non-negative,
        finite and not all zero).

    Returns
    -------
    float or numpy.ndarray
        The entropy (a float for 1-D input, one value per row for 2-D input).

    Raises
    ------
    ValidationError
        Empty, NaN/infinite, negative, all-zero or not summing to 1 (without ``normalize``).

    Examples
    --------
    >>> from cortexkit.information import entropy
    >>> entropy([0.5, 0.5])
    1.0
    >>> entropy([1.0, 0.0])
    0.0
    >>> round(entropy([0.25] * 4, base=math.e), 6)
    1.386294
    """
    lb = log_base(base)
    p = _as_numeric(pmf, "pmf")
    total = p.sum(axis=-1, keepdims=True)
    if normalize:
        zero = total[..., 0] == 0
        if np.any(zero):
            raise ValidationError(
                "pmf is all zero" + ("" if p.ndim == 1 else
                                     f" in row {int(np.flatnonzero(zero)[0])}")
                + "; normalize=True needs some positive mass"
            )
        p = p / total
    else:
        off = np.abs(total[..., 0] - 1.0) > _SUM_RTOL
        if np.any(off):
            r = int(np.flatnonzero(np.atleast_1d(off))[0])
            s = float(np.atleast_1d(total[..., 0])[r])
            where = "" if p.ndim == 1 else f" (row {r})"
            raise ValidationError(
                f"pmf sums to {s!r}{where}, not 1 (tolerance 1e-9 relative); pass "
                "normalize=True to rescale it, or use pmf_from_counts for counts", param="pmf"
            )
    h = entr(p).sum(axis=-1) / lb
    h = np.where(h > 0, h, 0.0)  # exact zero, never -0.0
    return float(h) if h.ndim == 0 else h


def pmf_from_counts(counts: Any) -> np.ndarray:
    """Probabilities from counts: ``counts / counts.sum()`` (row-wise for 2-D input).

    Parameters
    ----------
    counts : array_like
        Non-negative finite counts (or weights), 1-D or 2-D (one histogram per row), not
        all zero.

    Returns
    -------
    numpy.ndarray of float64
        Same shape as ``counts``, each row summing to 1.

    Raises
    ------
    ValidationError
        Empty, NaN/infinite, negative or all-zero counts.

    Examples
    --------
    >>> from cortexkit.information import pmf_from_counts
    >>> pmf_from_counts([2, 0, 6]).tolist()
    [0.25, 0.0, 0.75]
    """
    c = _as_numeric(counts, "counts")
    total = c.sum(axis=-1, keepdims=True)
    zero = total[..., 0] == 0
    if np.any(zero):
        where = "" if c.ndim == 1 else f" (row {int(np.flatnonzero(zero)[0])})"
        raise ValidationError(
            f"counts are all zero{where}: no observations to turn into probabilities",
            param="counts"
        )
    return c / total


def _integer_counts(counts: Any) -> np.ndarray:
    c = _as_numeric(counts, "counts")
    if np.any(c != np.round(c)):
        raise ValidationError(
            "counts must be whole numbers (numbers of observations per bin) for "
            "entropy_from_counts; for weights or probabilities use entropy(pmf, normalize=True)",
            param="counts"
        )
    zero = c.sum(axis=-1) == 0
    if np.any(zero):
        where = "" if c.ndim == 1 else f" (row {int(np.flatnonzero(np.atleast_1d(zero))[0])})"
        raise ValidationError(f"counts are all zero{where}: no observations to estimate from",
                              param="counts")
    return c


def _plugin_nats(c: np.ndarray) -> np.ndarray:
    return entr(c / c.sum(axis=-1, keepdims=True)).sum(axis=-1)


def _miller_madow_nats(c: np.ndarray) -> np.ndarray:
    n = c.sum(axis=-1)
    m = np.count_nonzero(c, axis=-1)
    return _plugin_nats(c) + (m - 1) / (2.0 * n)


def _jackknife_nats(c: np.ndarray) -> np.ndarray:
    """Leave-one-out jackknife, grouped by bin: every sample of bin i gives the same H_{-i}.

    ``H_{-i} = sum_k entr(n_k / (N-1)) - entr(n_i / (N-1)) + entr((n_i - 1) / (N-1))``: the
    plug-in entropy of the counts with one sample of bin ``i`` removed.
    """
    n = c.sum(axis=-1, keepdims=True)
    n1 = np.where(n > 1.0, n - 1.0, 1.0)  # n = 1: the (N-1) factor below is 0 anyway
    e = entr(c / n1)
    h_loo = e.sum(axis=-1, keepdims=True) - e + entr(np.maximum(c - 1.0, 0.0) / n1)
    mean_loo = np.where(c > 0, c * h_loo, 0.0).sum(axis=-1) / n[..., 0]
    nn = n[..., 0]
    return nn * _plugin_nats(c) - (nn - 1.0) * mean_loo


def entropy_from_counts(counts: Any, estimator: str = "plugin",
                        base: float = 2) -> float | np.ndarray:
    """Entropy of the distribution that generated ``counts``, with small-sample corrections.

    Parameters
    ----------
    counts : array_like of int
        Observations per bin, 1-D or 2-D (one histogram per row). Empty bins count: the
        number of bins ``K`` matters for ``"nsb"``.
    estimator : {"plugin", "miller_madow", "jackknife", "nsb"}
        ``"plugin"``: entropy of the empirical PMF (biased low for small samples, bias
        about ``-(K-1)/(2N)`` nats). ``"miller_madow"``: plug-in plus ``(m-1)/(2N)`` nats,
        ``m`` the number of occupied bins. ``"jackknife"``: leave-one-out jackknife
        ``N H - (N-1)/N sum_j H_{-j}``. ``"nsb"``: Nemenman-Shafee-Bialek Bayesian
        estimate, the posterior mean of the entropy under a mixture of symmetric
        Dirichlet priors chosen to be flat in the prior expected entropy (see
        :mod:`cortexkit.information._nsb`).
    base : float, default 2
        Logarithm base (2: bits, ``math.e``: nats).

    Returns
    -------
    float or numpy.ndarray
        The estimate (one per row for 2-D input).

    Raises
    ------
    ValidationError
        Unknown estimator, or counts that are empty, negative, non-integer, NaN or all zero.

    Examples
    --------
    >>> from cortexkit.information import entropy_from_counts
    >>> entropy_from_counts([5, 5])
    1.0
    >>> round(entropy_from_counts([5, 5], estimator="miller_madow"), 4)
    1.0721
    """
    check_choice("estimator", estimator, ESTIMATORS)
    lb = log_base(base)
    c = _integer_counts(counts)
    if estimator == "plugin":
        h = _plugin_nats(c)
    elif estimator == "miller_madow":
        h = _miller_madow_nats(c)
    elif estimator == "jackknife":
        h = _jackknife_nats(c)
    else:
        from cortexkit.information._nsb import nsb_nats_rows

        h = nsb_nats_rows(np.atleast_2d(c))
        if c.ndim == 1:
            h = h[0]
    h = np.asarray(h, dtype=np.float64) / lb
    h = np.where(h == 0, 0.0, h)  # never -0.0
    return float(h) if h.ndim == 0 else h
