"""Compiled LIF kernels (numba), imported only when :func:`cortexkit.lif.simulate` runs.

Layout: ``simulate_range`` advances one contiguous range of neurons and releases the GIL
(``nogil=True``); ``simulate`` runs one range per core in a thread pool, so the cores
never synchronise inside the time loop.  Without noise one call covers all steps; with
noise, each thread alternates ``fill_noise`` (a block of a few steps, < 1 MB) and
``simulate_range`` on that block, so the noise kernel is compiled only when used.

Within a range, time is cut into blocks and neurons into chunks that fit in L1 cache;
for each chunk the time loop runs over the block with the neurons innermost (one
SIMD-friendly pass per step over a contiguous slice of ``v``).  Spikes are appended to a
growing (neuron, step) buffer, so memory grows with neurons and spikes, never with
steps.  (A ``parallel=True`` / ``prange`` version of the same loops took > 30 s to
compile cold, against a few seconds for this one, with no gain at run time.)

Noise comes from the counter-based ziggurat of ``_rng.py`` (the same numbers on any
number of threads).  The update uses exactly the arithmetic of the NumPy reference (no
fastmath: no FMA contraction or reassociation), so both give identical spikes for
identical input.
"""

from __future__ import annotations

import numba
import numpy as np

from cortexkit.lif._rng import _R_TAIL, GOLDEN, MUL1, MUL2

_G = np.uint64(GOLDEN)
_M1 = np.uint64(MUL1)
_M2 = np.uint64(MUL2)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_S12 = np.uint64(12)
_S8 = np.uint64(8)
_ONE = np.uint64(1)
_FF = np.uint64(0xFF)
_U53 = 2.0**-53


@numba.njit(cache=True)
def _mix(z):  # pragma: no cover - compiled
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@numba.njit(cache=True)
def _fill_normals(z, m, key, key2, ctr0, kt, wt, ft):  # pragma: no cover - compiled
    """z[i] = normal(ctr0 + i) for i < m: the ziggurat of ``_rng.normal_py``, compiled."""
    for i in range(m):
        ctr = ctr0 + np.uint64(i)
        r = _mix(key + ctr * _G)
        idx = np.intp(r & _FF)
        j = r >> _S12
        if j < kt[idx]:  # fast path, 98.8 %
            x = np.float64(j) * wt[idx]
            z[i] = -x if (r >> _S8) & _ONE else x
            continue
        s = _mix(key2 + ctr * _G)  # rejection stream of this counter
        while True:
            idx = np.intp(r & _FF)
            neg = (r >> _S8) & _ONE
            j = r >> _S12
            x = np.float64(j) * wt[idx]
            if j < kt[idx]:
                break
            if idx == 0:  # tail beyond R
                while True:
                    s += _G
                    u1 = np.float64((_mix(s) >> _S11) + _ONE) * _U53
                    s += _G
                    u2 = np.float64((_mix(s) >> _S11) + _ONE) * _U53
                    xx = -np.log(u1) / _R_TAIL
                    yy = -np.log(u2)
                    if yy + yy > xx * xx:
                        break
                x = _R_TAIL + xx
                break
            s += _G
            u = np.float64((_mix(s) >> _S11) + _ONE) * _U53
            if ft[idx] + u * (ft[idx - 1] - ft[idx]) < np.exp(-0.5 * x * x):
                break
            s += _G
            r = _mix(s)
        z[i] = -x if neg else x


@numba.njit(cache=True, nogil=True)
def fill_noise(z, n, i0, k0, key, key2, kt, wt, ft):  # pragma: no cover - compiled
    """z[k - k0, i - i0] = normal(counter k * n + i) for a block of steps and neurons."""
    un = np.uint64(n)
    for kk in range(z.shape[0]):
        _fill_normals(z[kk], z.shape[1], key, key2,
                      np.uint64(k0 + kk) * un + np.uint64(i0), kt, wt, ft)


@numba.njit(cache=True)
def normals(n, key, key2, ctr0, kt, wt, ft):  # pragma: no cover - compiled
    """``n`` consecutive samples starting at counter ``ctr0`` (for tests)."""
    z = np.empty(n)
    _fill_normals(z, n, np.uint64(key), np.uint64(key2), np.uint64(ctr0), kt, wt, ft)
    return z


@numba.njit(cache=True, nogil=True)
def _record(flag, words, m, n_fired, vv, rr, V_reset, ref_steps, i0, k, out_i, out_k,
            total):  # pragma: no cover - compiled
    """Reset, clamp and record the ``n_fired`` neurons flagged at step k.

    Flags are scanned 8 at a time and the scan stops at the last spike. The caller
    guarantees room for ``m`` more spikes in ``out_i`` / ``out_k``.
    """
    end = total + n_fired
    for w in range((m + 7) // 8):
        if words[w] != 0:
            for ii in range(8 * w, min(8 * w + 8, m)):
                if flag[ii]:
                    vv[ii] = V_reset
                    rr[ii] = ref_steps
                    out_i[total] = i0 + ii
                    out_k[total] = k
                    total += 1
            if total == end:
                break
    return total


@numba.njit(cache=True, nogil=True)
def _grow(out_i, out_k, total, need):  # pragma: no cover - compiled
    cap = out_i.shape[0]
    while cap < need:
        cap *= 2
    ni = np.empty(cap, np.int32)
    nk = np.empty(cap, np.int32)
    for p in range(total):  # loops: slice assignment compiles slowly
        ni[p] = out_i[p]
        nk[p] = out_k[p]
    return ni, nk


@numba.njit(cache=True, nogil=True)
def simulate_range(i_start, i_stop, k_start, k_stop, cur, offset, v, ref, c1, c0, ci,
                   V_reset, V_th, ref_steps, record_v, v_rec, chunk,
                   block):  # pragma: no cover - compiled
    """Advance neurons ``i_start <= i < i_stop`` over steps ``k_start <= k < k_stop``.

    Input shared by all neurons (``cur`` of shape (1, n_steps)), no noise: the fast path.
    The update of both integration schemes is ``V <- c1 V + (ci cur[k] + g_i)`` with
    ``g_i = c0 + ci offset[i]`` (see ``_simulate.coefficients``). ``v`` and ``ref``
    (membrane potential, remaining refractory steps) hold the state of the range and are
    updated in place. Returns (neuron, step) of every spike; the spike detected at step
    k happens at (k + 1) dt. Neurons are processed in chunks of ``chunk`` over blocks of
    ``block`` steps so the state of a chunk stays in L1 cache; the innermost loop is one
    fused pass over the chunk (SIMD).
    """
    refr = ref_steps > 0
    one = np.int32(1)
    zero = np.int32(0)
    m_all = i_stop - i_start
    g = np.empty(m_all)
    for i in range(m_all):
        g[i] = c0 + ci * offset[i_start + i]
    flag = np.zeros(8 * ((chunk + 7) // 8), np.uint8)
    words = flag.view(np.uint64)
    out_i = np.empty(m_all + 1024, np.int32)
    out_k = np.empty(m_all + 1024, np.int32)
    total = 0
    for b0 in range(k_start, k_stop, block):
        b1 = min(b0 + block, k_stop)
        for c0_ in range(0, m_all, chunk):
            m = min(c0_ + chunk, m_all) - c0_
            i0 = i_start + c0_
            vv = v[c0_:c0_ + m]
            rr = ref[c0_:c0_ + m]
            gg = g[c0_:c0_ + m]
            for w in range(words.shape[0]):  # (a loop: slice assignment compiles slowly)
                words[w] = 0
            if total + m * (b1 - b0) > out_i.shape[0]:  # room for every possible spike
                out_i, out_k = _grow(out_i, out_k, total, total + m * (b1 - b0))
            for k in range(b0, b1):
                if record_v:
                    for ii in range(m):
                        v_rec[i0 + ii, k] = vv[ii]
                # one fused pass per step (SIMD): update, refractory hold and countdown,
                # threshold flags (strict V > V_th)
                h = ci * cur[0, k]
                n_fired = 0
                if refr:
                    for ii in range(m):
                        vo = vv[ii]
                        r = rr[ii]
                        vn = c1 * vo + (h + gg[ii])  # computed unconditionally so
                        vn = vn if r == 0 else vo  # that the select vectorizes
                        vv[ii] = vn
                        rr[ii] = max(r - one, zero)
                        sp = vn > V_th
                        flag[ii] = sp
                        n_fired += sp
                else:
                    for ii in range(m):
                        vn = c1 * vv[ii] + (h + gg[ii])
                        vv[ii] = vn
                        sp = vn > V_th
                        flag[ii] = sp
                        n_fired += sp
                if n_fired > 0:
                    total = _record(flag, words, m, n_fired, vv, rr, V_reset, ref_steps, i0,
                                    k, out_i, out_k, total)
    return out_i[:total], out_k[:total]


@numba.njit(cache=True, nogil=True)
def simulate_range_general(i_start, i_stop, k_start, k_stop, cur, offset, z, v, ref, c1, c0,
                           ci, cn, V_reset, V_th, ref_steps, record_v, v_rec, chunk,
                           block):  # pragma: no cover - compiled
    """:func:`simulate_range` with white noise and/or one input row per neuron.

    ``cur`` is (1, n_steps) or (n, n_steps); ``z`` is the standard-normal noise of the
    block, ``z[k - k_start, i - i_start]`` (unused when ``cn == 0``); the update is
    ``V <- c1 V + ((ci cur[k] + g_i) + cn z)``.
    """
    shared = cur.shape[0] == 1
    noisy = cn != 0.0
    one = np.int32(1)
    zero = np.int32(0)
    m_all = i_stop - i_start
    g = np.empty(m_all)
    for i in range(m_all):
        g[i] = c0 + ci * offset[i_start + i]
    flag = np.zeros(8 * ((chunk + 7) // 8), np.uint8)
    words = flag.view(np.uint64)
    out_i = np.empty(m_all + 1024, np.int32)
    out_k = np.empty(m_all + 1024, np.int32)
    total = 0
    for b0 in range(k_start, k_stop, block):
        b1 = min(b0 + block, k_stop)
        for c0_ in range(0, m_all, chunk):
            m = min(c0_ + chunk, m_all) - c0_
            i0 = i_start + c0_
            vv = v[c0_:c0_ + m]
            rr = ref[c0_:c0_ + m]
            gg = g[c0_:c0_ + m]
            for w in range(words.shape[0]):  # (a loop: slice assignment compiles slowly)
                words[w] = 0
            if total + m * (b1 - b0) > out_i.shape[0]:  # room for every possible spike
                out_i, out_k = _grow(out_i, out_k, total, total + m * (b1 - b0))
            for k in range(b0, b1):
                if record_v:
                    for ii in range(m):
                        v_rec[i0 + ii, k] = vv[ii]
                n_fired = 0
                if shared:  # shared input plus white noise (SIMD)
                    h = ci * cur[0, k]
                    zk = z[k - k_start, c0_:c0_ + m]
                    for ii in range(m):
                        vo = vv[ii]
                        r = rr[ii]
                        vn = c1 * vo + ((h + gg[ii]) + cn * zk[ii])
                        vn = vn if r == 0 else vo
                        vv[ii] = vn
                        rr[ii] = max(r - one, zero)
                        sp = vn > V_th
                        flag[ii] = sp
                        n_fired += sp
                else:  # one input row per neuron
                    for ii in range(m):
                        d = ci * cur[i0 + ii, k] + gg[ii]
                        if noisy:
                            d = d + cn * z[k - k_start, c0_ + ii]
                        vo = vv[ii]
                        r = rr[ii]
                        vn = c1 * vo + d
                        vn = vn if r == 0 else vo
                        vv[ii] = vn
                        rr[ii] = max(r - one, zero)
                        sp = vn > V_th
                        flag[ii] = sp
                        n_fired += sp
                if n_fired > 0:
                    total = _record(flag, words, m, n_fired, vv, rr, V_reset, ref_steps, i0,
                                    k, out_i, out_k, total)
    return out_i[:total], out_k[:total]
