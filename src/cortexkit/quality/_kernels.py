"""numba kernels of :mod:`cortexkit.quality` (imported on first use, never by
``import cortexkit``).

Each kernel walks spike pairs with two monotone pointers per unit (linear in spikes plus
pairs) and has a NumPy reference in :mod:`cortexkit.quality._pairs` or
:mod:`cortexkit.quality._correlograms`; ``tests/test_quality.py`` and
``tests/test_correlograms.py`` check that both give identical counts.
"""

from __future__ import annotations

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
def correlogram_kernel(times, units, n_units, pos_edges, upper, ties):  # pragma: no cover
    """Positive-lag half of the cross-correlograms of one time-sorted multi-unit train.

    Each unordered pair of distinct spikes is visited once and counted once, under
    (unit of the earlier spike ``a``, unit of the later ``b``) at its lag ``d >= 0``:
    ``upper[(a * n_pos + k) * n_units + b]`` with ``pos_edges[k] <= d < pos_edges[k + 1]``
    (``pos_edges`` = ``0, bin, ..., window``).  The layout (a, lag, b) keeps the writes of
    one earlier spike in one block of the table, swept in lag order as the later spikes
    come.  The negative lags are these negated (``_assemble`` in
    :mod:`cortexkit.quality._correlograms`); as bins are closed on the left, a lag exactly
    on an edge lands one bin over when negated, so such lags are also counted in
    ``ties[(a * (n_pos + 1) + k) * n_units + b]`` (``k = n_pos`` for ``d = window``,
    which only the negated side keeps).
    """
    n_pos = pos_edges.shape[0] - 1
    w = pos_edges[n_pos]
    inv = n_pos / w
    nt = n_pos + 1
    n = times.shape[0]
    for i in range(n):
        ti = times[i]
        ua = units[i]
        row = ua * n_pos
        trow = ua * nt
        for j in range(i + 1, n):
            d = times[j] - ti
            if d > w:
                break
            b = units[j]
            if d == w:
                ties[(trow + n_pos) * n_units + b] += 1
                continue
            k = int(d * inv)
            if k > n_pos - 1:
                k = n_pos - 1
            if d < pos_edges[k]:
                k -= 1
            elif d >= pos_edges[k + 1]:
                k += 1
            upper[(row + k) * n_units + b] += 1
            if d == pos_edges[k]:
                ties[(trow + k) * n_units + b] += 1
