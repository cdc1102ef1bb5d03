"""Compiled kernels for the spike container (numba), imported lazily.

Each kernel has a NumPy reference in the tests (``tests/test_spikes.py``).
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def _scatter(values, codes, offsets, out):  # pragma: no cover - compiled
    pos = offsets[:-1].copy()
    for i in range(values.shape[0]):
        c = codes[i]
        out[pos[c]] = values[i]
        pos[c] += 1


def scatter_by_code(values: np.ndarray, codes: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Stable counting sort: ``values`` grouped by ``codes`` into the slots of ``offsets``."""
    out = np.empty_like(values)
    _scatter(values, codes.astype(np.int64, copy=False), offsets, out)
    return out
