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

import functools

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
    out[~small] = _stirling_diff(x[~small], a[~small])
    return out


def _stirling_diff(xb: np.ndarray, ab: np.ndarray) -> np.ndarray:
    """The large-``x`` branch of :func:`_lgamma_diff` (broadcasting ``xb`` and ``ab``)."""
    y = xb + ab
    return ((xb - 0.5) * np.log1p(ab / xb) + ab * np.log(y) - ab
            - ab / (12.0 * xb * y)
            + (1.0 / y**3 - 1.0 / xb**3) / 360.0)


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


# --- vectorized over histograms -----------------------------------------------------------
#
# ``nsb_nats_rows`` computes the same integrals as ``nsb_nats`` (kept as the reference;
# tests/test_information.py checks 1e-9 agreement on many shapes) for many histograms at
# once, with far fewer special-function evaluations:
#
# 1. A coarse grid (step 1.5 in t = log beta) is shared by all rows, so its count sums
#    come from one table of ``_lgamma_diff`` over the distinct count values of all rows;
#    it gives each row's peak range (where the log-weight is within 36 of its maximum).
# 2. There the log-weight and ``E[H | beta]`` are smooth (analytic in a strip around the
#    real t axis), so they are evaluated exactly at m Chebyshev nodes and interpolated.
#    Rows whose peak ranges overlap (within ``_CLUSTER_SLACK`` of each member's own
#    range) share one span and its nodes, so the terms of each distinct count value are
#    computed once per span, in a (values x nodes) table summed per row by a sparse
#    product: ISI histograms of one population repeat their counts (1000 units: 30000
#    (row, count) pairs, ~2400 distinct values).  m grows with the span's width w
#    (ISI histograms: w = 4 needs 20 nodes, 6-7 need 32, 15-20 need 64, 21-40 need 96
#    for Chebyshev tails below 1e-10): m starts at the first size >= 15 sqrt(w) - 10 and
#    doubles where the last coefficients have not decayed.  The integrals of the
#    interpolants are trapezoid sums (exponentially convergent for such integrands),
#    on twice as many points wherever halving the points changes the estimate by more
#    than 1e-12.
# 3. Rows whose integrand is not smooth there (a few observations in many bins, whose
#    range reaches the far tail where ``xi'`` cancels numerically, or the end of the t
#    range) take the reference's computation itself, vectorized.
# On the Chebyshev nodes, xi' is computed by recurrence + asymptotic series with its
# cancelling terms combined (SciPy's Hurwitz zeta costs ~0.4 us per value and its
# difference is noise at large beta), and gammaln/digamma of counts >= 20 by their series.

_T_PEAK = np.linspace(-50.0, 50.0, 67)  # nsb_nats_rows' grid to find each peak range
_CHEB_SIZES = (20, 24, 32, 48, 64, 96, 128, 192, 256)
_CHEB_TOL = 1e-10
_PEAK_CUTOFF = 36.0
_ROWS_PER_CHUNK = 64


def _lgamma_diff_rows(x: np.ndarray, a: np.ndarray) -> np.ndarray:
    """:func:`_lgamma_diff` for ``x`` (1 or u, g) and ``a`` (u, 1): each branch only where
    it applies."""
    if x.shape[0] == 1 and a.shape[1] == 1:    # one row of x for a column of a (the
        big1 = x[0] >= 1e4                       # coarse grid): gammaln(x) once per column
        out = np.empty((a.shape[0], x.shape[1]))
        xs = x[:, ~big1]
        out[:, ~big1] = _gammaln_fast(xs + a) - gammaln(xs)
        out[:, big1] = _stirling_diff(x[:, big1], a)
        return out
    x, a = np.broadcast_arrays(x, a)
    big = x >= 1e4
    if big.all():
        return _stirling_diff(x, a)
    if not big.any():
        return _gammaln_fast(x + a) - gammaln(x)
    out = np.empty(x.shape)
    xs, as_ = x[~big], a[~big]
    out[~big] = _gammaln_fast(xs + as_) - gammaln(xs)
    out[big] = _stirling_diff(x[big], a[big])
    return out


def _dxi(beta: np.ndarray, k: int) -> np.ndarray:
    """``xi'(beta) = k psi_1(k beta + 1) - psi_1(beta + 1)`` without the cancellation of
    the two ~1/beta terms at large beta (6 recurrence steps, then the asymptotic series,
    relative error < 1e-10 from 7 on, with its leading terms combined exactly): smooth
    where the reference's difference is noise."""
    out = np.zeros(beta.shape)
    yk = k * beta + 1.0
    y1 = beta + 1.0
    for _ in range(6):
        out += k / (yk * yk) - 1.0 / (y1 * y1)
        yk += 1.0
        y1 += 1.0
    out += 7.0 * (k - 1) / (yk * y1)             # k / yk - 1 / y1, exactly
    for y, f in ((yk, float(k)), (y1, -1.0)):
        r = 1.0 / y
        r2 = r * r
        out += f * r2 * (0.5 + r * (1.0 / 6.0 + r2 * (-1.0 / 30.0 + r2 * (
            1.0 / 42.0 + r2 * (-1.0 / 30.0 + r2 * (5.0 / 66.0))))))
    return out


_ASYM_MIN = 20.0  # from here on the asymptotic series below are exact to < 1e-16


def _gammaln_fast(x: np.ndarray) -> np.ndarray:
    """``gammaln(x)``: Stirling's series (NumPy's SIMD log) for ``x >= 20``, SciPy below."""
    r = 1.0 / x
    r2 = r * r
    out = (x - 0.5) * np.log(x) - x + 0.5 * np.log(2.0 * np.pi) + r * (
        1.0 / 12.0 + r2 * (-1.0 / 360.0 + r2 * (1.0 / 1260.0 + r2 * (
            -1.0 / 1680.0 + r2 * (1.0 / 1188.0)))))
    small = x < _ASYM_MIN
    if small.any():
        out[small] = gammaln(x[small])
    return out


def _gammaln_digamma1(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``gammaln(x)`` and ``digamma(x + 1)`` sharing one log: Stirling's series and
    ``psi(x + 1) = psi(x) + 1 / x`` with psi's asymptotic series for ``x >= 20`` (to the
    x^-7 / x^-8 terms: error < 2e-15 there), SciPy below."""
    lx = np.log(x)
    r = 1.0 / x
    r2 = r * r
    lg = (x - 0.5) * lx - x + 0.5 * np.log(2.0 * np.pi) + r * (
        1.0 / 12.0 + r2 * (-1.0 / 360.0 + r2 * (1.0 / 1260.0 - r2 / 1680.0)))
    dg = lx + 0.5 * r - r2 * (1.0 / 12.0 + r2 * (-1.0 / 120.0 + r2 * (
        1.0 / 252.0 - r2 / 240.0)))
    small = x < _ASYM_MIN
    if small.any():
        xs = x[small]
        lg[small] = gammaln(xs)
        dg[small] = digamma(xs + 1.0)
    return lg, dg


def _row_histograms(c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct counts of every row and their multiplicities, padded with (0, 0)."""
    u, k = c.shape
    s = np.sort(c, axis=1)
    first = np.ones(s.shape, dtype=bool)
    first[:, 1:] = s[:, 1:] != s[:, :-1]
    rank = np.cumsum(first, axis=1) - 1
    d = int(rank[:, -1].max()) + 1
    idx = (np.arange(u)[:, None] * d + rank).ravel()
    mult = np.bincount(idx, minlength=u * d).reshape(u, d).astype(np.float64)
    vals = np.zeros(u * d)
    vals[idx] = s.ravel()
    return vals.reshape(u, d), mult


def _log_weight_and_h(t: np.ndarray, vals: np.ndarray, mult: np.ndarray, k: int,
                      n: np.ndarray, exact: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_log_weight` and :func:`posterior_mean_entropy` for rows: ``t`` (u, g),
    ``vals``/``mult`` (u, d), ``n`` (u,).  ``exact``: SciPy's gammaln, digamma and zeta
    everywhere, as the reference."""
    beta = np.exp(t)
    kb = k * beta
    vb = vals[:, None, :] + beta[:, :, None]
    if exact:
        lg = gammaln(vb)
        lg -= gammaln(beta)[:, :, None]
        dg = digamma(vb + 1.0)
    else:
        lg, dg = _gammaln_digamma1(vb)
        lg -= gammaln(beta)[:, :, None]
    big = beta >= 1e4
    if big.any():
        ui, gi = np.nonzero(big)
        lg[ui, gi] = _stirling_diff(beta[ui, gi][:, None], vals[ui])
    log_ev = np.einsum("ugd,ud->ug", lg, mult)
    log_ev -= (_lgamma_diff(kb, n[:, None]) if exact else _lgamma_diff_rows(kb, n[:, None]))
    if exact:
        dxi = k * zeta(2.0, kb + 1.0) - zeta(2.0, beta + 1.0)
    else:
        dxi = _dxi(beta, k)
    lw = log_ev + np.log(np.maximum(dxi, np.finfo(float).tiny)) + t
    tot = n[:, None] + kb
    vb *= dg
    h = digamma(tot + 1.0) - np.einsum("ugd,ud->ug", vb, mult) / tot
    return lw, h


def _keep_range(lw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The reference's integration range of every row from its coarse log-weight."""
    keep = lw >= lw.max(axis=1, keepdims=True) - _LOG_CUTOFF
    g = lw.shape[1]
    step = _T_COARSE[1] - _T_COARSE[0]
    lo = _T_COARSE[np.argmax(keep, axis=1)] - step
    hi = _T_COARSE[g - 1 - np.argmax(keep[:, ::-1], axis=1)] + step
    return lo, hi


def _peak_range(lw: np.ndarray, grid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Around each row's peak, the contiguous coarse-grid span within e^-36 of it, from
    the last point below to the first point below.  What lies outside carries < 1e-14 of
    the integrals (isolated points of numerical noise in the reference's far tail, and
    its e^-50..e^-36 margins, included)."""
    g = lw.shape[1]
    idx = np.arange(g)
    peak = np.argmax(lw, axis=1)[:, None]
    below = lw < lw.max(axis=1, keepdims=True) - _PEAK_CUTOFF
    left = np.where(below & (idx < peak), idx, 0).max(axis=1)
    right = np.where(below & (idx > peak), idx, g - 1).min(axis=1)
    return grid[left], grid[right]


def _coarse_log_weight(vals: np.ndarray, mult: np.ndarray, k: int, n: np.ndarray,
                       grid: np.ndarray = _T_COARSE) -> np.ndarray:
    """Log-weight of every row on a grid shared by all rows (default the reference's
    coarse grid ``_T_COARSE``): rows x grid points."""
    distinct, inv = np.unique(vals, return_inverse=True)
    beta = np.exp(grid)
    big = beta >= 1e4
    table = np.empty((distinct.size, beta.size))                      # (V, 201)
    table[:, ~big] = _gammaln_fast(beta[None, ~big] + distinct[:, None]) - gammaln(beta[~big])
    table[:, big] = _stirling_diff(beta[None, big], distinct[:, None])
    from scipy.sparse import csr_matrix  # (loaded with scipy.optimize, _reference's)

    u, d = vals.shape
    # sum over each row's distinct counts of the table rows: a sparse (rows x V, d
    # entries per row) times dense (V x 201) product, SciPy's CSR loop: no rows x d x 201
    # gather (2.6x slower on 1000 ISI histograms; a dense BLAS product would be 98% zeros,
    # and its threads stall on a busy machine)
    rows = csr_matrix((mult.ravel(), inv.ravel(), np.arange(0, u * d + 1, d)),
                      shape=(u, distinct.size))
    log_ev = np.asarray(rows @ table)
    log_ev -= _lgamma_diff_rows(k * beta[None, :], n[:, None])
    dxi = k * zeta(2.0, k * beta + 1.0) - zeta(2.0, beta + 1.0)       # the reference's
    return log_ev + (np.log(np.maximum(dxi, np.finfo(float).tiny)) + grid)


def _cheb_matrices(m: int) -> tuple[np.ndarray, np.ndarray]:
    """Chebyshev nodes on [-1, 1] and the (coefficients x nodes) values->coefficients
    matrix."""
    j = np.arange(m)
    x = np.cos(np.pi * (j + 0.5) / m)
    to_coef = (2.0 / m) * np.cos(np.pi * np.outer(j, j + 0.5) / m)   # (coefs, nodes)
    to_coef[0] *= 0.5
    return x, to_coef


@functools.cache
def _cheb(m: int) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_cheb_matrices`, computed once per m (read-only: shared by every call)."""
    x, to_coef = _cheb_matrices(m)
    return _readonly(x), _readonly(to_coef)


def _readonly(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


_SIMPSON = _simpson_weights(_N_FINE)


def _simpson_mean(lw: np.ndarray, h: np.ndarray) -> np.ndarray:
    w = np.exp(lw - lw.max(axis=1, keepdims=True)) * _SIMPSON
    return (w * h).sum(axis=1) / w.sum(axis=1)


def _chunk_rows(vals, mult, rows):
    """The rows' distinct counts and multiplicities without all-padding columns."""
    d = max(int((mult[rows] > 0).sum(axis=1).max()), 1)
    keep = np.argsort(mult[rows] == 0, axis=1, kind="stable")[:, :d]
    return (np.take_along_axis(vals[rows], keep, axis=1),
            np.take_along_axis(mult[rows], keep, axis=1))


def _shared_log_weight_and_h(t: np.ndarray, vals: np.ndarray, mult: np.ndarray, k: int,
                             n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_log_weight_and_h` (fast branch) for rows that share the nodes ``t`` (g,):
    the terms of each distinct count value are computed once, in a (values x g) table,
    and summed per row by a sparse (rows x values) product."""
    from scipy.sparse import csr_matrix  # (loaded with scipy.optimize, _reference's)

    beta = np.exp(t)
    occ = mult > 0
    distinct, inv = np.unique(vals[occ], return_inverse=True)
    vb = distinct[:, None] + beta                                    # (V, g)
    lg, dg = _gammaln_digamma1(vb)
    lg -= gammaln(beta)
    big = beta >= 1e4
    if big.any():
        lg[:, big] = _stirling_diff(beta[big], distinct[:, None])
    vb *= dg
    u = vals.shape[0]
    indptr = np.zeros(u + 1, dtype=np.int64)
    np.cumsum(occ.sum(axis=1), out=indptr[1:])
    rows = csr_matrix((mult[occ], inv.ravel(), indptr), shape=(u, distinct.size))
    kb = k * beta
    log_ev = np.asarray(rows @ lg)
    log_ev -= _lgamma_diff_rows(kb[None, :], n[:, None])
    log_ev += np.log(np.maximum(_dxi(beta, k), np.finfo(float).tiny)) + t
    tot = n[:, None] + kb
    h = digamma(tot + 1.0) - np.asarray(rows @ vb) / tot
    return log_ev, h


_TRAP_PER_WIDTH = 32.0  # starting trapezoid points per (cluster span / narrowest row range)
_CLUSTER_SLACK = 6.0


@functools.cache
def _trapezoid(m: int, p: int) -> tuple[np.ndarray, np.ndarray]:
    """The matrix evaluating an m-term Chebyshev series at p equispaced points of [-1, 1],
    and the trapezoid weights there (computed once per (m, p); read-only)."""
    ev = np.polynomial.chebyshev.chebvander(np.linspace(-1.0, 1.0, p), m - 1)
    w = np.ones(p)
    w[[0, -1]] = 0.5
    return _readonly(ev), _readonly(w)


def _matmul_t(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b.T`` in row blocks small enough for OpenBLAS to run single-threaded (its
    threads stall on a busy machine; NumPy's einsum loops are ~10x slower)."""
    step = max(1, (1 << 17) // max(1, b.shape[0] * b.shape[1]))
    if a.shape[0] <= step:
        return a @ b.T
    return np.concatenate([a[i:i + step] @ b.T for i in range(0, a.shape[0], step)])


def _trapezoid_mean(c_lw: np.ndarray, c_h: np.ndarray, p: int) -> np.ndarray:
    """``int exp(lw) h / int exp(lw)`` from Chebyshev coefficients, by the trapezoid rule
    on p points, doubled where it differs from the rule on every other point by more
    than 1e-12 (its error falls at least as the square of that difference's); NaN where
    2049 points do not reach that."""
    m = c_lw.shape[1]
    out = np.full(c_lw.shape[0], np.nan)
    todo = np.arange(c_lw.shape[0])
    while p <= 2049 and todo.size:
        ev, wt = _trapezoid(m, p)
        flw = _matmul_t(c_lw[todo], ev)
        wgt = np.exp(flw - flw.max(axis=1, keepdims=True))
        fh = _matmul_t(c_h[todo], ev)
        wh = wgt * fh
        est = (wh @ wt) / (wgt @ wt)
        w2 = wt[::2].copy()
        w2[[0, -1]] = 0.5
        half = (wh[:, ::2] @ w2) / (wgt[:, ::2] @ w2)
        good = np.abs(est - half) <= 1e-12
        out[todo[good]] = est[good]
        todo = todo[~good]
        p = 2 * p - 1
    return out


def _nsb_cluster(vals, mult, k, n, plo, phi) -> tuple[np.ndarray, np.ndarray]:
    """Rows whose peak ranges lie in one span ``[min plo, max phi]`` share its Chebyshev
    nodes; their integrals by the trapezoid rule on the interpolants (exponentially
    convergent: the integrand is analytic and < e^-36 of its peak at the span's ends).
    Returns (estimates, converged rows)."""
    lo, hi = plo.min(), phi.max()
    sizes = np.asarray(_CHEB_SIZES)
    m0 = int(sizes[min(int(np.searchsorted(sizes, 15.0 * np.sqrt(hi - lo) - 10.0)),
                       sizes.size - 1)])
    p = int(np.ceil(_TRAP_PER_WIDTH * (hi - lo) / (phi - plo).min() / 32.0)) * 32 + 1
    p = min(max(p, 65), 1025)
    u = vals.shape[0]
    out = np.full(u, np.nan)
    todo = np.arange(u)
    for m in (m0, 2 * m0):
        x, to_coef_t = _cheb(m)
        t = 0.5 * (hi + lo) + 0.5 * (hi - lo) * x
        lw, h = _shared_log_weight_and_h(t, vals[todo], mult[todo], k, n[todo])
        # small products: NumPy's own loops, not BLAS (whose threads stall on a busy machine)
        c_lw = _matmul_t(lw, to_coef_t)
        c_h = _matmul_t(h, to_coef_t)
        scale = 1.0 + np.abs(lw - lw.max(axis=1, keepdims=True)).max(axis=1)
        tail_lw = np.abs(c_lw[:, -3:]).max(axis=1)
        tail_h = np.abs(c_h[:, -3:]).max(axis=1)
        ok = (np.isfinite(tail_lw) & (tail_lw <= _CHEB_TOL * scale)
              & (tail_h <= _CHEB_TOL))
        if ok.any():
            out[todo[ok]] = _trapezoid_mean(c_lw[ok], c_h[ok], p)
        todo = todo[~ok]
        if todo.size == 0:
            break
    return out, np.isfinite(out)


def _clusters(plo: np.ndarray, phi: np.ndarray, rows: np.ndarray) -> list[np.ndarray]:
    """Split rows into runs, by the start of their peak range, whose common span exceeds
    no member's own range by more than ``_CLUSTER_SLACK`` (a wider span needs more
    Chebyshev nodes: the log-weight falls steeply beyond a row's range)."""
    order = rows[np.lexsort((phi[rows], plo[rows]))]
    out, start, top, narrow = [], 0, -np.inf, np.inf
    for i, r in enumerate(order):
        t, nw = max(top, phi[r]), min(narrow, phi[r] - plo[r])
        if i > start and t - plo[order[start]] > nw + _CLUSTER_SLACK:
            out.append(order[start:i])
            start, t, nw = i, phi[r], phi[r] - plo[r]
        top, narrow = t, nw
    out.append(order[start:])
    return out


def nsb_nats_rows(counts: np.ndarray) -> np.ndarray:
    """NSB posterior-mean entropy (nats) of every row of a 2-D array of whole-number counts
    (rows with at least one observation); equal to ``[nsb_nats(r) for r in counts]``."""
    c = np.asarray(counts, dtype=np.float64)
    u, k = c.shape
    out = np.zeros(u)
    if k == 1 or u == 0:
        return out
    vals, mult = _row_histograms(c)
    n = c.sum(axis=1)
    lw_coarse = _coarse_log_weight(vals, mult, k, n, _T_PEAK)
    plo, phi = _peak_range(lw_coarse, _T_PEAK)
    top = lw_coarse.max(axis=1) - _LOG_CUTOFF
    exact = (lw_coarse[:, 0] >= top) | (lw_coarse[:, -1] >= top)   # weight at a t end
    d_rows = (mult > 0).sum(axis=1)
    sizes = np.asarray(_CHEB_SIZES)
    need = 15.0 * np.sqrt(phi - plo) - 10.0
    m0 = sizes[np.minimum(np.searchsorted(sizes, need), sizes.size - 1)]
    order = np.lexsort((d_rows, m0))             # chunks of one node count and similar d
    smooth = order[~exact[order]]
    for m in np.unique(m0[smooth]):
        for rows in _clusters(plo, phi, smooth[m0[smooth] == m]):
            est, ok = _nsb_cluster(vals[rows], mult[rows], k, n[rows], plo[rows], phi[rows])
            out[rows[ok]] = est[ok]
            exact[rows[~ok]] = True
    order = np.argsort(d_rows, kind="stable")
    rest = order[exact[order]]
    if rest.size == 0:
        return out
    lo, hi = np.zeros(u), np.zeros(u)       # the reference's range, from its coarse grid
    lo[rest], hi[rest] = _keep_range(_coarse_log_weight(vals[rest], mult[rest], k, n[rest]))
    frac = np.linspace(0.0, 1.0, _N_FINE)
    for a in range(0, rest.size, _ROWS_PER_CHUNK):
        rows = rest[a:a + _ROWS_PER_CHUNK]
        v, mlt = _chunk_rows(vals, mult, rows)
        t = lo[rows, None] + (hi - lo)[rows, None] * frac
        lw, h = _log_weight_and_h(t, v, mlt, k, n[rows], exact=True)
        out[rows] = _simpson_mean(lw, h)
    return out
