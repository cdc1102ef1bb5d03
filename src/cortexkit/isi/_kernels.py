"""Compiled ISI kernels (numba), imported only on use.

:func:`unit_stats` has a NumPy reference, :func:`cortexkit.isi._stats.stats_numpy`, and a
parity test in ``tests/test_isi_stats.py``.
"""

from __future__ import annotations

import math

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def unit_stats(times, offsets, refractory):  # pragma: no cover - compiled
    """Per-unit ISI statistics straight from spike times (one pass per unit).

    Returns an ``(n_units, 7)`` array: mean ISI, median ISI, cv, lv, cv2, refractory
    count, number of ISIs. Statistics a unit has too few ISIs for are NaN. ``lv``/``cv2``
    skip interval pairs whose sum is zero (two consecutive zero ISIs).
    """
    n_units = offsets.shape[0] - 1
    out = np.full((n_units, 7), np.nan)
    longest = 0
    for u in range(n_units):
        m = offsets[u + 1] - offsets[u] - 1
        if m > longest:
            longest = m
    buf = np.empty(max(longest, 1))
    for u in range(n_units):
        a = offsets[u]
        m = offsets[u + 1] - a - 1
        out[u, 5] = 0.0
        out[u, 6] = max(m, 0)
        if m < 1:
            continue
        s = 0.0
        rc = 0
        for j in range(m):
            d = times[a + j + 1] - times[a + j]
            buf[j] = d
            s += d
            if d < refractory:
                rc += 1
        mean = s / m
        out[u, 0] = mean
        out[u, 5] = rc
        if m < 2:
            out[u, 1] = buf[0]
            continue
        ss = 0.0
        lv = 0.0
        c2 = 0.0
        npair = 0
        for j in range(m):
            dev = buf[j] - mean
            ss += dev * dev
        for j in range(m - 1):
            tot = buf[j] + buf[j + 1]
            if tot > 0.0:
                r = (buf[j + 1] - buf[j]) / tot
                lv += r * r
                c2 += abs(r)
                npair += 1
        out[u, 2] = math.sqrt(ss / m) / mean if mean > 0.0 else np.nan
        if npair > 0:
            out[u, 3] = 3.0 * lv / npair
            out[u, 4] = 2.0 * c2 / npair
        out[u, 1] = _median_inplace(buf[:m])  # last: it reorders buf
    return out


@numba.njit(cache=True, nogil=True)
def _select_inplace(a, k):  # pragma: no cover - compiled
    """k-th smallest of ``a`` by quickselect with branch-free Lomuto partitions.

    Reorders ``a`` so that ``a[:k] <= a[k] <= a[k + 1:]``. Each level first moves values
    ``< pivot`` left, then (only when k lies right of them) values ``== pivot``, so runs
    of equal values (quantized sample times, duplicate spikes) cost linear time.
    """
    lo = 0
    hi = a.shape[0]  # exclusive
    while hi - lo > 1:
        x = a[lo]
        y = a[(lo + hi) // 2]
        z = a[hi - 1]
        pivot = max(min(x, y), min(max(x, y), z))  # median of three
        store = lo
        for i in range(lo, hi):
            v = a[i]
            a[i] = a[store]
            a[store] = v
            store += v < pivot
        if k < store:
            hi = store
            continue
        store2 = store
        for i in range(store, hi):
            v = a[i]
            a[i] = a[store2]
            a[store2] = v
            store2 += v <= pivot
        if k < store2:
            a[k] = pivot
            return pivot
        lo = store2
    return a[k]


@numba.njit(cache=True, nogil=True)
def _median_inplace(a):  # pragma: no cover - compiled
    """Median of ``a`` (as ``np.median``), reordering ``a``."""
    m = a.shape[0]
    k = (m - 1) // 2
    v = _select_inplace(a, k)
    if m % 2 == 1:
        return v
    w = a[k + 1]
    for j in range(k + 2, m):
        if a[j] < w:
            w = a[j]
    return 0.5 * (v + w)
