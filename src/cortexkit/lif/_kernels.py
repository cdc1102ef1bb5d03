"""Compiled LIF kernels (numba), imported only when :func:`cortexkit.lif.simulate` runs.

Layout: ``simulate`` runs one contiguous range of neurons per core (the calling thread
takes the first) through a kernel that releases the GIL (``nogil=True``), so the cores
never synchronise inside the time loop; each kernel ends by sorting its range's spikes
by neuron (``group_by_neuron``, a counting sort), still in the thread.

- ``simulate_once``, the fast path: input shared by all neurons, no noise, and a bound
  (``_simulate.fires_once_per_block``) shows no neuron can fire twice within a block of
  64 (or 32, 16) steps. The SIMD pass keeps each neuron's last spike step, which is
  then the block's whole spike record.
- ``simulate_range``, everything else (noise, one input row per neuron, high rates):
  the pass also counts spikes; a neuron that fired twice in a block is replayed alone
  (``_collect``). With noise it draws a block of samples (< 1 MB) with ``fill_noise``
  between blocks of steps.

Within a range, time is cut into blocks and neurons into chunks of 512 that fit in L1
cache; for each chunk the time loop runs over the block with the neurons innermost: one
branch-free pass per step (SIMD) that updates, holds refractory neurons, resets, and
stores the step of a spike with a masked store. Spikes are read off once per block, not
per step (a scalar scan per step cost as much as the update itself). The (neuron, step)
buffer grows with spikes, never with steps. Both kernels ask LLVM for 512-bit vectors
(``_vector_width.prefer_wide_vectors``, which falls back to plain kernels with one warning
if llvmlite refuses the attribute). (A ``parallel=True`` / ``prange`` version of the same loops took
> 30 s to compile cold, against ~1.5 s for the fast path, with no gain at run time.)

Noise comes from the counter-based ziggurat of ``_rng.py`` (the same numbers on any
number of threads).  The update uses exactly the arithmetic of the NumPy reference (no
fastmath: no FMA contraction or reassociation), so both give identical spikes for
identical input.

Kernel arguments come in named tuples (numba types each field on its own):
:class:`Update` (coefficients of the affine update, threshold, reset, refractory steps),
:class:`Grid` (chunk of neurons, block of steps, dt), :class:`State` (V and the step of
the last spike of the range, updated in place), :class:`Record` (whether and where V is
recorded) and :class:`Noise` (scale, block of steps and the counter-based generator).
"""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np

from cortexkit.lif._rng import _R_TAIL, GOLDEN, MUL1, MUL2
from cortexkit.lif._vector_width import prefer_wide_vectors

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


class Update(NamedTuple):
    """``V <- c1 V + (c0 + ci I)``; spike when ``V > V_th``, then ``V_reset`` for
    ``ref_steps`` steps (see ``_simulate.coefficients``)."""

    c1: float
    c0: float
    ci: float
    V_reset: float
    V_th: float
    ref_steps: int


class Grid(NamedTuple):
    """Neurons per chunk (L1 cache), steps per block, and the time step (s)."""

    chunk: int
    block: int
    dt: float


class State(NamedTuple):
    """Per-neuron state of a range, updated in place: V and the step of the last spike
    (-inf before any)."""

    v: np.ndarray
    last: np.ndarray


class Record(NamedTuple):
    """Whether V is recorded, into ``v`` (n_neurons x steps; empty when not)."""

    on: bool
    v: np.ndarray


class Noise(NamedTuple):
    """White noise ``cn z`` with ``cn = ci noise_sd``, drawn ``block`` steps at a time
    from the counter-based ziggurat (keys and tables of ``_rng``)."""

    cn: float
    block: int
    key: np.uint64
    key2: np.uint64
    kt: np.ndarray
    wt: np.ndarray
    ft: np.ndarray


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
def _grow(out_i, out_k, total, need):  # pragma: no cover - compiled
    cap = out_i.shape[0]
    while cap < need:
        cap *= 2
    ni = np.empty(cap, np.int32)
    nk = np.empty(cap, np.int32)
    for p in range(total):  # loops: slice assignment and .copy() compile slowly
        ni[p] = out_i[p]
        nk[p] = out_k[p]
    return ni, nk


@numba.njit(cache=True, nogil=True)
def group_by_neuron(spk_i, spk_k, total, i0, m, dt):  # pragma: no cover - compiled
    """Spike times ``(k + 1) dt`` grouped by neuron (a stable counting sort) and offsets.

    ``spk_i[:total]`` holds neuron numbers ``i0 <= i < i0 + m``; within each neuron the
    order of the input (increasing steps) is kept.
    """
    offsets = np.zeros(m + 1, np.int64)
    for p in range(total):
        offsets[spk_i[p] - i0 + 1] += 1
    pos = np.empty(m, np.int64)
    for j in range(m):
        pos[j] = offsets[j]
        offsets[j + 1] += offsets[j]
    times = np.empty(total)
    for p in range(total):
        j = spk_i[p] - i0
        times[pos[j]] = np.float64(spk_k[p] + 1) * dt
        pos[j] += 1
    return times, offsets


@numba.njit(cache=True, nogil=True)
def simulate_once(i_start, i_stop, cur, offset, state, upd, grid, rec):  # pragma: no cover
    """The fast path: input shared by all neurons, no noise, at most one spike per block.

    The caller has checked (``_simulate.fires_once_per_block``) that no neuron can fire
    twice within ``grid.block`` steps, so the step of each neuron's last spike, kept by
    the SIMD pass, is the whole record of a block: no spike count, no replay. Arguments,
    state and result as in :func:`simulate_range`.
    """
    prefer_wide_vectors()
    v, last = state.v, state.last
    c1, c0, ci = upd.c1, upd.c0, upd.ci
    V_reset, V_th, ref_steps = upd.V_reset, upd.V_th, upd.ref_steps
    chunk, block, dt = grid.chunk, grid.block, grid.dt
    record_v, v_rec = rec.on, rec.v
    # (conditional expressions, not min/max, and no np.zeros: every distinct overload
    # numba compiles adds to the cold first call)
    refr = ref_steps > 0
    ref_f = np.float64(ref_steps)
    m_all = i_stop - i_start
    g = np.empty(m_all)
    for i in range(m_all):
        g[i] = c0 + ci * offset[i_start + i]
    out_i = np.empty(m_all + 1024, np.int32)
    out_k = np.empty(m_all + 1024, np.int32)
    total = np.int64(0)
    for b0 in range(0, cur.shape[1], block):
        b1 = b0 + block if b0 + block < cur.shape[1] else cur.shape[1]
        for c0_ in range(0, m_all, chunk):
            m = chunk if c0_ + chunk < m_all else m_all - c0_
            i0 = i_start + c0_
            vv = v[c0_:c0_ + m]
            ll = last[c0_:c0_ + m]
            gg = g[c0_:c0_ + m]
            for k in range(b0, b1):
                if record_v:
                    for ii in range(m):
                        v_rec[i0 + ii, k] = vv[ii]
                fk = np.float64(k)
                h = ci * cur[0, k]
                # one fused pass per step: update, refractory hold, strict threshold,
                # reset; a select and a masked store instead of branches (SIMD)
                if refr:
                    for ii in range(m):
                        vo = vv[ii]
                        vn = c1 * vo + (h + gg[ii])
                        if fk - ll[ii] <= ref_f:  # refractory: V held
                            vn = vo
                        sp = vn > V_th
                        vr = vn  # a blend and one store, not two masked stores
                        if sp:
                            vr = V_reset
                            ll[ii] = fk  # a masked store: no load of ll
                        vv[ii] = vr
                else:
                    for ii in range(m):
                        vn = c1 * vv[ii] + (h + gg[ii])
                        sp = vn > V_th
                        vr = vn
                        if sp:
                            vr = V_reset
                            ll[ii] = fk
                        vv[ii] = vr
            if total + m + 1 > out_i.shape[0]:  # _grow, written out (see below)
                cap = 2 * out_i.shape[0] + m + 1
                ni = np.empty(cap, np.int32)
                nk = np.empty(cap, np.int32)
                for p in range(total):
                    ni[p] = out_i[p]
                    nk[p] = out_k[p]
                out_i, out_k = ni, nk
            fb0 = np.float64(b0)
            for ii in range(m):  # branch-free compaction: spikes are not rare enough
                out_i[total] = i0 + ii
                out_k[total] = np.int32(ll[ii] if ll[ii] > 0.0 else 0.0)
                total += ll[ii] >= fb0
    # group_by_neuron, written out. Measured (issue 13, 4 fresh processes each with an
    # empty numba cache, A/B interleaved): calling _grow and group_by_neuron here instead
    # raises the CPU time of the cold first call of simulate (the fast path) from 1.82 s
    # to 2.45 s (median); the first call stays under 3 s only with the copies.
    offsets = np.empty(m_all + 1, np.int64)
    for j in range(m_all + 1):
        offsets[j] = 0
    for p in range(total):
        offsets[out_i[p] - i_start + 1] += 1
    pos = np.empty(m_all, np.int64)
    for j in range(m_all):
        pos[j] = offsets[j]
        offsets[j + 1] += offsets[j]
    times = np.empty(total)
    for p in range(total):
        j = out_i[p] - i_start
        times[pos[j]] = np.float64(out_k[p] + 1) * dt
        pos[j] += 1
    return times, offsets


@numba.njit(cache=True, nogil=True)
def _collect(saved, gg, ll, nf, i0, c0_, span, cur, z, upd, cn, out,
             total):  # pragma: no cover - compiled
    """Append the spikes of one chunk over steps ``b0 <= k < b1``; return the new total.

    ``span = (b0, b1, k0)``: the block and the first step of the noise block ``z``;
    ``out = (out_i, out_k)``: the (neuron, step) buffer, filled up to ``total``.
    The SIMD pass kept, per neuron, only the step of its last spike (``ll``) and the
    number of spikes of the chunk (``nf``). If the neurons that fired in the block
    (``ll >= b0``) account for all ``nf`` spikes, each fired once and ``ll`` is the
    record. Otherwise some fired more than once, and each neuron that fired is replayed
    alone from its state at ``b0`` (``saved``: a :class:`State`) with the same
    arithmetic, which gives all its spike steps. Spikes are appended in neuron order
    within the block.
    """
    b0, b1, k0 = span
    out_i, out_k = out
    vv0, ll0 = saved.v, saved.last
    c1, ci, V_reset, V_th = upd.c1, upd.ci, upd.V_reset, upd.V_th
    ref_f = np.float64(upd.ref_steps)
    m = ll.shape[0]
    fb0 = np.float64(b0)
    cnt = 0
    for ii in range(m):
        cnt += ll[ii] >= fb0
    if cnt == nf:
        for ii in range(m):
            if ll[ii] >= fb0:
                out_i[total] = i0 + ii
                out_k[total] = np.int32(ll[ii])
                total += 1
        return total
    shared = cur.shape[0] == 1
    for ii in range(m):
        if ll[ii] < fb0:
            continue
        vo = vv0[ii]
        lk = ll0[ii]
        for k in range(b0, b1):
            d = ci * cur[0, k] + gg[ii] if shared else ci * cur[i0 + ii, k] + gg[ii]
            if cn != 0.0:
                d = d + cn * z[k - k0, c0_ + ii]
            vn = vo if np.float64(k) - lk <= ref_f else c1 * vo + d
            if vn > V_th:
                vn = V_reset
                lk = np.float64(k)
                out_i[total] = i0 + ii
                out_k[total] = k
                total += 1
            vo = vn
    return total


@numba.njit(cache=True, nogil=True)
def simulate_range(i_start, i_stop, n, cur, offset, state, upd, grid, rec,
                   noise):  # pragma: no cover - compiled
    """Advance neurons ``i_start <= i < i_stop`` (of ``n``) over all steps of ``cur``.

    The update of both integration schemes is ``V <- c1 V + ((ci cur[k] + g_i) + cn z)``
    with ``g_i = c0 + ci offset[i]`` (``upd``, an :class:`Update`; see
    ``_simulate.coefficients``); ``cur`` is (1, n_steps) (shared input) or
    (n, n_steps). ``z`` is standard-normal noise, drawn by :func:`fill_noise` for
    ``noise.block`` steps at a time (none when ``noise.cn == 0``). ``state.v`` and
    ``state.last`` (step of the last spike, -inf before any) hold the state of the
    range, updated in place; a neuron is refractory (V held) while
    ``k - last <= ref_steps``, which is the countdown of the NumPy reference without a
    counter to store each step. ``rec`` says whether and where V is recorded; ``grid``
    gives the chunk, the block and dt. Returns the spike times of the range grouped by
    neuron and their offsets; the spike detected at step k happens at (k + 1) dt.

    Neurons are processed in chunks of ``chunk`` over blocks of ``block`` steps so the
    state of a chunk stays in L1 cache; the innermost loop is one branch-free pass over
    the chunk (SIMD) that resets a neuron crossing threshold, stores the step of its
    spike (a masked store) and counts spikes. After each block, :func:`_collect` reads
    the spikes off.
    """
    prefer_wide_vectors()
    v, last = state.v, state.last
    c1, c0, ci = upd.c1, upd.c0, upd.ci
    V_reset, V_th = upd.V_reset, upd.V_th
    chunk, block, dt = grid.chunk, grid.block, grid.dt
    record_v, v_rec = rec.on, rec.v
    cn, noise_block = noise.cn, noise.block
    key, key2, kt, wt, ft = noise.key, noise.key2, noise.kt, noise.wt, noise.ft
    shared = cur.shape[0] == 1
    fast = shared and cn == 0.0
    ref_f = np.float64(upd.ref_steps)
    steps = cur.shape[1]
    m_all = i_stop - i_start
    g = np.empty(m_all)
    for i in range(m_all):
        g[i] = c0 + ci * offset[i_start + i]
    z = np.empty((noise_block if cn != 0.0 else 0, m_all))
    vv0 = np.empty(chunk)
    ll0 = np.empty(chunk)
    out_i = np.empty(m_all + 1024, np.int32)
    out_k = np.empty(m_all + 1024, np.int32)
    total = np.int64(0)
    for k0 in range(0, steps, noise_block):
        k1 = min(k0 + noise_block, steps)
        if cn != 0.0:
            fill_noise(z[:k1 - k0], n, i_start, k0, key, key2, kt, wt, ft)
        for b0 in range(k0, k1, block):
            b1 = min(b0 + block, k1)
            for c0_ in range(0, m_all, chunk):
                m = min(c0_ + chunk, m_all) - c0_
                i0 = i_start + c0_
                vv = v[c0_:c0_ + m]
                ll = last[c0_:c0_ + m]
                gg = g[c0_:c0_ + m]
                for ii in range(m):  # (loops: slice assignment compiles slowly)
                    vv0[ii] = vv[ii]
                    ll0[ii] = ll[ii]
                nf = np.int64(0)
                for k in range(b0, b1):
                    if record_v:
                        for ii in range(m):
                            v_rec[i0 + ii, k] = vv[ii]
                    fk = np.float64(k)
                    # one fused pass per step: update, refractory hold, strict threshold,
                    # reset, count; selects and a masked store instead of branches (SIMD)
                    if fast:
                        h = ci * cur[0, k]
                        for ii in range(m):
                            vo = vv[ii]
                            vn = c1 * vo + (h + gg[ii])
                            if fk - ll[ii] <= ref_f:  # refractory: V held
                                vn = vo
                            sp = vn > V_th
                            vr = vn  # a blend and one store, not two masked stores
                            if sp:
                                vr = V_reset
                                ll[ii] = fk  # a masked store: no load of ll
                            vv[ii] = vr
                            nf += sp
                    elif shared:  # shared input plus white noise
                        h = ci * cur[0, k]
                        zk = z[k - k0, c0_:c0_ + m]
                        for ii in range(m):
                            vo = vv[ii]
                            vn = c1 * vo + ((h + gg[ii]) + cn * zk[ii])
                            if fk - ll[ii] <= ref_f:  # refractory: V held
                                vn = vo
                            sp = vn > V_th
                            vr = vn
                            if sp:
                                vr = V_reset
                                ll[ii] = fk
                            vv[ii] = vr
                            nf += sp
                    else:  # one input row per neuron, with or without noise
                        for ii in range(m):
                            d = ci * cur[i0 + ii, k] + gg[ii]
                            if cn != 0.0:
                                d = d + cn * z[k - k0, c0_ + ii]
                            vo = vv[ii]
                            vn = c1 * vo + d
                            if fk - ll[ii] <= ref_f:  # refractory: V held
                                vn = vo
                            sp = vn > V_th
                            vr = vn
                            if sp:
                                vr = V_reset
                                ll[ii] = fk
                            vv[ii] = vr
                            nf += sp
                if nf > 0:
                    if total + m * (b1 - b0) > out_i.shape[0]:  # room for any spike count
                        out_i, out_k = _grow(out_i, out_k, total, total + m * (b1 - b0))
                    total = _collect(State(vv0, ll0), gg, ll, nf, i0, c0_, (b0, b1, k0),
                                     cur, z, upd, cn, (out_i, out_k), total)
    return group_by_neuron(out_i, out_k, total, i_start, m_all, dt)
