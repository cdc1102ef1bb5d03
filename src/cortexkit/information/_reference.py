"""Reference ISI distributions at a fixed mean, and the maximum-entropy one.

All distributions live on the same bins (edges in seconds) and their mean is taken over
the bin centres ``c_i``: ``sum_i p_i c_i = mean_isi``.

* ``max_entropy_pmf``: maximise ``H(p) = -sum p_i log p_i`` subject to ``sum p_i = 1`` and
  ``sum p_i c_i = mu``. The objective is strictly concave and the constraints linear, so
  the stationary point of the Lagrangian is the unique maximum: the Gibbs form
  ``p_i = exp(-lambda c_i) / Z(lambda)``. ``mean(lambda)`` decreases strictly from the
  largest centre (``lambda -> -inf``) to the smallest (``lambda -> +inf``), so ``lambda``
  is found by bracketing and :func:`scipy.optimize.brentq` on the mean. A mean equal to the
  smallest or largest centre gives the limiting point mass.
* ``reference_pmfs``: the deterministic (a point mass in the bin holding the mean),
  uniform and exponential ISI distributions with that mean (see :func:`reference_pmfs`
  for their exact definitions).

With equal-width bins the binned exponential is itself of Gibbs form (its mass in bin
``i`` is ``exp(-e_i/s) (1 - exp(-w/s)) ~ exp(-c_i/s)``), so it coincides with the
maximum-entropy PMF: that is the normative "exponential ISIs carry the most information at
a fixed mean rate" result, here computed rather than asserted.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy.optimize import brentq

from cortexkit.errors import ValidationError
from cortexkit.information._isi import bin_edges

__all__ = ["max_entropy_pmf", "reference_pmfs"]

_MEAN_RTOL = 1e-12  # a mean this close (relative to the span) to a limit is that limit


def _check_mean(mean_isi: Any, edges: np.ndarray) -> tuple[float, np.ndarray]:
    try:
        mu = float(mean_isi)
    except (TypeError, ValueError):
        raise ValidationError(f"mean_isi must be a number (seconds); got {mean_isi!r}",
                              param="mean_isi") from None
    centres = 0.5 * (edges[:-1] + edges[1:])
    if not math.isfinite(mu) or mu < centres[0] or mu > centres[-1]:
        raise ValidationError(
            f"mean_isi={mean_isi!r} s is outside the range of the bin centres "
            f"[{centres[0]:g}, {centres[-1]:g}] s, so no distribution on these bins has that "
            "mean; widen range (or the bins) to include it"
        )
    return mu, centres


def _gibbs(z: float, x: np.ndarray) -> np.ndarray:
    """``p_i ~ exp(-z x_i)``, computed stably."""
    return _softmax(-z * x)


def _softmax(a: np.ndarray) -> np.ndarray:
    """``exp(a) / sum(exp(a))`` without overflow (plain NumPy: called in root finding)."""
    w = np.exp(a - a.max())
    return w / w.sum()


def _solve_increasing(f, lo: float, hi: float) -> float:
    """Root of an increasing ``f`` after widening ``[lo, hi]`` until it brackets the root."""
    for _ in range(60):
        if f(lo) <= 0:
            break
        lo = lo - 2 * abs(lo) - 1
    for _ in range(60):
        if f(hi) >= 0:
            break
        hi = hi + 2 * abs(hi) + 1
    return brentq(f, lo, hi, xtol=1e-14, rtol=4 * np.finfo(float).eps, maxiter=500)


def _point_mass(n: int, i: int) -> np.ndarray:
    p = np.zeros(n)
    p[i] = 1.0
    return p


def max_entropy_pmf(mean_isi: float, bins: Any = 50,
                    range: tuple[float, float] | None = (0.0, 0.25)) -> np.ndarray:
    """Maximum-entropy PMF on the bins with a given mean over the bin centres.

    Solves ``max H(p)`` subject to ``sum p = 1`` and ``sum p_i c_i = mean_isi`` numerically:
    the solution has the Gibbs form ``p_i ~ exp(-lambda c_i)`` and ``lambda`` is found with
    :func:`scipy.optimize.brentq` on the mean (``lambda > 0`` when the mean lies below the
    average centre, ``< 0`` above it, ``0`` for the uniform PMF).

    Parameters
    ----------
    mean_isi : float
        Required mean in seconds, between the first and the last bin centre.
    bins : int or array_like, default 50
        Number of equal bins over ``range``, or the bin edges (seconds).
    range : (float, float), default (0, 0.25)
        Range in seconds for an integer ``bins``.

    Returns
    -------
    numpy.ndarray
        ``len(edges) - 1`` probabilities.

    Raises
    ------
    ValidationError
        ``mean_isi`` outside ``[first centre, last centre]``, or bad bins.

    Examples
    --------
    >>> import numpy as np
    >>> p = max_entropy_pmf(0.05, bins=50, range=(0, 0.25))
    >>> centres = np.linspace(0.0025, 0.2475, 50)
    >>> round(float(p @ centres), 12)
    0.05
    """
    edges = bin_edges(bins, range)
    mu, c = _check_mean(mean_isi, edges)
    n = c.size
    span = c[-1] - c[0]
    if n == 1:
        return np.ones(1)
    if mu <= c[0] + _MEAN_RTOL * span:
        return _point_mass(n, 0)
    if mu >= c[-1] - _MEAN_RTOL * span:
        return _point_mass(n, n - 1)
    x = (c - c[0]) / span  # in [0, 1]; lambda = z / span
    target = (mu - c[0]) / span
    z = _solve_increasing(lambda z: target - float(_gibbs(z, x) @ x), -50.0, 50.0)
    return _gibbs(z, x)


def deterministic_pmf(mu: float, edges: np.ndarray) -> np.ndarray:
    """All mass in the one bin that holds ``mu`` (``edges[k] <= mu < edges[k+1]``).

    A clock-like train has no uncertainty, so this PMF has 0 bits whichever bin it sits
    in (the Neuromatch tutorial's "deterministic" neuron). Its mean over the bin centres
    is that bin's centre, within half a bin width of ``mu``.
    """
    n = edges.size - 1
    k = int(np.clip(np.searchsorted(edges, mu, side="right") - 1, 0, n - 1))
    return _point_mass(n, k)


def _exponential_masses(log_scale: float, edges: np.ndarray) -> np.ndarray:
    s = math.exp(log_scale)
    w = np.diff(edges)
    loga = -(edges[:-1] - edges[0]) / s + np.log(-np.expm1(-w / s))
    return _softmax(loga)


def _uniform_masses(top: float, edges: np.ndarray) -> np.ndarray:
    m = np.clip(top - edges[:-1], 0.0, np.diff(edges))
    return m / m.sum()


def reference_pmfs(mean_isi: float, bins: Any = 50,
                   range: tuple[float, float] | None = (0.0, 0.25)) -> dict[str, np.ndarray]:
    """Deterministic, uniform and exponential ISI distributions with the same mean.

    Every PMF has ``len(edges) - 1`` entries. The uniform and exponential ones have mean
    ``mean_isi`` over the bin centres ``c_i`` (to ~1e-12 relative).

    * ``"deterministic"``: a regular (clock-like) spike train. All mass in the one bin
      that holds ``mean_isi`` (``edges[k] <= mean_isi < edges[k+1]``), so its entropy is
      0 bits as in the Neuromatch tutorial (W1D1 Tutorial 3): a point mass has no
      uncertainty wherever it sits. Its mean over the centres is that bin's centre,
      within half a bin width of ``mean_isi``.
    * ``"uniform"``: a continuous uniform distribution on ``[edges[0], T]``, binned (each
      bin gets the length of its overlap with ``[edges[0], T]``, renormalised). ``T`` is
      solved with :func:`scipy.optimize.brentq` so that the mean over the centres is
      ``mean_isi``: full bins up to ``T`` get equal mass, the bin containing ``T`` a
      fraction of it.
    * ``"exponential"``: a Poisson spike train. The exponential distribution's mass in each
      bin, ``exp(-e_i/s) - exp(-e_i+1/s)``, renormalised over the bins, with the scale ``s``
      solved with :func:`scipy.optimize.brentq` on ``log s`` so that the mean over the
      centres is ``mean_isi``.

    The uniform and exponential distributions start at the lower edge and put at least as
    much mass on short as on long intervals, so they reach means only up to the
    width-weighted average of the centres (``(lo + hi) / 2`` for equal bins); above it a
    :class:`ValidationError` says so.

    Parameters
    ----------
    mean_isi : float
        Mean ISI in seconds.
    bins : int or array_like, default 50
        Number of equal bins over ``range``, or the bin edges (seconds, first edge >= 0).
    range : (float, float), default (0, 0.25)
        Range in seconds for an integer ``bins``.

    Returns
    -------
    dict of str to numpy.ndarray
        Keys ``"deterministic"``, ``"uniform"``, ``"exponential"``.

    Examples
    --------
    >>> refs = reference_pmfs(0.02, bins=50, range=(0, 0.25))
    >>> sorted(refs)
    ['deterministic', 'exponential', 'uniform']
    >>> from cortexkit.information import entropy
    >>> {k: round(entropy(v), 3) for k, v in refs.items()}
    {'deterministic': 0.0, 'uniform': 3.0, 'exponential': 3.439}
    """
    edges = bin_edges(bins, range)
    if edges[0] < 0:
        raise ValidationError(
            f"bins must start at 0 s or later for ISI reference distributions (ISIs are "
            f"non-negative); the first edge is {edges[0]!r}", param="bins"
        )
    mu, c = _check_mean(mean_isi, edges)
    n = c.size
    if n == 1:
        one = np.ones(1)
        return {"deterministic": one, "uniform": one.copy(), "exponential": one.copy()}
    span = c[-1] - c[0]
    tol = _MEAN_RTOL * span

    det = deterministic_pmf(mu, edges)

    w = np.diff(edges)
    limit = float(w @ c / w.sum())
    if mu > limit + tol:
        raise ValidationError(
            f"mean_isi={mu!r} s is above {limit:g} s, the largest mean a uniform or "
            "exponential ISI distribution starting at the lower edge can have on these bins "
            "(half the range for equal bins); widen range so the mean lies in its lower half"
        )
    if mu <= c[0] + tol:
        uni = _point_mass(n, 0)
        expo = _point_mass(n, 0)
    elif mu >= limit - tol:
        uni = w / w.sum()
        expo = uni.copy()
    else:
        uni = _uniform_masses(
            brentq(lambda t: float(_uniform_masses(t, edges) @ c) - mu, edges[1], edges[-1],
                   xtol=1e-15 * (edges[-1] - edges[0]), rtol=4 * np.finfo(float).eps),
            edges)
        scale0 = math.log(edges[-1] - edges[0])
        log_s = _solve_increasing(lambda u: float(_exponential_masses(u, edges) @ c) - mu,
                                  scale0 - 5.0, scale0 + 5.0)
        expo = _exponential_masses(log_s, edges)
    return {"deterministic": det, "uniform": uni, "exponential": expo}
