"""Inter-spike intervals in the flat layout, and ISI histograms."""

from __future__ import annotations

from typing import Any

import numpy as np

from cortexkit._lib._util import offsets_from_counts, unit_index, within_unit_mask
from cortexkit._lib.memory import check_alloc
from cortexkit._lib.validation import check_real
from cortexkit.errors import ValidationError

__all__ = ["Intervals", "intervals", "histogram"]


class Intervals:
    """Inter-spike intervals of many units, stored flat like :class:`~cortexkit.SpikeTrains`.

    ``values[offsets[i]:offsets[i + 1]]`` are the ISIs of unit ``i`` (in seconds, in spike
    order). A unit with ``n`` spikes has ``max(n - 1, 0)`` intervals. Instances are
    immutable: the arrays are read-only.

    Attributes
    ----------
    values : numpy.ndarray of float64
        All ISIs, grouped by unit.
    offsets : numpy.ndarray of int64
        ``n_units + 1`` boundaries into ``values``.
    unit_ids : numpy.ndarray
        Identifier of each unit (same order as the spike trains).

    Examples
    --------
    >>> import cortexkit as ck
    >>> st = ck.SpikeTrains.from_list([[0.1, 0.4, 1.0], [0.5]], t_stop=2.0)
    >>> iv = ck.isi.intervals(st)
    >>> iv.counts.tolist(), iv[0].round(3).tolist()
    ([2, 0], [0.3, 0.6])
    """

    __slots__ = ("_values", "_offsets", "_unit_ids")
    _values: np.ndarray
    _offsets: np.ndarray
    _unit_ids: np.ndarray

    def __init__(self, values: Any, offsets: Any, unit_ids: Any = None) -> None:
        values = np.array(values, dtype=np.float64)
        offsets = np.array(offsets, dtype=np.int64)
        if values.ndim != 1 or offsets.ndim != 1 or offsets.size < 1:
            raise ValidationError(
                f"values must be 1-D and offsets 1-D with n_units + 1 entries; got shapes "
                f"{values.shape} and {offsets.shape}", param="values"
            )
        if offsets[0] != 0 or offsets[-1] != values.size or np.any(np.diff(offsets) < 0):
            raise ValidationError(
                f"offsets must start at 0, never decrease and end at len(values) = {values.size}",
                param="offsets"
            )
        n_units = offsets.size - 1
        unit_ids = np.arange(n_units) if unit_ids is None else np.array(unit_ids)
        if unit_ids.shape != (n_units,):
            raise ValidationError(
                f"unit_ids must have one entry per unit ({n_units}); got shape {unit_ids.shape}",
                param="unit_ids"
            )
        for a in (values, offsets, unit_ids):
            a.setflags(write=False)
        object.__setattr__(self, "_values", values)
        object.__setattr__(self, "_offsets", offsets)
        object.__setattr__(self, "_unit_ids", unit_ids)

    @classmethod
    def _own(cls, values: np.ndarray, offsets: np.ndarray, unit_ids: np.ndarray) -> Intervals:
        """Wrap arrays this module just built (float64 / int64, consistent), no copies."""
        self = object.__new__(cls)
        if unit_ids.flags.writeable:
            unit_ids = unit_ids.copy()
        for a in (values, offsets, unit_ids):
            a.setflags(write=False)
        object.__setattr__(self, "_values", values)
        object.__setattr__(self, "_offsets", offsets)
        object.__setattr__(self, "_unit_ids", unit_ids)
        return self

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Intervals is immutable")

    @property
    def values(self) -> np.ndarray:
        """All ISIs (s), grouped by unit (read-only)."""
        return self._values

    @property
    def offsets(self) -> np.ndarray:
        """``n_units + 1`` boundaries into :attr:`values` (read-only)."""
        return self._offsets

    @property
    def unit_ids(self) -> np.ndarray:
        """Identifier of each unit."""
        return self._unit_ids

    @property
    def counts(self) -> np.ndarray:
        """Number of ISIs of each unit."""
        return np.diff(self._offsets)

    @property
    def n_units(self) -> int:
        """Number of units (including units without intervals)."""
        return int(self._offsets.size - 1)

    @property
    def unit_index(self) -> np.ndarray:
        """Position of the unit each interval belongs to (same length as :attr:`values`)."""
        return unit_index(self._offsets)

    def unit(self, i: int) -> np.ndarray:
        """The ISIs of the unit at position ``i`` (0 <= i < n_units), read-only."""
        i = int(i)
        if not -self.n_units <= i < self.n_units:
            raise ValidationError(
                f"unit position {i} is out of range for {self.n_units} units; "
                "use a position 0 <= i < n_units (SpikeTrains.position(unit_id) maps ids)"
            )
        i %= self.n_units
        return self._values[self._offsets[i]:self._offsets[i + 1]]

    def __getitem__(self, i: int) -> np.ndarray:
        return self.unit(i)

    def __len__(self) -> int:
        return self.n_units

    def __repr__(self) -> str:
        return f"Intervals(n_units={self.n_units}, n_intervals={self._values.size})"


def intervals(st: Any) -> Intervals:
    """Inter-spike intervals of every unit, in the same flat layout as the spike trains.

    One pass over the spike times: each unit's differences are written straight into
    the flat result (no per-unit arrays, no mask and compaction pass).

    Parameters
    ----------
    st : SpikeTrains
        The recording.

    Returns
    -------
    Intervals
        ``values`` (ISIs in s) and ``offsets``; unit ``i`` has ``max(counts[i] - 1, 0)``
        intervals.

    Examples
    --------
    >>> import cortexkit as ck
    >>> st = ck.SpikeTrains.from_list([[0.0, 0.5, 0.75], [], [1.0, 3.0]], t_stop=4.0)
    >>> iv = ck.isi.intervals(st)
    >>> iv.values.tolist(), iv.offsets.tolist()
    ([0.5, 0.25, 2.0], [0, 2, 2, 3])
    """
    times, offsets = _flat(st)
    values, new_offsets = private_intervals(times, offsets)
    return Intervals._own(values, new_offsets, np.asarray(st.unit_ids))


def private_intervals(times: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The flat ISIs (a new, writable array) and their offsets, as :func:`intervals`."""
    counts = np.diff(offsets)
    new_offsets = offsets_from_counts(np.maximum(counts - 1, 0))
    if counts.size * _MIN_MEAN_SPIKES <= times.size:
        values = np.empty(int(new_offsets[-1]))
        segment_diffs(times, offsets, new_offsets, values)
    else:
        values = intervals_flat(times, offsets)
    return values, new_offsets


# Units with this many spikes on average go through segment_diffs (one np.subtract per
# unit, straight into place: one pass over the times, no mask, no compaction copy); below
# it the per-call overhead (~1 us per unit) makes the flat diff + mask faster.
_MIN_MEAN_SPIKES = 64


def segment_diffs(times: np.ndarray, offsets: np.ndarray, out_offsets: np.ndarray,
                  out: np.ndarray) -> None:
    """Write the consecutive differences of every ``offsets`` segment of ``times`` into
    ``out`` at ``out_offsets`` (the cumulative sums of ``max(count - 1, 0)``)."""
    sub = np.subtract
    for a, b, o in zip(offsets[:-1].tolist(), offsets[1:].tolist(), out_offsets[:-1].tolist(),
                       strict=True):
        if b - a > 1:
            sub(times[a + 1:b], times[a:b - 1], out=out[o:o + b - a - 1])


def intervals_flat(times: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """The ISIs of all units by one ``np.diff`` and a mask that drops the differences
    across unit boundaries (the NumPy reference of :func:`segment_diffs`)."""
    return np.diff(times)[within_unit_mask(offsets)]


def _flat(st: Any) -> tuple[np.ndarray, np.ndarray]:
    try:
        return np.asarray(st.times, dtype=np.float64), np.asarray(st.offsets, dtype=np.int64)
    except AttributeError:
        raise ValidationError(
            f"st must be a cortexkit.SpikeTrains (flat times + offsets); got "
            f"{type(st).__name__}. Build one with SpikeTrains.from_list or ck.io.load_spikes",
            param="st"
        ) from None


def as_isi_array(isis: Any, name: str = "isis") -> np.ndarray:
    """A 1-D float64 copy of one unit's ISIs (array or single-unit :class:`Intervals`).

    Parameters
    ----------
    isis : array_like or Intervals
        ISIs of one unit in seconds (finite, >= 0).
    name : str, default "isis"
        The argument's name in error messages.

    Returns
    -------
    numpy.ndarray of float64
        A new array; the input is never modified.

    Examples
    --------
    >>> from cortexkit.isi import as_isi_array
    >>> as_isi_array([0.1, 0.25]).dtype
    dtype('float64')
    """
    if isinstance(isis, Intervals):
        if isis.n_units != 1:
            raise ValidationError(
                f"{name} is an Intervals of {isis.n_units} units; pass one unit's ISIs, "
                "e.g. intervals(st)[i]", param=name
            )
        isis = isis.values
    a = check_real(name, isis)
    if a.ndim != 1 or (a.size and not np.issubdtype(a.dtype, np.number)):
        raise ValidationError(
            f"{name} must be a 1-D numeric array of ISIs in seconds; got shape {a.shape}, "
            f"dtype {a.dtype}", param=name
        )
    a = a.astype(np.float64)
    bad = ~np.isfinite(a) | (a < 0)
    if bad.any():
        raise ValidationError(
            f"{name} must be finite and >= 0 (intervals in s); {int(bad.sum())} value(s) are "
            f"not, first {a[bad][0]!r}: remove them", param=name
        )
    return a


def histogram(
    isis: Any,
    bins: int | Any = 50,
    range: tuple[float, float] | None = None,  # noqa: A002 - numpy's name
    density: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Histogram of one unit's inter-spike intervals.

    Parameters
    ----------
    isis : array_like or Intervals
        ISIs in seconds (1-D), or an :class:`Intervals` holding one unit.
    bins : int or array_like, default 50
        Number of equal bins, or the bin edges (increasing).
    range : (float, float), optional
        ``(lo, hi)`` in seconds; default ``(0, max ISI)``.
    density : bool, default False
        Normalise to a probability density (integral 1 over the range).

    Returns
    -------
    counts : numpy.ndarray
        Counts (float density when ``density``) per bin.
    edges : numpy.ndarray
        ``len(counts) + 1`` bin edges.

    Examples
    --------
    >>> import cortexkit as ck
    >>> counts, edges = ck.isi.histogram([0.01, 0.02, 0.021, 0.05], bins=5, range=(0, 0.05))
    >>> counts.tolist()
    [0, 1, 2, 0, 1]
    """
    a = as_isi_array(isis)
    if np.ndim(bins) == 0:
        if isinstance(bins, bool) or not isinstance(bins, int | np.integer) or bins < 1:
            raise ValidationError(f"bins must be a positive integer or edges; got {bins!r}",
                                  param="bins")
        check_alloc("bins", 16.0 * bins, f"bins={bins:,}", "use fewer bins")
    else:
        bins = np.asarray(bins, dtype=np.float64)
        if bins.ndim != 1 or bins.size < 2 or np.any(np.diff(bins) <= 0):
            raise ValidationError("bins given as edges must be 1-D, >= 2 values, increasing",
                                  param="bins")
    if range is not None:
        try:
            lo, hi = (float(v) for v in range)
        except (TypeError, ValueError):
            raise ValidationError(f"range must be (lo, hi) in seconds; got {range!r}",
                                  param="range") from None
        if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
            raise ValidationError(f"range must satisfy lo < hi (finite); got ({lo}, {hi})",
                                  param="range")
        range = (lo, hi)
    elif np.ndim(bins) == 0:
        hi = float(a.max()) if a.size else 1.0
        range = (0.0, hi if hi > 0 else 1.0)
    try:
        counts, edges = np.histogram(a, bins=bins, range=range)
    except ValueError as exc:  # "Too many bins for data range" at float64 resolution
        raise ValidationError(
            f"range {range} s is too narrow for {bins} bins at float64 precision ({exc}); "
            "widen the range or use fewer bins", param="range") from None
    if density:
        total = counts.sum()
        if total == 0:
            raise ValidationError(
                f"density=True needs ISIs inside the range [{edges[0]:g}, {edges[-1]:g}] s; "
                "there are none: widen the range"
            )
        return counts / (total * np.diff(edges)), edges
    return counts, edges
