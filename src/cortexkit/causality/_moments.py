"""Clamp moments: what the perturbation estimators need from an all-clamped run.

When neuron ``j`` is clamped on every even step ``t`` (with ``t + 1 < T``), both
perturbation estimators are functions of a few sums over the ``N`` clamped transitions,
with ``c_j = x_j[t]`` (the clamp value, 0 or 1) and ``y_i = x_i[t + 1]`` (the outcome):

* ``s_cy[i, j] = sum_t y_i c_j`` — one matrix product ``Y.T @ C``;
* ``s_c[j] = sum_t c_j``, ``s_y[i] = sum_t y_i`` and ``s_yy[i] = sum_t y_i^2``.

``"perturbation"`` (difference in means) is ``s_cy / s_c - (s_y - s_cy) / (N - s_c)``;
``"perturbation_corr"`` (Pearson r) is ``(s_cy / N - ybar cbar) / (sd_y sd_c)``.
:func:`moments_from_activity` takes these sums from a stored run blockwise, on strided
views of the time-major activity (BLAS reads them with a leading dimension of ``2 n``: no
copy); :func:`cortexkit.causality.simulate` with ``record="moments"`` accumulates them
while simulating and stores nothing else.  The masked-product estimators in
:mod:`cortexkit.causality._estimate` are the reference (``tests/test_causality.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["ClampMoments", "moments_from_activity", "perturbation_from_moments",
           "corr_from_moments"]

_BLOCK = 8192  # clamped transitions per partial product (partials summed in float64)


@dataclass(frozen=True, eq=False)
class ClampMoments:
    """Sums over the clamped transitions of an all-clamped run (see the module notes).

    Attributes
    ----------
    n : int
        Number of clamped transitions ``N`` (even steps t with t + 1 < T).
    s_cy : ndarray, shape (n_neurons, n_neurons)
        ``sum_t x_i[t+1] x_j[t]`` at ``[i, j]``.
    s_c, s_y, s_yy : ndarray, shape (n_neurons,)
        ``sum_t x_j[t]``, ``sum_t x_i[t+1]`` and ``sum_t x_i[t+1]^2``.
    """

    n: int
    s_cy: np.ndarray
    s_c: np.ndarray
    s_y: np.ndarray
    s_yy: np.ndarray

    def select(self, obs: np.ndarray, src: np.ndarray) -> ClampMoments:
        """The moments of effects ``obs`` (rows) and causes ``src`` (columns)."""
        return ClampMoments(self.n, self.s_cy[np.ix_(obs, src)], self.s_c[src],
                            self.s_y[obs], self.s_yy[obs])


class MomentAccumulator:
    """Running :class:`ClampMoments` over chunks of (clamp pattern, outcome) rows."""

    def __init__(self, n_out: int, n_src: int) -> None:
        self.n = 0
        self.s_cy = np.zeros((n_out, n_src))
        self.s_c = np.zeros(n_src)
        self.s_y = np.zeros(n_out)
        self.s_yy = np.zeros(n_out)

    def add(self, c: np.ndarray, y: np.ndarray) -> None:
        """Add rows ``c`` (k, n_src) of clamp values and ``y`` (k, n_out) of outcomes."""
        if c.shape[0] == 0:
            return
        self.n += c.shape[0]
        self.s_cy += y.T @ c        # BLAS in the run's dtype, summed here in float64
        self.s_c += c.sum(axis=0, dtype=np.float64)
        self.s_y += y.sum(axis=0, dtype=np.float64)
        self.s_yy += np.einsum("ij,ij->j", y, y, dtype=np.float64)

    def result(self) -> ClampMoments:
        return ClampMoments(self.n, self.s_cy, self.s_c, self.s_y, self.s_yy)


def moments_from_activity(act_tm: np.ndarray, obs: np.ndarray, src: np.ndarray) -> ClampMoments:
    """:class:`ClampMoments` of a stored run whose ``src`` neurons are clamped on every
    even step; ``act_tm`` is the time-major (T, n) activity.  All neurons: strided views
    only (no copy of the activity); subsets: copies of one block at a time."""
    T, n = act_tm.shape
    all_obs = obs.size == n
    all_src = src.size == n
    acc = MomentAccumulator(obs.size, src.size)
    for start in range(0, T - 1, 2 * _BLOCK):
        stop = min(start + 2 * _BLOCK, T - 1)
        c = act_tm[start:stop:2]
        y = act_tm[start + 1:stop + 1:2]
        acc.add(c if all_src else c[:, src], y if all_obs else y[:, obs])
    return acc.result()


def perturbation_from_moments(m: ClampMoments) -> np.ndarray:
    """Difference in mean outcome between clamp 1 and clamp 0 (NaN without both)."""
    n1 = m.s_c
    n0 = m.n - n1
    ok = (n1 > 0) & (n0 > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        est = m.s_cy / n1 - (m.s_y[:, None] - m.s_cy) / n0
    est[:, ~ok] = np.nan
    return est


def corr_from_moments(m: ClampMoments) -> np.ndarray:
    """Pearson r between clamp value and outcome over the clamped transitions."""
    N = float(m.n)
    cbar = m.s_c / N
    ybar = m.s_y / N
    var_c = m.s_c / N - cbar * cbar          # clamp values are 0/1: c^2 = c
    var_y = m.s_yy / N - ybar * ybar
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = m.s_cy / N - ybar[:, None] * cbar[None, :]
        r = cov / np.sqrt(var_y[:, None] * var_c[None, :])
    r[:, ~(var_c > 0) | (N < 2)] = np.nan
    r[~(var_y > 0)] = np.nan
    return r
