"""Auto- and cross-correlograms of many units at once (``ck.correlograms``)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from cortexkit.core.binned import histogram_index
from cortexkit.quality import _pairs
from cortexkit.quality._checks import check_engine, check_number, check_spikes, invalid

__all__ = ["Correlograms", "correlograms"]


@dataclass(frozen=True, eq=False)
class Correlograms:
    """Spike-pair counts by lag for every ordered pair of units.

    Attributes
    ----------
    counts : numpy.ndarray
        Units x units x bins, int64: ``counts[a, b, k]`` is the number of pairs of a spike
        of unit ``a`` and a (different) spike of unit ``b`` with
        ``edges[k] <= t_b - t_a < edges[k + 1]``; ``counts[a, a]`` is the
        auto-correlogram of ``a``.  ``counts[b, a]`` is ``counts[a, b]`` reversed in lag.
    edges : numpy.ndarray
        Lag bin edges (s), symmetric: ``-window ... window``.
    unit_ids : numpy.ndarray
        Unit id of each axis entry.
    bin_size : float
        Lag bin (s).
    """

    counts: np.ndarray
    edges: np.ndarray
    unit_ids: np.ndarray
    bin_size: float

    @property
    def lags(self) -> np.ndarray:
        """Bin centres (s)."""
        return (self.edges[:-1] + self.edges[1:]) / 2

    @property
    def window(self) -> float:
        """Half-width of the lag range (s)."""
        return float(self.edges[-1])

    def pair(self, a: Any, b: Any) -> np.ndarray:
        """Counts of the pair of unit ids ``(a, b)`` (lag ``t_b - t_a``)."""
        ids = self.unit_ids.tolist()
        for u in (a, b):
            if u not in ids:
                raise invalid("unit", f"one of the correlogram's units {ids[:10]}", u)
        return self.counts[ids.index(a), ids.index(b)]

    def __repr__(self) -> str:
        n = self.counts.shape[0]
        return (f"Correlograms(n_units={n}, n_bins={self.counts.shape[2]}, "
                f"bin_size={self.bin_size:g}, window={self.window:g})")


def _lag_edges(bin_size: float, window: float) -> np.ndarray:
    ratio = window / bin_size
    n_half = int(round(ratio)) if abs(ratio - round(ratio)) < 1e-9 * max(ratio, 1) \
        else int(math.floor(ratio))
    if n_half < 1:
        raise invalid("window", f"at least bin_size ({bin_size:g} s)", window)
    return np.arange(-n_half, n_half + 1) * bin_size


def _numpy_counts(t: np.ndarray, u: np.ndarray, n_units: int, edges: np.ndarray) -> np.ndarray:
    """NumPy reference of ``correlogram_kernel``: one vectorized pass per shift ``k``
    (spike ``i`` against its ``k``-th successor in time), only over spikes that still
    have a successor inside the window."""
    n_bins = edges.size - 1
    size = n_units * n_units * n_bins
    out = np.zeros(size, dtype=np.int64)
    w = -edges[0]
    i = np.arange(max(t.size - 1, 0), dtype=np.int64)
    k = 1
    while i.size:
        j = i + k
        d = t[j] - t[i]
        keep = d <= w
        i, j, d = i[keep], j[keep], d[keep]
        if not i.size:
            break
        ui, uj = u[i], u[j]
        pos = d < edges[-1]
        out += np.bincount((ui[pos] * n_units + uj[pos]) * n_bins
                           + histogram_index(d[pos], edges), minlength=size)
        out += np.bincount((uj * n_units + ui) * n_bins + histogram_index(-d, edges),
                           minlength=size)
        k += 1
        i = i[j < t.size - 1]
    return out


def _assemble(upper: np.ndarray, ties: np.ndarray) -> np.ndarray:
    """Full correlograms from the kernel's positive-lag half.

    ``upper[a, b, k]``: pairs (earlier spike of ``a``, later of ``b``) with lag in
    positive bin ``k``; negated, such a lag falls in absolute bin ``n_pos - 1 - k`` of
    ``[b, a]``, except a lag exactly on positive edge ``k`` (``ties``), which falls in
    ``n_pos - k``.
    """
    n_a, n_b, n_pos = upper.shape
    full = np.zeros((n_a, n_b, 2 * n_pos), dtype=np.int64)
    full[..., n_pos:] = upper
    mirrored = np.zeros_like(full)
    mirrored[..., :n_pos] = (upper - ties[..., :n_pos])[..., ::-1]
    mirrored[..., :n_pos + 1] += ties[..., ::-1]
    return full + mirrored.transpose(1, 0, 2)


def correlograms(st: Any, bin_size: float = 0.001, window: float = 0.05, units: Any = None,
                 engine: str = "auto") -> Correlograms:
    """Auto- and cross-correlograms of the chosen units (all ordered pairs).

    Every pair of distinct spikes within ``window`` of each other is counted once at its
    lag ``t_b - t_a`` in ``counts[a, b]`` and once at ``t_a - t_b`` in ``counts[b, a]``;
    a spike is never paired with itself, so the auto-correlogram has no artificial peak
    at zero (exact duplicates do count at lag 0).  Counts equal
    ``np.histogram(lags, bins=edges)`` of all such lags in ``[-window, window)``.

    Parameters
    ----------
    st : SpikeTrains
        The recording.
    bin_size : float
        Lag bin (s), > 0.
    window : float
        Half-width of the lag range (s); rounded down to whole bins.
    units : sequence of unit ids, optional
        Units to correlate, in this order (default: all units).
    engine : {"auto", "numba", "numpy"}
        Compiled pair walk or the NumPy reference (identical counts).

    Returns
    -------
    Correlograms
        ``counts`` (units x units x bins), ``edges``, ``lags`` (bin centres), ``unit_ids``.

    Notes
    -----
    Spikes of all chosen units are merged in time order once; the pair walk visits each
    unordered pair once (numba), or the NumPy path compares every spike with its
    ``k``-th successor for ``k = 1, 2, ...`` until none is inside the window -- no loop
    over units or pairs.  Cost is linear in spikes plus pairs inside the window.

    Examples
    --------
    >>> import numpy as np, cortexkit as ck
    >>> st = ck.SpikeTrains.from_list([np.array([1.0, 1.0025]), np.array([1.0012])])
    >>> cg = ck.correlograms(st, bin_size=0.001, window=0.003)
    >>> cg.counts[0, 1].tolist()      # unit 1 fires 1.2 ms after / 1.3 ms before
    [0, 1, 0, 0, 1, 0]
    >>> cg.counts[0, 0].tolist()
    [1, 0, 0, 0, 0, 1]
    """
    check_spikes(st)
    bin_size = check_number("bin_size", bin_size, low=0, low_open=True, unit="s")
    window = check_number("window", window, low=0, low_open=True, unit="s")
    engine = check_engine(engine)
    edges = _lag_edges(bin_size, window)
    sel = st if units is None else st.select(units)
    n_units, n_bins = sel.n_units, edges.size - 1
    unit = _pairs.unit_of(sel.offsets)
    order = np.argsort(sel.times, kind="stable")
    t = np.ascontiguousarray(sel.times[order])
    u = unit[order]
    duration = max(sel.duration, 2 * window)
    expected_pairs = t.size * t.size * 2 * window / duration
    if _pairs.choose_engine(engine, int(expected_pairs), "quality.correlograms") == "numba":
        from cortexkit.quality._kernels import correlogram_kernel

        n_pos = n_bins // 2
        upper = np.zeros(n_units * n_units * n_pos, dtype=np.int64)
        ties = np.zeros(n_units * n_units * (n_pos + 1), dtype=np.int64)
        correlogram_kernel(t, u, n_units, np.ascontiguousarray(edges[n_pos:]), upper, ties)
        counts = _assemble(upper.reshape(n_units, n_pos, n_units).transpose(0, 2, 1),
                           ties.reshape(n_units, n_pos + 1, n_units).transpose(0, 2, 1))
    else:
        counts = _numpy_counts(t, u, n_units, edges).reshape(n_units, n_units, n_bins)
    counts.flags.writeable = False
    edges.flags.writeable = False
    return Correlograms(counts, edges, sel.unit_ids, bin_size)
