"""The Nemenman-Shafee-Bialek (NSB) entropy estimator.

Reference: I. Nemenman, F. Shafee, W. Bialek, "Entropy and inference, revisited",
NIPS 14 (2002); I. Nemenman, W. Bialek, R. de Ruyter van Steveninck, Phys. Rev. E 69,
056111 (2004).

For ``K`` bins with counts ``n_i`` (``N = sum n_i``) and a symmetric Dirichlet prior of
concentration ``beta`` on the bin probabilities:

* evidence ``p(n | beta) = Gamma(K beta) / Gamma(N + K beta) * prod_i Gamma(n_i + beta) /
  Gamma(beta)`` (up to a factor that does not depend on ``beta``);
* posterior mean entropy (Wolpert & Wolf 1995), in nats,
  ``E[H | n, beta] = psi(N + K beta + 1) - sum_i (n_i + beta) / (N + K beta) psi(n_i + beta + 1)``;
* prior expected entropy ``xi(beta) = psi(K beta + 1) - psi(beta + 1)``, whose derivative
  ``xi'(beta) = K psi_1(K beta + 1) - psi_1(beta + 1)`` is the NSB prior on ``beta``: it
  makes the induced prior on the entropy nearly flat over ``[0, log K]``.

The estimate is ``int E[H | n, beta] p(n | beta) xi'(beta) d beta`` divided by
``int p(n | beta) xi'(beta) d beta``.  Both integrals are taken over ``t = log beta``
(``d beta = beta dt``): a coarse grid over ``t in [-50, 50]`` locates the region where the
integrand is within ``e^-50`` of its peak, and composite Simpson's rule on 401 points
integrates it there.  The sums over bins run over the distinct count values only.
"""

from __future__ import annotations

import numpy as np
from scipy.special import digamma, gammaln, zeta

_T_COARSE = np.linspace(-50.0, 50.0, 201)
_N_FINE = 401  # odd: composite Simpson


def _simpson_weights(n: int) -> np.ndarray:
    w = np.ones(n)
    w[1:-1:2] = 4.0
    w[2:-1:2] = 2.0
    return w / 3.0
_LOG_CUTOFF = 50.0


def _count_histogram(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, int, float]:
    vals, mult = np.unique(counts, return_counts=True)
    return vals.astype(np.float64), mult.astype(np.float64), counts.size, float(counts.sum())


def _lgamma_diff(x: np.ndarray, a: np.ndarray | float) -> np.ndarray:
    """``log Gamma(x + a) - log Gamma(x)`` without cancellation for large ``x``.

    Direct difference of ``gammaln`` for ``x < 1e4``; above, the difference of the
    Stirling series (terms to ``1/x^3``), whose error is far below double precision there.
    """
    x, a = np.broadcast_arrays(np.asarray(x, dtype=np.float64), np.asarray(a, dtype=np.float64))
    out = np.empty(x.shape)
    small = x < 1e4
    out[small] = gammaln(x[small] + a[small]) - gammaln(x[small])
    xb, ab = x[~small], a[~small]
    y = xb + ab
    out[~small] = ((xb - 0.5) * np.log1p(ab / xb) + ab * np.log(y) - ab
                   - ab / (12.0 * xb * y)
                   + (1.0 / y**3 - 1.0 / xb**3) / 360.0)
    return out


def _log_weight(t: np.ndarray, vals, mult, k: int, n: float) -> np.ndarray:
    """log of p(n | beta) * xi'(beta) * beta at beta = exp(t) (up to a constant)."""
    beta = np.exp(t)[:, None]
    occupied = vals > 0
    v, m = vals[occupied], mult[occupied]
    kb = k * beta[:, 0]
    log_ev = -_lgamma_diff(kb, n) + (m * _lgamma_diff(beta, v)).sum(axis=1)
    # trigamma psi_1(x) = Hurwitz zeta(2, x)
    dxi = k * zeta(2.0, kb + 1.0) - zeta(2.0, beta[:, 0] + 1.0)
    return log_ev + np.log(np.maximum(dxi, np.finfo(float).tiny)) + t


def posterior_mean_entropy(beta: np.ndarray, vals, mult, k: int, n: float) -> np.ndarray:
    """``E[H | n, beta]`` in nats for each ``beta`` (Wolpert & Wolf), count-histogram form."""
    beta = np.asarray(beta, dtype=np.float64)[:, None]
    tot = n + k * beta[:, 0]
    s = (mult * (vals + beta) * digamma(vals + beta + 1.0)).sum(axis=1)
    return digamma(tot + 1.0) - s / tot


def nsb_nats(counts: np.ndarray) -> float:
    """NSB posterior-mean entropy (nats) of one histogram of whole-number counts."""
    counts = np.asarray(counts, dtype=np.float64)
    vals, mult, k, n = _count_histogram(counts)
    if k == 1:
        return 0.0
    lw = _log_weight(_T_COARSE, vals, mult, k, n)
    keep = np.flatnonzero(lw >= lw.max() - _LOG_CUTOFF)
    step = _T_COARSE[1] - _T_COARSE[0]
    t = np.linspace(_T_COARSE[keep[0]] - step, _T_COARSE[keep[-1]] + step, _N_FINE)
    lw = _log_weight(t, vals, mult, k, n)
    w = np.exp(lw - lw.max()) * _simpson_weights(_N_FINE)  # the grid step cancels
    h = posterior_mean_entropy(np.exp(t), vals, mult, k, n)
    return float((w @ h) / w.sum())
