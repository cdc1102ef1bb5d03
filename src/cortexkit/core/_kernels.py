"""Compiled kernels of the spike container (numba), imported lazily.

``import cortexkit`` never imports this module: :mod:`cortexkit.core._grouping` imports it on
first use, and only for inputs large enough to pay for it.  Each kernel has a NumPy
reference in :mod:`cortexkit.core._grouping` (``group_numpy``, ``scan_numpy``) and a parity
test in ``tests/test_spikes.py``.

The scans return the same statistics tuple
``(n_nonfinite, first_nonfinite, tmin, tmax, all_integer)`` and fill two per-unit arrays,
``unsorted`` (bool: a time smaller than the previous one of the same unit) and ``dup``
(int: times equal to the previous one of the same unit).
"""

from __future__ import annotations

import math

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def label_range(labels):  # pragma: no cover - compiled
    """Minimum and maximum of an integer label array (one pass)."""
    lo = labels[0]
    hi = labels[0]
    for i in range(1, labels.shape[0]):
        v = labels[i]
        if v < lo:
            lo = v
        elif v > hi:
            hi = v
    return np.int64(lo), np.int64(hi)


@numba.njit(cache=True, nogil=True)
def label_counts(labels, lo, size):  # pragma: no cover - compiled
    """``np.bincount(labels - lo, minlength=size)`` for any integer dtype, without a copy."""
    counts = np.zeros(size, dtype=np.int64)
    for i in range(labels.shape[0]):
        counts[np.int64(labels[i]) - lo] += 1
    return counts


@numba.njit(cache=True, nogil=True)
def group_scan(times, labels, lut, lo, offsets, out, unsorted, dup):  # pragma: no cover
    """Stable counting-sort scatter of ``times`` by ``lut[labels - lo]`` into ``out``.

    In the same pass: non-finite count (and first index), min/max of finite times,
    whether all times are whole numbers, and per unit whether the times arrive
    unsorted and how many repeat the previous time.
    """
    n_units = offsets.shape[0] - 1
    pos = offsets[:-1].copy()
    last = np.empty(n_units, dtype=np.float64)
    n_nonfinite = 0
    first_nonfinite = -1
    tmin = np.inf
    tmax = -np.inf
    all_integer = True
    for i in range(times.shape[0]):
        c = lut[np.int64(labels[i]) - lo]
        t = np.float64(times[i])
        if math.isfinite(t):
            if t < tmin:
                tmin = t
            if t > tmax:
                tmax = t
            if all_integer and t != math.floor(t):
                all_integer = False
        else:
            n_nonfinite += 1
            if first_nonfinite < 0:
                first_nonfinite = i
        p = pos[c]
        out[p] = t
        if p > offsets[c]:
            prev = last[c]
            if t < prev:
                unsorted[c] = True
            elif t == prev:
                dup[c] += 1
        last[c] = t
        pos[c] = p + 1
    return n_nonfinite, first_nonfinite, tmin, tmax, all_integer


@numba.njit(cache=True, nogil=True)
def scan_flat(times, offsets, unsorted, dup):  # pragma: no cover - compiled
    """The statistics of :func:`group_scan` for times already grouped by ``offsets``."""
    n_nonfinite = 0
    first_nonfinite = -1
    tmin = np.inf
    tmax = -np.inf
    all_integer = True
    for u in range(offsets.shape[0] - 1):
        prev = np.nan
        for i in range(offsets[u], offsets[u + 1]):
            t = times[i]
            if math.isfinite(t):
                if t < tmin:
                    tmin = t
                if t > tmax:
                    tmax = t
                if all_integer and t != math.floor(t):
                    all_integer = False
            else:
                n_nonfinite += 1
                if first_nonfinite < 0:
                    first_nonfinite = i
            if i > offsets[u]:
                if t < prev:
                    unsorted[u] = True
                elif t == prev:
                    dup[u] += 1
            prev = t
    return n_nonfinite, first_nonfinite, tmin, tmax, all_integer
