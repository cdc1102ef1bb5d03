"""Flat-array helpers for values grouped by unit (the layout of ``SpikeTrains``).

A grouped array is one flat array plus ``offsets`` (``n_units + 1`` non-decreasing
indices): unit ``i`` owns ``values[offsets[i]:offsets[i + 1]]``.  These helpers are the
one copy of the small operations every per-unit computation needs.
"""

from __future__ import annotations

import numpy as np

__all__ = ["offsets_from_counts", "unit_index", "within_unit_mask", "grouped_median",
           "segment_index", "gather"]


def offsets_from_counts(counts: np.ndarray) -> np.ndarray:
    """``n + 1`` int64 offsets ``[0, c0, c0 + c1, ...]`` from per-unit counts.

    >>> offsets_from_counts(np.array([2, 0, 3])).tolist()
    [0, 2, 2, 5]
    """
    counts = np.asarray(counts)
    offsets = np.zeros(counts.size + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return offsets


def unit_index(offsets: np.ndarray) -> np.ndarray:
    """Position of the unit each element belongs to (length ``offsets[-1]``).

    >>> unit_index(np.array([0, 2, 2, 3])).tolist()
    [0, 0, 2]
    """
    offsets = np.asarray(offsets)
    return np.repeat(np.arange(offsets.size - 1), np.diff(offsets))


def within_unit_mask(offsets: np.ndarray) -> np.ndarray:
    """Mask over ``np.diff(values)``: False where a difference crosses a unit boundary.

    >>> within_unit_mask(np.array([0, 2, 2, 4])).tolist()
    [True, False, True]
    """
    offsets = np.asarray(offsets)
    n = int(offsets[-1])
    mask = np.ones(max(n - 1, 0), dtype=bool)
    b = offsets[1:-1] - 1
    mask[b[(b >= 0) & (b < n - 1)]] = False
    return mask


def grouped_median(values: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Median of every ``offsets`` segment (NaN for empty ones), with one lexsort.

    >>> grouped_median(np.array([3.0, 1.0, 2.0, 5.0]), np.array([0, 3, 3, 4])).tolist()
    [2.0, nan, 5.0]
    """
    offsets = np.asarray(offsets)
    counts = np.diff(offsets)
    s = values[np.lexsort((values, unit_index(offsets)))]
    out = np.full(counts.size, np.nan)
    has = counts > 0
    lo = offsets[:-1][has] + (counts[has] - 1) // 2
    hi = offsets[:-1][has] + counts[has] // 2
    out[has] = 0.5 * (s[lo] + s[hi])
    return out


def segment_index(starts: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Element index of the segments ``[starts[j], starts[j] + counts[j])``, concatenated,
    and the offsets of the result.

    >>> idx, off = segment_index(np.array([5, 0]), np.array([2, 3]))
    >>> idx.tolist(), off.tolist()
    ([5, 6, 0, 1, 2], [0, 2, 5])
    """
    counts = np.asarray(counts)
    new_offsets = offsets_from_counts(counts)
    idx = np.arange(new_offsets[-1]) + np.repeat(np.asarray(starts) - new_offsets[:-1], counts)
    return idx, new_offsets


def gather(offsets: np.ndarray, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Element index and new offsets of the segments at ``positions``, in that order.

    ``values[idx]`` with the returned ``new_offsets`` is the grouped array of the chosen
    units (repeats allowed).

    >>> idx, off = gather(np.array([0, 2, 2, 5]), np.array([2, 0]))
    >>> idx.tolist(), off.tolist()
    ([2, 3, 4, 0, 1], [0, 3, 5])
    """
    offsets = np.asarray(offsets)
    starts = offsets[positions]
    return segment_index(starts, offsets[np.asarray(positions) + 1] - starts)
