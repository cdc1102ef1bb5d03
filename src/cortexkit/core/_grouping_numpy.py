"""Fast NumPy paths of SpikeTrains construction: grouping by unit and the validation scan.

Why NumPy and not the numba kernels by default (issue 15; numbers in
``benchmarks/results/spikes.md``): in a fresh process the kernels cost ``import numba``
plus initialising it and loading their cache (0.3-1 s), more than these paths take on
10^7 events.  The kernels stay, for ``engine="numba"`` and for processes that have
loaded numba anyway (``cortexkit._lib.engine.THRESHOLDS``).

* :func:`group_chunked` is a stable counting sort done with NumPy's SIMD sort: events
  are taken in chunks of 2^17 (the chunk's times stay in L2), each chunk's unit codes are
  packed with the event's position into one uint32 key (``code << b | position``), the
  keys are sorted (unique keys, so an unstable sort is stable here), and the times are
  gathered in that order and scattered to each unit's running write position.  Memory:
  the output plus a few chunk-sized buffers.
* :func:`scan_by_unit` checks grouped times unit by unit (one ``np.subtract`` into a
  scratch buffer and its minimum): sorted units with finite times, the usual case, need
  nothing else; only units that are not get the full reference checks.

References: :func:`cortexkit.core._grouping.group_numpy` and ``scan_numpy`` (parity
tests in ``tests/test_spikes.py``).
"""

from __future__ import annotations

import numpy as np

__all__ = ["group_chunked", "scan_by_unit", "CHUNK_BITS"]

# 2^17 events: the chunk's times (1 MiB) stay in L2 (2^16-2^18 within 5 % of each
# other on 10^7 events of 1000 units; 2^20 12 % slower)
CHUNK_BITS = 17


def group_chunked(times: np.ndarray, labels: np.ndarray, lut: np.ndarray, lo: int,
                  offsets: np.ndarray) -> np.ndarray | None:
    """``times`` grouped by unit position ``lut[labels - lo]``, in event order within a
    unit; None when the unit codes do not fit the packed uint32 keys (> 65536 units).

    Chunks are 2^17 events, or 2^16 from 32768 units on (the key has 32 bits).
    """
    n_units = offsets.size - 1
    code_bits = max(int(n_units - 1).bit_length(), 1)
    shift = 32 - code_bits
    if shift < 16:                          # chunks of < 2^16 would cost more than the
        return None                         # reference's one stable argsort
    # no chunk larger than the input (its buffers are allocated once per call)
    size = 1 << min(CHUNK_BITS, shift, max(int(times.size - 1).bit_length(), 1))
    mask = np.uint32(size - 1)
    # labels that are already the unit positions (ALF/phy cluster ids 0..n-1, all used)
    # need no lookup: they are cast straight into the key buffer
    identity = lo == 0 and lut.size == n_units and bool(
        np.array_equal(lut, np.arange(n_units)))
    lut32 = lut.astype(np.uint32)           # -1 (labels not in the data) never indexed
    out = np.empty(times.size, dtype=np.float64)
    pos = offsets[:-1].copy()               # next write position of every unit
    ramp32 = np.arange(size, dtype=np.uint32)
    ramp = np.arange(size, dtype=np.int64)
    bounds = np.arange(n_units, dtype=np.uint32) << np.uint32(shift)   # unit starts
    key_buf = np.empty(size, dtype=np.uint32)  # reused: no allocation per chunk
    order_buf = np.empty(size, dtype=np.intp)
    for a in range(0, times.size, size):
        lab = labels[a:a + size]
        m = lab.size
        key = key_buf[:m]
        if identity:
            np.copyto(key, lab, casting="unsafe")
        else:
            lut32.take(lab - lo if lo else lab, out=key)
        key <<= np.uint32(shift)
        key |= ramp32[:m]
        key.sort()
        order = order_buf[:m]
        np.bitwise_and(key, mask, out=order, casting="unsafe")
        starts = np.searchsorted(key, bounds)   # where each unit's keys start
        cnt = np.diff(starts, append=m)
        dest = np.repeat(pos - starts, cnt)
        dest += ramp[:m]
        out[dest] = times[a:a + m].take(order)
        pos += cnt
    return out


def scan_by_unit(times: np.ndarray, offsets: np.ndarray):
    """The :class:`cortexkit.core._grouping.Scan` of grouped times, unit by unit.

    A unit whose consecutive differences have a minimum > 0 is sorted without repeats,
    and (NaN would make that minimum NaN) its times are finite unless its first or last
    one is infinite; its minimum and maximum are its ends.  Units where that does not
    hold (and the all-integer test, which stops at the first fractional time) take the
    reference checks on their own times.
    """
    from cortexkit.core._grouping import Scan, scan_numpy

    n_units = offsets.size - 1
    unsorted = np.zeros(n_units, dtype=bool)
    dup = np.zeros(n_units, dtype=np.int64)
    n_bad = 0
    first_bad = -1
    tmin, tmax = np.inf, -np.inf
    all_integer = True
    counts = np.diff(offsets)
    buf = np.empty(max(int(counts.max(initial=0)) - 1, 1))
    sub = np.subtract
    for u, (a, b) in enumerate(zip(offsets[:-1].tolist(), offsets[1:].tolist(), strict=True)):
        if a == b:
            continue
        seg = times[a:b]
        lo_t, hi_t = seg[0], seg[-1]
        simple = np.isfinite(lo_t) and np.isfinite(hi_t)
        if simple and b - a > 1:
            dmin = sub(seg[1:], seg[:-1], out=buf[:b - a - 1]).min()
            simple = dmin > 0                     # False for NaN, repeats, disorder
        if simple:
            tmin = min(tmin, float(lo_t))
            tmax = max(tmax, float(hi_t))
        else:
            one = scan_numpy(seg, np.array([0, b - a], dtype=np.int64))
            if one.n_nonfinite:
                n_bad += one.n_nonfinite
                if first_bad < 0:
                    first_bad = u
            tmin, tmax = min(tmin, one.tmin), max(tmax, one.tmax)
            unsorted[u] = one.unsorted[0]
            dup[u] = one.dup[0]
            if one.n_nonfinite:
                continue                          # the error is raised downstream
        if all_integer:
            fin = seg[np.isfinite(seg)] if not simple else seg
            all_integer = bool(np.all(fin == np.floor(fin)))
    return Scan(n_bad, first_bad, tmin, tmax, all_integer, unsorted, dup)
