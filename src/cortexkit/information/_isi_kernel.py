"""Compiled kernel of :func:`cortexkit.information.isi_entropy` (numba, imported lazily).

One pass over the flat spike times: each within-unit interval is binned exactly as
``np.histogram`` bins it (``edges[j] <= x < edges[j + 1]``, last bin closed) and counted
into a unit x bin matrix.  NumPy reference: ``_isi_counts_numpy`` in
:mod:`cortexkit.information._isi`; parity test in ``tests/test_information_isi.py``.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def isi_bin_counts(times, offsets, edges, uniform):  # pragma: no cover - compiled
    """``counts[u, j]``: intervals of unit ``u`` in bin ``j`` of ``edges``.

    With ``uniform`` (equal bins) the bin is first estimated as ``floor((x - lo) * n / (hi
    - lo))`` and then corrected by one step against the edges, as ``np.histogram`` does;
    otherwise it is found by binary search over the edges. Either way the result is the
    ``j`` with ``edges[j] <= x < edges[j + 1]`` (``x == edges[-1]`` in the last bin).
    Intervals outside ``[edges[0], edges[-1]]`` go to an overflow column that is dropped.
    """
    n_units = offsets.shape[0] - 1
    n_bins = edges.shape[0] - 1
    lo = edges[0]
    hi = edges[n_bins]
    scale = n_bins / (hi - lo)
    counts = np.zeros((n_units, n_bins + 1), dtype=np.int64)
    for u in range(n_units):
        start = offsets[u]
        stop = offsets[u + 1]
        if stop - start < 2:
            continue
        row = counts[u]
        prev = times[start]
        for i in range(start + 1, stop):
            t = times[i]
            x = t - prev
            prev = t
            j = n_bins  # overflow
            if x >= lo and x <= hi:
                if uniform:
                    j = int((x - lo) * scale)
                    if j > n_bins - 1:
                        j = n_bins - 1
                    if x < edges[j]:
                        j -= 1
                    elif j < n_bins - 1 and x >= edges[j + 1]:
                        j += 1
                else:
                    a = 0
                    b = n_bins
                    while b - a > 1:  # largest j with edges[j] <= x
                        m = (a + b) // 2
                        if edges[m] <= x:
                            a = m
                        else:
                            b = m
                    j = a
            row[j] += 1
    return counts[:, :n_bins]
