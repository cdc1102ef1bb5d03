"""The ML fits and KS statistics of :func:`cortexkit.isi.fit_all` for many units at once.

Same results as the reference :func:`cortexkit.isi._distributions._fit_flat` (parity test
in ``tests/test_isi_fits.py``), with far fewer passes over the ISIs:

* Sufficient statistics per unit through one cache-sized scratch buffer (sum of x,
  log x, log^2 x, 1/x; no array of log x over all ISIs): every closed-form MLE and
  log-likelihood follows from them (the inverse
  Gaussian's ``sum (x - mu)^2 / x = sum x - 2 n mu + mu^2 sum 1/x``), the gamma shape
  by vectorized Newton on ``log k - digamma(k) = s``.
* The KS statistic ``D = max_i max(F(x_i) - i/n, (i+1)/n - F(x_i))`` (x sorted, 0-based
  i) by bounds instead of the fitted CDF at every ISI: F is evaluated at every
  64th ISI of a unit (and its last), which gives D exactly there and, as F is
  monotone, an upper bound on D inside each stretch between two such points
  (``max(F_right - (i_left + 1)/n, i_right/n - F_left)``).  Only stretches whose bound
  exceeds the unit's best exact value so far are refined (every 16th ISI, then every
  4th and every ISI of the sub-stretches that still can); on ISI data a few percent of
  the ISIs.  The CDFs (``gammainc``, the inverse Gaussian's ``ndtr``/``log_ndtr``) at
  every ISI were two thirds of ``fit_all``'s time.  Strides (64, 16, 4, 1) instead of
  (64, 8, 1): the KS part of ``fit_all`` on 10^7 ISIs of 1000 units 0.30 -> 0.21 s CPU
  (a well-fitting gamma needs most 64-stretches refined; finer levels refine fewer
  points); (128, 32, 8, 1), (96, 24, 6, 1) and (64, 16, 4, 1) were within noise.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import special

from cortexkit._lib._util import offsets_from_counts, unit_index
from cortexkit.isi._distributions import _PARAM_NAMES, _cdf, _gamma_shape

__all__ = ["fit_sorted"]

_STRIDES = (64, 16, 4, 1)  # anchors, then inside stretches that can still hold the max
# (each stride divides the one before it)


def fit_sorted(x: np.ndarray, offsets: np.ndarray, models: tuple[str, ...],
               ks: bool = True) -> dict[str, dict]:
    """Fit ``models`` to every segment of ``x`` (positive, sorted within each non-empty
    segment); the keys of :func:`_fit_flat` without p-values (NaN)."""
    k = offsets.size - 1
    counts = np.diff(offsets)
    n = counts.astype(np.float64)
    starts = offsets[:-1]
    if k == 0:
        return {m: {c: np.zeros(0) for c in (*_PARAM_NAMES[m], "loglik", "aic", "bic",
                                              "ks_stat", "ks_pvalue")} for m in models}
    # (None where no model needs them; Any: each model's branch reads only its own sums)
    s_x, s_l, s_ll, s_i = _unit_sums(x, offsets, "lognormal" in models,
                                     "inverse_gaussian" in models)
    mean = s_x / n
    xmin = x[starts]
    anchors: Any = _anchors(counts, offsets) if ks else None
    out: dict[str, dict] = {}
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for m in models:
            if m == "exponential":
                rate = 1.0 / mean
                ll = n * np.log(rate) - n
                p = {"rate": rate}
            elif m == "exponential_refractory":
                rate = 1.0 / (mean - xmin)
                ll = n * np.log(rate) - n
                p = {"rate": rate, "dead_time": xmin}
            elif m == "lognormal":
                mu = s_l / n
                sigma = np.sqrt(np.maximum(s_ll / n - mu * mu, 0.0))
                ll = -s_l - n * np.log(sigma) - 0.5 * n * np.log(2 * np.pi) - 0.5 * n
                p = {"mu": mu, "sigma": sigma}
            elif m == "inverse_gaussian":
                mu = mean
                lam = 1.0 / (s_i / n - 1.0 / mu)
                q = s_x - 2.0 * n * mu + mu * mu * s_i            # sum (x - mu)^2 / x
                ll = (0.5 * n * np.log(lam / (2 * np.pi)) - 1.5 * s_l
                      - lam * q / (2 * mu ** 2))
                p = {"mean": mu, "shape": lam}
            else:  # gamma
                shape = _gamma_shape(np.log(mean) - s_l / n)
                scale = mean / shape
                ll = ((shape - 1) * s_l - n * mean / scale - n * shape * np.log(scale)
                      - n * special.gammaln(shape))
                p = {"shape": shape, "scale": scale}
            npar = len(_PARAM_NAMES[m])
            d = _ks_bounded(m, x, p, n, anchors) if ks else np.full(k, np.nan)
            out[m] = {**p, "loglik": ll, "aic": 2 * npar - 2 * ll,
                      "bic": npar * np.log(n) - 2 * ll, "ks_stat": d,
                      "ks_pvalue": np.full(k, np.nan)}
    return out


def _unit_sums(x: np.ndarray, offsets: np.ndarray, squares: bool,
               reciprocals: bool) -> tuple[Any, Any, Any, Any]:
    """Per segment: sum of x, of log x, of log^2 x (``squares``) and of 1/x
    (``reciprocals``; else None), unit by unit through one cache-sized scratch buffer:
    no array of log x (or of the squares) over all ISIs, whose 80 MB each on 10^7 ISIs
    cost more in page faults in a fresh process than the sums themselves."""
    k = offsets.size - 1
    s_x, s_l = np.empty(k), np.empty(k)
    s_ll = np.empty(k) if squares else None
    s_i = np.empty(k) if reciprocals else None
    buf = np.empty(max(int(np.diff(offsets).max(initial=0)), 1))
    log, square, reciprocal = np.log, np.square, np.reciprocal
    for j, (a, b) in enumerate(zip(offsets[:-1].tolist(), offsets[1:].tolist(),
                                   strict=True)):
        seg, w = x[a:b], buf[:b - a]
        s_x[j] = seg.sum()
        s_l[j] = log(seg, out=w).sum()
        if s_ll is not None:
            s_ll[j] = square(w, out=w).sum()
        if s_i is not None:
            s_i[j] = reciprocal(seg, out=w).sum()
    return s_x, s_l, s_ll, s_i


def _anchors(counts: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, ...]:
    """Every ``_STRIDES[0]``-th rank of each unit and its last: (element index, rank, unit,
    anchor offsets per unit)."""
    stride = _STRIDES[0]
    n_anchor = np.where(counts > 0, -(-(counts - 1) // stride) + 1, 0)
    a_off = offsets_from_counts(n_anchor)
    unit = unit_index(a_off)
    rank = np.minimum((np.arange(a_off[-1]) - a_off[unit]) * stride, counts[unit] - 1)
    return offsets[unit] + rank, rank, unit, a_off


def _ks_bounded(model: str, x: np.ndarray, p: dict[str, np.ndarray], n: np.ndarray,
                anchors: tuple[np.ndarray, ...]) -> np.ndarray:
    """Exact KS statistic of every unit: the fitted CDF at the anchors, then at every
    ``_STRIDES[1]``-th ISI of the stretches whose bound can beat the unit's best value so
    far, and so on down to every ISI of the sub-stretches that still can.

    The points refined inside the stretches are laid out as rows (one row per stretch,
    one column per new point: ``lo + stride * j``, clipped to the stretch's end), so each
    level is a handful of 2-D array operations; a stretch shorter than the others (a
    unit's last) repeats its end point, which changes no maximum.
    """
    idx, rank, unit, a_off = anchors
    start_of = np.zeros(n.size, dtype=np.int64)
    start_of[unit] = idx - rank                         # first element of each unit

    def cdf_d(ix: np.ndarray, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """F and the KS deviation at the elements ``ix`` (rows x points) of units ``u``."""
        f = _cdf(model, x[ix], None, {k: v[u][:, None] for k, v in p.items()})
        r = (ix - start_of[u][:, None]).astype(np.float64)
        nu = n[u][:, None]
        return f, np.maximum(f - r / nu, (r + 1) / nu - f)

    f, d = cdf_d(idx[:, None], unit)
    f, d = f[:, 0], d[:, 0]
    best = np.maximum.reduceat(d, a_off[:-1])
    # stretches: consecutive anchors (lo, hi) of one unit with elements between them
    lo, hi, u, f_lo, f_hi = idx[:-1], idx[1:], unit[:-1], f[:-1], f[1:]
    keep = (unit[1:] == u) & (hi - lo > 1)
    lo, hi, u, f_lo, f_hi = lo[keep], hi[keep], u[keep], f_lo[keep], f_hi[keep]
    for prev, stride in zip(_STRIDES[:-1], _STRIDES[1:], strict=True):
        nu = n[u]
        r_lo = (lo - start_of[u]).astype(np.float64)
        r_hi = (hi - start_of[u]).astype(np.float64)
        bound = np.maximum(f_hi - (r_lo + 1) / nu, r_hi / nu - f_lo)
        go = bound + 1e-12 > best[u]
        lo, hi, u, f_lo, f_hi = lo[go], hi[go], u[go], f_lo[go], f_hi[go]
        if lo.size == 0:
            break
        pts = np.minimum(lo[:, None] + stride * np.arange(1, prev // stride), hi[:, None])
        fp, dp = cdf_d(pts, u)
        first = np.flatnonzero(np.r_[True, u[1:] != u[:-1]])   # stretches run by unit
        units = u[first]
        best[units] = np.maximum(best[units], np.maximum.reduceat(dp.max(axis=1), first))
        if stride == 1:
            break
        # the sub-stretches [lo, p1], [p1, p2], ..., [pm, hi] of every stretch
        ends = np.column_stack([lo, pts, hi])
        fe = np.column_stack([f_lo, fp, f_hi])
        lo, hi = ends[:, :-1].ravel(), ends[:, 1:].ravel()
        f_lo, f_hi = fe[:, :-1].ravel(), fe[:, 1:].ravel()
        u = np.repeat(u, ends.shape[1] - 1)
        keep = hi - lo > 1
        lo, hi, u, f_lo, f_hi = lo[keep], hi[keep], u[keep], f_lo[keep], f_hi[keep]
    return best
