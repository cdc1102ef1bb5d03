"""Spike pairs within a lag of each other, counted per unit over flat grouped arrays.

Every function takes the layout of :class:`~cortexkit.SpikeTrains`: one flat array of
times (or integer sample indices) grouped by unit and sorted within each unit, plus
``offsets`` (unit ``i`` owns ``x[offsets[i]:offsets[i + 1]]``).  There is no Python loop
over units or pairs: the NumPy paths loop over the *shift* ``k`` between a spike and its
``k``-th successor, each step one vectorized pass over the spikes that still have a
successor inside the lag (the set shrinks fast: a spike's ``k``-th successor is later
than its ``(k-1)``-th).  The numba kernels in :mod:`cortexkit.quality._kernels` walk
the same pairs with two pointers; both give identical integers.
"""

from __future__ import annotations

import numpy as np

from cortexkit._lib import engine as _engine
from cortexkit._lib._util import unit_index

__all__ = ["unit_of", "isi_counts", "pairs_within", "lag_histogram", "pairs_in_lag_range",
           "choose_engine"]


def choose_engine(engine: str, size: int, task: str = "quality.pairs") -> str:
    """``"numba"`` or ``"numpy"`` for ``size`` items of ``task`` (``_lib.engine`` table)."""
    return _engine.choose(task, size, engine)


def unit_of(offsets: np.ndarray) -> np.ndarray:
    """Unit position of every element (length ``offsets[-1]``), int64."""
    return unit_index(offsets).astype(np.int64, copy=False)


def isi_counts(times: np.ndarray, offsets: np.ndarray, below: float) -> np.ndarray:
    """Per unit: consecutive inter-spike intervals strictly below ``below`` seconds."""
    n_units = offsets.size - 1
    if times.size < 2:
        return np.zeros(n_units, dtype=np.int64)
    d = np.diff(times)
    hit = d < below
    # a difference across a unit boundary is not an interval
    starts = offsets[1:-1]
    hit[starts[(starts > 0) & (starts < times.size)] - 1] = False
    return np.bincount(unit_of(offsets)[1:][hit], minlength=n_units).astype(np.int64)


def _successor_steps(x: np.ndarray, offsets: np.ndarray, max_lag, strict: bool):
    """Yield ``(i, j)`` index arrays of all pairs ``i < j`` of a unit with
    ``x[j] - x[i] < max_lag`` (``<=`` when not ``strict``), one shift at a time."""
    n = x.size
    if n < 2:
        return
    last = np.repeat(offsets[1:] - 1, np.diff(offsets))  # last index of each spike's unit
    i = np.arange(n - 1, dtype=np.int64)
    i = i[i < last[:-1]]  # spikes with a successor in their unit
    k = 1
    while i.size:
        j = i + k
        d = x[j] - x[i]
        keep = d < max_lag if strict else d <= max_lag
        i, j = i[keep], j[keep]
        if not i.size:
            return
        yield i, j
        k += 1
        i = i[j < last[i]]


def pairs_within(times: np.ndarray, offsets: np.ndarray, lag: float,
                 engine: str = "numpy") -> np.ndarray:
    """Per unit: pairs ``i < j`` with ``0 <= t_j - t_i <= lag`` (all pairs, not only
    consecutive spikes: three spikes inside ``lag`` are three pairs)."""
    n_units = offsets.size - 1
    if engine == "numba":
        from cortexkit.quality._kernels import pairs_within_kernel

        out = np.zeros(n_units, dtype=np.int64)
        pairs_within_kernel(times, offsets, lag, out)
        return out
    out = np.zeros(n_units, dtype=np.int64)
    unit = unit_of(offsets)
    for i, _ in _successor_steps(times, offsets, lag, strict=False):
        out += np.bincount(unit[i], minlength=n_units)
    return out


def lag_histogram(samples: np.ndarray, offsets: np.ndarray, bin_samples: int, n_bins: int,
                  engine: str = "numpy") -> np.ndarray:
    """Per unit, the one-sided auto-correlogram on integer samples: ``out[u, b]`` counts
    pairs ``i < j`` of unit ``u`` with ``(s_j - s_i) // bin_samples == b``, ``b < n_bins``
    (the binning of ``phylib.stats.correlograms(..., symmetrize=False)``)."""
    n_units = offsets.size - 1
    out = np.zeros((n_units, n_bins), dtype=np.int64)
    if engine == "numba":
        from cortexkit.quality._kernels import lag_histogram_kernel

        lag_histogram_kernel(samples, offsets, bin_samples, n_bins, out)
        return out
    unit = unit_of(offsets)
    flat = out.reshape(-1)
    for i, j in _successor_steps(samples, offsets, bin_samples * n_bins, strict=True):
        b = (samples[j] - samples[i]) // bin_samples
        flat += np.bincount(unit[i] * n_bins + b, minlength=flat.size)
    return out


def pairs_in_lag_range(samples: np.ndarray, offsets: np.ndarray, lo: int, hi: int,
                       engine: str = "numpy") -> np.ndarray:
    """Per unit: pairs ``i < j`` with ``lo <= s_j - s_i < hi`` (integer samples, lo >= 1)."""
    n_units = offsets.size - 1
    out = np.zeros(n_units, dtype=np.int64)
    if samples.size == 0:
        return out
    if engine == "numba":
        from cortexkit.quality._kernels import lag_range_kernel

        lag_range_kernel(samples, offsets, lo, hi, out)
        return out
    # One sorted integer key over all units, so that one searchsorted finds, for every
    # spike, how many later spikes of its own unit lie below a lag.
    rel = samples - samples.min()
    span = int(rel.max()) + hi + 1
    unit = unit_of(offsets)
    key = unit * span + rel
    below_hi = np.searchsorted(key, key + hi, side="left")
    below_lo = np.searchsorted(key, key + lo, side="left")
    return np.bincount(unit, weights=below_hi - below_lo, minlength=n_units).astype(np.int64)
