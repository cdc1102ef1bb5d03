"""numba kernels of :mod:`cortexkit.quality` (imported on first use, never by
``import cortexkit``).

Each kernel walks spike pairs with two monotone pointers per unit (linear in spikes plus
pairs) and has a NumPy reference in :mod:`cortexkit.quality._pairs` or
:mod:`cortexkit.quality._correlograms`; ``tests/test_quality.py`` and
``tests/test_correlograms.py`` check that both give identical counts.
"""

from __future__ import annotations

import math

import numba


@numba.njit(cache=True, nogil=True)
def pairs_within_kernel(times, offsets, lag, out):  # pragma: no cover - compiled
    """out[u] = pairs i < j of unit u with t_j - t_i <= lag."""
    for u in range(offsets.shape[0] - 1):
        a = offsets[u]
        b = offsets[u + 1]
        c = 0
        j = a
        for i in range(a, b):
            if j < i + 1:
                j = i + 1
            while j < b and times[j] - times[i] <= lag:
                j += 1
            c += j - i - 1
        out[u] = c


@numba.njit(cache=True, nogil=True)
def lag_histogram_kernel(samples, offsets, bin_samples, n_bins, out):  # pragma: no cover
    """out[u, b] = pairs i < j of unit u with (s_j - s_i) // bin_samples == b < n_bins."""
    w = bin_samples * n_bins
    for u in range(offsets.shape[0] - 1):
        a = offsets[u]
        b = offsets[u + 1]
        for i in range(a, b):
            si = samples[i]
            for j in range(i + 1, b):
                d = samples[j] - si
                if d >= w:
                    break
                out[u, d // bin_samples] += 1


@numba.njit(cache=True, nogil=True)
def lag_range_kernel(samples, offsets, lo, hi, out):  # pragma: no cover - compiled
    """out[u] = pairs i < j of unit u with lo <= s_j - s_i < hi (lo >= 1)."""
    for u in range(offsets.shape[0] - 1):
        a = offsets[u]
        b = offsets[u + 1]
        c = 0
        jlo = a
        jhi = a
        for i in range(a, b):
            si = samples[i]
            while jlo < b and samples[jlo] - si < lo:
                jlo += 1
            if jhi < jlo:
                jhi = jlo
            while jhi < b and samples[jhi] - si < hi:
                jhi += 1
            c += jhi - jlo
        out[u] = c


@numba.njit(cache=True, nogil=True)
def _bin_of(x, e0, inv, edges, n_bins):  # pragma: no cover - compiled
    """Index k with edges[k] <= x < edges[k + 1] (x inside [edges[0], edges[-1]))."""
    k = int(math.floor((x - e0) * inv))
    if k < 0:
        k = 0
    elif k > n_bins - 1:
        k = n_bins - 1
    while k > 0 and x < edges[k]:
        k -= 1
    while k < n_bins - 1 and x >= edges[k + 1]:
        k += 1
    return k


@numba.njit(cache=True, nogil=True)
def correlogram_kernel(times, units, n_units, edges, upper, ties):  # pragma: no cover
    """Half of the cross-correlograms of one time-sorted train of several units.

    Each unordered pair of distinct spikes is visited once and counted once, under the
    unit pair ``(a, b)`` with ``a <= b`` at its lag ``x = t_b - t_a`` (flat
    ``upper[(a * n_units + b) * n_bins + k]`` with ``edges[k] <= x < edges[k + 1]``).
    The other half is that reversed in lag (``assemble`` in
    :mod:`cortexkit.quality._correlograms`); because bins are closed on the left, a lag
    exactly on an edge lands one bin over when negated, so such lags are also counted in
    ``ties[(a * n_units + b) * (n_bins + 1) + k]`` (``k = n_bins`` for ``x = window``,
    which only the negated side keeps).
    """
    n_bins = edges.shape[0] - 1
    e0 = edges[0]
    e1 = edges[n_bins]
    inv = n_bins / (e1 - e0)
    nt = n_bins + 1
    n = times.shape[0]
    for i in range(n):
        ti = times[i]
        ui = units[i]
        for j in range(i + 1, n):
            d = times[j] - ti
            if d > -e0:
                break
            uj = units[j]
            if ui <= uj:
                a = ui
                b = uj
                x = d
            else:
                a = uj
                b = ui
                x = -d
            base = a * n_units + b
            if x >= e1:
                ties[base * nt + n_bins] += 1
                continue
            k = _bin_of(x, e0, inv, edges, n_bins)
            upper[base * n_bins + k] += 1
            if x == edges[k]:
                ties[base * nt + k] += 1
