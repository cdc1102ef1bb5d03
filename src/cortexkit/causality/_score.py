"""How well an estimated connectivity matches the truth."""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from cortexkit._lib.validation import check_real
from cortexkit.errors import CortexkitWarning, ValidationError

__all__ = ["Score", "score", "auroc"]


@dataclass(frozen=True)
class Score:
    """Agreement of an estimate with the true connectivity (off-diagonal, estimated pairs).

    Attributes
    ----------
    correlation : float
        Pearson correlation between estimated and true weights.
    auroc : float
        Area under the ROC curve for detecting edges (``A != 0``) by ``|estimate|``.
    sign_accuracy : float
        Fraction of true edges whose estimated sign matches the true sign.
    rel_error : float
        ``min_c ||c * est - A|| / ||A||`` — relative error after the best overall scaling
        (methods estimate effects on different scales: rates, correlations, weights).
    n_pairs : int
        Number of (i, j) pairs compared.
    """

    correlation: float
    auroc: float
    sign_accuracy: float
    rel_error: float
    n_pairs: int

    def to_dict(self) -> dict[str, float]:
        """The scores as a plain dict."""
        return asdict(self)


def score(estimate: Any, A: Any) -> Score:
    """Score an estimated connectivity against the true one.

    Only off-diagonal pairs are compared (self-connections are not causal questions
    between neurons), and only where ``estimate`` is finite (NaN marks pairs a method
    did not estimate, e.g. unobserved neurons).  Undefined scores (no edge, constant
    estimate) are NaN; with fewer than 2 finite pairs all are NaN and a
    CortexkitWarning says so.

    Parameters
    ----------
    estimate : array_like, shape (n, n)
        Estimated effect of j (column) on i (row), e.g. from :func:`estimate`.
    A : array_like, shape (n, n)
        True connectivity.

    Returns
    -------
    Score
        ``correlation``, ``auroc``, ``sign_accuracy``, ``rel_error``, ``n_pairs``.

    Examples
    --------
    >>> import numpy as np
    >>> from cortexkit.causality import score
    >>> A = np.array([[0, 1.0, 0], [0, 0, 0.5], [0.2, 0, 0]])
    >>> s = score(2 * A, A)
    >>> round(s.correlation, 6), s.auroc, s.sign_accuracy, round(s.rel_error, 6)
    (1.0, 1.0, 1.0, 0.0)
    """
    est = check_real("estimate", estimate).astype(np.float64)
    true = check_real("A", A).astype(np.float64)
    if true.ndim != 2 or true.shape[0] != true.shape[1]:
        raise ValidationError(f"A must be a square (n, n) matrix; got shape {true.shape}",
                              param="A")
    if est.shape != true.shape:
        raise ValidationError(
            f"estimate has shape {est.shape} but A has shape {true.shape}; they must match",
            param="estimate")
    if not np.isfinite(true).all():
        raise ValidationError("A contains NaN or inf", param="A")
    keep = ~np.eye(true.shape[0], dtype=bool) & np.isfinite(est)
    e, a = est[keep], true[keep]
    nan = float("nan")
    if e.size < 2:
        warnings.warn(
            f"score: the estimate has {e.size} finite off-diagonal pair(s) (NaN marks pairs "
            "that were not estimated); at least 2 are needed, so every score is NaN",
            CortexkitWarning, stacklevel=2)
        return Score(nan, nan, nan, nan, int(e.size))
    edge = a != 0
    corr = nan
    if e.std() > 0 and a.std() > 0:
        corr = float(np.corrcoef(e, a)[0, 1])
    sign = float(np.mean(np.sign(e[edge]) == np.sign(a[edge]))) if edge.any() else nan
    den = float(e @ e) * float(a @ a)
    rel = float(np.sqrt(max(0.0, 1.0 - (e @ a) ** 2 / den))) if den > 0 else nan
    auc = auroc(np.abs(e), edge) if 0 < int(edge.sum()) < edge.size else nan  # documented
    return Score(corr, auc, sign, rel, int(e.size))


def auroc(scores: Any, labels: Any) -> float:
    """Area under the ROC curve (Mann-Whitney U / (n_pos n_neg), ties count one half).

    NaN, with a CortexkitWarning, when all labels are equal (undefined); NaN or inf
    scores are refused with ValidationError.

    Parameters
    ----------
    scores : array_like
        Score of every candidate (higher: more likely positive).
    labels : array_like of bool
        True for the positives, same size as ``scores``.

    Returns
    -------
    float
        AUROC in [0, 1]; NaN without positives or without negatives.

    Examples
    --------
    >>> auroc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])
    0.75
    """
    s = check_real("scores", scores).astype(np.float64).ravel()
    y = np.asarray(labels, dtype=bool).ravel()
    if s.shape != y.shape:
        raise ValidationError(f"scores and labels must have the same length; got {s.size} "
                              f"and {y.size}", param="labels")
    if not np.isfinite(s).all():
        raise ValidationError(
            f"scores must be finite; {int((~np.isfinite(s)).sum())} are NaN or inf: drop "
            "those pairs first", param="scores")
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if n_pos == 0 or n_neg == 0:
        warnings.warn(
            f"auroc: all {y.size} labels are {'positive' if n_neg == 0 else 'negative'}, so "
            "the area under the ROC curve is undefined; the result is NaN",
            CortexkitWarning, stacklevel=2)
        return float("nan")
    _, inverse, counts = np.unique(s, return_inverse=True, return_counts=True)
    ranks = (np.cumsum(counts) - (counts - 1) / 2.0)[inverse]   # average ranks of ties
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))
