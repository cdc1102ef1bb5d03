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
    """``counts[u, j]``: intervals of unit ``u`` in bin ``j`` of ``edges``."""
    n_units = offsets.shape[0] - 1
    n_bins = edges.shape[0] - 1
    lo = edges[0]
    hi = edges[n_bins]
    scale = n_bins / (hi - lo)
    counts = np.zeros((n_units, n_bins), dtype=np.int64)
    for u in range(n_units):
        for i in range(offsets[u] + 1, offsets[u + 1]):
            x = times[i] - times[i - 1]
            if x < lo or x > hi:
                continue
            if uniform:
                j = int((x - lo) * scale)
                if j > n_bins - 1:
                    j = n_bins - 1
                # exact edge test, as np.histogram does after its floor estimate
                while j > 0 and x < edges[j]:
                    j -= 1
                while j < n_bins - 1 and x >= edges[j + 1]:
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
            counts[u, j] += 1
    return counts
