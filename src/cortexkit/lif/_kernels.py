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
def simulate_range(i_start, i_stop, k_start, k_stop, cur, offset, noise_sd, z, v, ref,
                   exact, decay, a_euler, E_L, R, V_reset, V_th, ref_steps, record_v, v_rec,
                   chunk, block):  # pragma: no cover - compiled
    """Advance neurons ``i_start <= i < i_stop`` over steps ``k_start <= k < k_stop``.

    ``v`` and ``ref`` (membrane potential, remaining refractory steps) hold the state of
    the range and are updated in place; ``cur`` is (1, n_steps) (shared input) or
    (n, n_steps); ``z`` is the standard-normal noise of the block,
    ``z[k - k_start, i - i_start]`` (ignored when ``noise_sd == 0``). Returns
    (neuron, step) of every spike; the spike detected at step k happens at (k + 1) dt.
    Neurons are processed in chunks of ``chunk`` over sub-blocks of ``block`` steps so
    the state of a chunk stays in L1 cache; the innermost loops run over neurons (SIMD).
    """
    shared = cur.shape[0] == 1
    noisy = noise_sd != 0.0
    refr = ref_steps > 0
    m_all = i_stop - i_start
    inp = np.empty(chunk)
    cap = m_all + 1024
    out_i = np.empty(cap, np.int32)
    out_k = np.empty(cap, np.int32)
    total = 0
    for b0 in range(k_start, k_stop, block):
        b1 = min(b0 + block, k_stop)
        for c0 in range(0, m_all, chunk):
            m = min(c0 + chunk, m_all) - c0
            i0 = i_start + c0
            vv = v[c0:c0 + m]
            rr = ref[c0:c0 + m]
            off = offset[i0:i0 + m]
            for k in range(b0, b1):
                if record_v:
                    for ii in range(m):
                        v_rec[i0 + ii, k] = vv[ii]
                # input current of every neuron of the chunk at step k
                if shared:
                    ck = cur[0, k]
                    for ii in range(m):
                        inp[ii] = ck + off[ii]
                else:
                    for ii in range(m):
                        inp[ii] = cur[i0 + ii, k] + off[ii]
                if noisy:
                    zk = z[k - k_start, c0:c0 + m]
                    for ii in range(m):
                        inp[ii] = inp[ii] + noise_sd * zk[ii]
                # membrane update (SIMD over the chunk; V held while refractory)
                if exact:
                    for ii in range(m):
                        vinf = E_L + R * inp[ii]
                        vn = vinf + (vv[ii] - vinf) * decay
                        vv[ii] = vn if rr[ii] == 0 else vv[ii]
                else:
                    for ii in range(m):
                        vn = vv[ii] + a_euler * (E_L - vv[ii] + R * inp[ii])
                        vv[ii] = vn if rr[ii] == 0 else vv[ii]
                if refr:
                    for ii in range(m):
                        rr[ii] = rr[ii] - 1 if rr[ii] > 0 else 0
                # threshold (strict), reset, refractory clamp
                for ii in range(m):
                    if vv[ii] > V_th:
                        vv[ii] = V_reset
                        rr[ii] = ref_steps
                        if total == cap:
                            cap *= 2
                            ni = np.empty(cap, np.int32)
                            nk = np.empty(cap, np.int32)
                            for p in range(total):  # loops: slice assignment compiles slowly
                                ni[p] = out_i[p]
                                nk[p] = out_k[p]
                            out_i = ni
                            out_k = nk
                        out_i[total] = i0 + ii
                        out_k[total] = k
                        total += 1
    return out_i[:total], out_k[:total]
