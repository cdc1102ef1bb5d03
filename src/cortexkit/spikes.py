"""The core data structure: :class:`SpikeTrains`, spike times of many units.

Times of all units live in one flat float64 array, grouped by unit and sorted within
each unit, with ``offsets`` marking where each unit starts (``times[offsets[i]:offsets[i+1]]``
is unit ``i``).  Every per-unit analysis can therefore be written as one pass over flat
arrays (``np.add.reduceat``, ``np.bincount``) instead of a Python loop over units.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from cortexkit.errors import CortexkitWarning, ValidationError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SpikeTrains"]

# A median ISI above this is implausible for a sorted unit (seconds).
_MAX_PLAUSIBLE_MEDIAN_ISI = 60.0


def looks_like_samples(times: np.ndarray) -> bool:
    """True when times are all whole numbers reaching beyond 1000: sample indices, not seconds."""
    if times.size < 10:
        return False
    return bool(np.nanmax(times) > 1000.0 and np.all(times == np.round(times)))


def unit_index(offsets: np.ndarray) -> np.ndarray:
    """Position of the unit each spike belongs to (length ``offsets[-1]``)."""
    return np.repeat(np.arange(offsets.size - 1), np.diff(offsets))


def _group_by_code(values: np.ndarray, codes: np.ndarray, n_groups: int):
    """Stable counting sort of ``values`` by integer ``codes`` (linear time)."""
    counts = np.bincount(codes, minlength=n_groups)
    offsets = np.zeros(n_groups + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    from cortexkit._kernels import scatter_by_code

    out = scatter_by_code(values, codes, offsets)
    return out, offsets


class SpikeTrains:
    """Spike times of many units from one recording, stored flat.

    Most users build one with :meth:`from_list`, :meth:`from_events` or
    :func:`cortexkit.io.load_spikes`.  The constructor takes the flat layout directly.

    Parameters
    ----------
    times : array_like of float
        All spike times in seconds, grouped by unit (unit 0 first).
    offsets : array_like of int
        ``n_units + 1`` increasing indices into ``times``; unit ``i`` is
        ``times[offsets[i]:offsets[i + 1]]``.
    unit_ids : array_like, optional
        Identifier of each unit (default ``0 .. n_units - 1``). Must be unique.
    t_start, t_stop : float, optional
        Recording interval in seconds. Default: 0 (or the first spike when
        ``allow_negative``) and the last spike.
    unit_info : pandas.DataFrame, optional
        One row per unit (same order as ``unit_ids``): area, depth, quality label ...
    sort : bool, default True
        Sort times within units that are out of order (with a warning). When False,
        out-of-order times raise :class:`~cortexkit.errors.ValidationError`.
    allow_negative : bool, default False
        Accept negative spike times (e.g. times relative to a stimulus).

    Examples
    --------
    >>> import cortexkit as ck
    >>> st = ck.SpikeTrains.from_list([[0.1, 0.5, 0.9], [0.2]], t_stop=1.0)
    >>> st.n_units, st.n_spikes, st.counts.tolist()
    (2, 4, [3, 1])
    >>> st.rates.tolist()
    [3.0, 1.0]
    """

    __slots__ = ("_times", "_offsets", "_unit_ids", "_t_start", "_t_stop", "_unit_info",
                 "_n_duplicates")

    def __init__(
        self,
        times: Any,
        offsets: Any,
        unit_ids: Any = None,
        t_start: float | None = None,
        t_stop: float | None = None,
        unit_info: pd.DataFrame | None = None,
        *,
        sort: bool = True,
        allow_negative: bool = False,
    ) -> None:
        times = _as_float_array(times, "times")
        offsets = np.asarray(offsets)
        if offsets.ndim != 1 or offsets.size < 1 or not np.issubdtype(offsets.dtype, np.integer):
            raise ValidationError(
                "offsets must be a 1-D integer array of length n_units + 1 "
                f"(got shape {offsets.shape}, dtype {offsets.dtype})"
            )
        offsets = offsets.astype(np.int64)
        if offsets[0] != 0 or offsets[-1] != times.size or np.any(np.diff(offsets) < 0):
            raise ValidationError(
                "offsets must start at 0, never decrease and end at len(times) "
                f"(= {times.size}); got offsets[0]={offsets[0]}, offsets[-1]={offsets[-1]}"
            )
        n_units = offsets.size - 1
        if unit_ids is None:
            unit_ids = np.arange(n_units)
        unit_ids = np.asarray(unit_ids)
        if unit_ids.ndim != 1 or unit_ids.size != n_units:
            raise ValidationError(
                f"unit_ids must have one entry per unit ({n_units}); got shape {unit_ids.shape}"
            )
        if unit_ids.dtype == object:
            unit_ids = unit_ids.astype(str)
        if np.unique(unit_ids).size != n_units:
            vals, cnt = np.unique(unit_ids, return_counts=True)
            raise ValidationError(
                f"unit_ids must be unique; repeated: {vals[cnt > 1][:5].tolist()}"
            )

        bad = ~np.isfinite(times)
        if bad.any():
            first = int(np.flatnonzero(bad)[0])
            u = int(np.searchsorted(offsets, first, side="right") - 1)
            raise ValidationError(
                f"{int(bad.sum())} spike times are not finite (NaN or inf), first in unit "
                f"{unit_ids[u].item()!r}; remove them before building SpikeTrains"
            )

        times, n_unsorted = _sort_within_units(times, offsets, unit_ids, sort)

        t_start, t_stop = _resolve_interval(times, t_start, t_stop, allow_negative)
        if times.size:
            lo, hi = times.min(), times.max()
            if lo < t_start or hi > t_stop:
                which = int(np.argmin(times)) if lo < t_start else int(np.argmax(times))
                u = int(np.searchsorted(offsets, which, side="right") - 1)
                raise ValidationError(
                    f"spike time {float(times[which])!r} s of unit {unit_ids[u].item()!r} lies outside "
                    f"[t_start, t_stop] = [{t_start}, {t_stop}] s; widen the interval or "
                    "drop those spikes (st.restrict)"
                )

        if unit_info is not None:
            import pandas as pd

            if not isinstance(unit_info, pd.DataFrame) or len(unit_info) != n_units:
                raise ValidationError(
                    f"unit_info must be a pandas DataFrame with one row per unit ({n_units})"
                )
            unit_info = unit_info.reset_index(drop=True).copy()

        self._times = times
        self._offsets = offsets
        self._unit_ids = unit_ids
        self._t_start = float(t_start)
        self._t_stop = float(t_stop)
        self._unit_info = unit_info
        self._times.flags.writeable = False
        self._offsets.flags.writeable = False
        self._unit_ids.flags.writeable = False

        dup = _within_unit_diff(times, offsets) == 0
        self._n_duplicates = int(dup.sum())
        if n_unsorted:
            warnings.warn(
                f"spike times of {n_unsorted} unit(s) were not sorted; they were sorted "
                "(pass sort=False to refuse unsorted input instead)",
                CortexkitWarning,
                stacklevel=3,
            )
        if self._n_duplicates:
            warnings.warn(
                f"{self._n_duplicates} duplicate spike time(s) within units (zero ISIs), "
                "common in Kilosort output; they are kept and counted in st.n_duplicates",
                CortexkitWarning,
                stacklevel=3,
            )
        self._warn_implausible()

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_list(
        cls,
        trains: Iterable[Any],
        unit_ids: Any = None,
        t_start: float | None = None,
        t_stop: float | None = None,
        **kwargs: Any,
    ) -> SpikeTrains:
        """Build from a list (or object array) of per-unit 1-D spike-time arrays.

        Parameters
        ----------
        trains : iterable of array_like
            One array of spike times (seconds) per unit; empty arrays are allowed.
        unit_ids, t_start, t_stop, **kwargs
            As in :class:`SpikeTrains`.

        Returns
        -------
        SpikeTrains

        Examples
        --------
        >>> import numpy as np, cortexkit as ck
        >>> st = ck.SpikeTrains.from_list(np.array([np.array([0.5, 1.5]), np.array([])],
        ...                                        dtype=object), t_stop=2.0)
        >>> st.counts.tolist()
        [2, 0]
        """
        arrays = []
        for i, tr in enumerate(trains):
            a = np.asarray(tr)
            if a.dtype == object:
                try:
                    a = a.astype(np.float64)
                except (TypeError, ValueError) as exc:
                    raise ValidationError(
                        f"unit {i}: spike times must be numbers; got {a[:3]!r}"
                    ) from exc
            a = np.ravel(a) if a.ndim == 2 and 1 in a.shape else a
            if a.ndim != 1:
                raise ValidationError(
                    f"unit {i}: spike times must be a 1-D array; got shape {a.shape}"
                )
            if a.size and not (np.issubdtype(a.dtype, np.number) or a.dtype == bool):
                raise ValidationError(f"unit {i}: spike times must be numbers, got {a.dtype}")
            arrays.append(a)
        counts = np.fromiter((a.size for a in arrays), dtype=np.int64, count=len(arrays))
        offsets = np.zeros(len(arrays) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        times = (np.concatenate(arrays).astype(np.float64, copy=False) if arrays
                 else np.empty(0))
        return cls(times, offsets, unit_ids, t_start, t_stop, **kwargs)

    @classmethod
    def from_events(
        cls,
        times: Any,
        units: Any,
        unit_ids: Any = None,
        t_start: float | None = None,
        t_stop: float | None = None,
        **kwargs: Any,
    ) -> SpikeTrains:
        """Build from (time, unit label) event pairs in any order (ALF / Kilosort layout).

        Grouping by unit is a stable counting sort (linear in the number of spikes);
        times are then sorted within a unit only where they are not already.

        Parameters
        ----------
        times : array_like of float
            Spike times in seconds, one per event.
        units : array_like
            Unit label of each event (integers or strings).
        unit_ids : array_like, optional
            The units to keep, in this order; units without spikes are allowed.
            Default: the labels that occur, sorted.
        t_start, t_stop, **kwargs
            As in :class:`SpikeTrains`.

        Returns
        -------
        SpikeTrains

        Examples
        --------
        >>> import cortexkit as ck
        >>> st = ck.SpikeTrains.from_events([0.1, 0.2, 0.3, 0.4], [7, 3, 7, 7])
        >>> st.unit_ids.tolist(), st.counts.tolist()
        ([3, 7], [1, 3])
        """
        times = _as_float_array(times, "times")
        units = np.asarray(units)
        if units.ndim == 2 and 1 in units.shape:
            units = units.ravel()
        if units.shape != times.shape:
            raise ValidationError(
                f"times and units must have the same length; got {times.shape} and {units.shape}"
            )
        codes, unit_ids = _encode_labels(units, unit_ids)
        grouped, offsets = _group_by_code(times, codes, unit_ids.size)
        return cls(grouped, offsets, unit_ids, t_start, t_stop, **kwargs)

    # ------------------------------------------------------------------ attributes
    @property
    def times(self) -> np.ndarray:
        """All spike times, grouped by unit (read-only flat array, seconds)."""
        return self._times

    @property
    def offsets(self) -> np.ndarray:
        """``n_units + 1`` indices into :attr:`times` delimiting each unit."""
        return self._offsets

    @property
    def n_units(self) -> int:
        """Number of units (including units without spikes)."""
        return self._offsets.size - 1

    @property
    def n_spikes(self) -> int:
        """Total number of spikes."""
        return int(self._times.size)

    @property
    def unit_ids(self) -> np.ndarray:
        """Identifier of each unit, in storage order."""
        return self._unit_ids

    @property
    def t_start(self) -> float:
        """Start of the recording interval (s)."""
        return self._t_start

    @property
    def t_stop(self) -> float:
        """End of the recording interval (s)."""
        return self._t_stop

    @property
    def duration(self) -> float:
        """``t_stop - t_start`` (s)."""
        return self._t_stop - self._t_start

    @property
    def counts(self) -> np.ndarray:
        """Number of spikes of each unit."""
        return np.diff(self._offsets)

    @property
    def rates(self) -> np.ndarray:
        """Mean firing rate of each unit over the recording interval (Hz)."""
        if self.duration <= 0:
            raise ValidationError("rates need a recording of positive duration (t_stop > t_start)")
        return self.counts / self.duration

    @property
    def n_duplicates(self) -> int:
        """Number of spikes that repeat the previous spike time of the same unit."""
        return self._n_duplicates

    @property
    def unit_info(self) -> pd.DataFrame | None:
        """Optional per-unit table (area, depth, quality ...), one row per unit."""
        return None if self._unit_info is None else self._unit_info.copy()

    @property
    def unit_index(self) -> np.ndarray:
        """Unit position of every spike in :attr:`times`."""
        return unit_index(self._offsets)

    # ------------------------------------------------------------------ access
    def train(self, i: int) -> np.ndarray:
        """Spike times of the unit at position ``i`` (0 <= i < n_units)."""
        if isinstance(i, bool) or not isinstance(i, int | np.integer):
            raise ValidationError(f"unit position must be an integer, got {i!r}; "
                                  "use select() to pick units by id")
        if not 0 <= i < self.n_units:
            raise ValidationError(
                f"unit position {i} out of range; there are {self.n_units} units "
                "(positions 0 .. n_units - 1; use select() to pick units by id)"
            )
        return self._times[self._offsets[i]:self._offsets[i + 1]]

    def __getitem__(self, i: int) -> np.ndarray:
        return self.train(i)

    def __len__(self) -> int:
        return self.n_units

    def __iter__(self):
        for i in range(self.n_units):
            yield self.train(i)

    def __repr__(self) -> str:
        return (f"SpikeTrains(n_units={self.n_units}, n_spikes={self.n_spikes}, "
                f"t_start={self.t_start:g}, t_stop={self.t_stop:g})")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SpikeTrains):
            return NotImplemented
        return (np.array_equal(self._times, other._times)
                and np.array_equal(self._offsets, other._offsets)
                and np.array_equal(self._unit_ids, other._unit_ids)
                and self._t_start == other._t_start and self._t_stop == other._t_stop)

    __hash__ = None  # type: ignore[assignment]

    def position(self, unit_id: Any) -> int:
        """Position of the unit with id ``unit_id``."""
        hit = np.flatnonzero(self._unit_ids == np.asarray(unit_id, dtype=self._unit_ids.dtype))
        if hit.size == 0:
            raise ValidationError(
                f"unit id {unit_id!r} not found; available ids include "
                f"{self._unit_ids[:10].tolist()}"
            )
        return int(hit[0])

    def select(self, units: Any) -> SpikeTrains:
        """A new SpikeTrains with the units of the given ids, in the given order.

        Examples
        --------
        >>> import cortexkit as ck
        >>> st = ck.SpikeTrains.from_events([0.1, 0.2, 0.3], [5, 6, 5])
        >>> st.select([6]).counts.tolist()
        [1]
        """
        ids = np.atleast_1d(np.asarray(units))
        pos = np.array([self.position(u) for u in ids], dtype=np.int64)
        return self._take(pos)

    def _take(self, pos: np.ndarray) -> SpikeTrains:
        starts = self._offsets[pos]
        counts = self.counts[pos]
        new_offsets = np.zeros(pos.size + 1, dtype=np.int64)
        np.cumsum(counts, out=new_offsets[1:])
        idx = np.arange(new_offsets[-1]) + np.repeat(starts - new_offsets[:-1], counts)
        info = None if self._unit_info is None else self._unit_info.iloc[pos]
        return self._new(self._times[idx], new_offsets, self._unit_ids[pos],
                         self._t_start, self._t_stop, info)

    def restrict(self, t0: float, t1: float) -> SpikeTrains:
        """Keep spikes with ``t0 <= t < t1``; the result spans ``[t0, t1]``.

        Examples
        --------
        >>> import cortexkit as ck
        >>> st = ck.SpikeTrains.from_list([[0.1, 0.5, 0.9]], t_stop=1.0)
        >>> st.restrict(0.5, 1.0).train(0).tolist()
        [0.5, 0.9]
        """
        t0, t1 = float(t0), float(t1)
        if not (np.isfinite(t0) and np.isfinite(t1)) or t1 <= t0:
            raise ValidationError(f"restrict needs finite t0 < t1; got t0={t0}, t1={t1}")
        keep = (self._times >= t0) & (self._times < t1)
        counts = np.bincount(self.unit_index[keep], minlength=self.n_units)
        offsets = np.zeros(self.n_units + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        return self._new(self._times[keep], offsets, self._unit_ids, t0, t1, self._unit_info)

    @classmethod
    def _new(cls, times, offsets, unit_ids, t_start, t_stop, unit_info) -> SpikeTrains:
        """Build from parts already validated (no checks, no warnings)."""
        obj = cls.__new__(cls)
        obj._times = np.asarray(times, dtype=np.float64)
        obj._offsets = np.asarray(offsets, dtype=np.int64)
        obj._unit_ids = np.asarray(unit_ids)
        obj._t_start = float(t_start)
        obj._t_stop = float(t_stop)
        obj._unit_info = None if unit_info is None else unit_info.reset_index(drop=True)
        obj._n_duplicates = int((_within_unit_diff(obj._times, obj._offsets) == 0).sum())
        for a in (obj._times, obj._offsets, obj._unit_ids):
            a.flags.writeable = False
        return obj

    # ------------------------------------------------------------------ conversion
    def to_list(self) -> list[np.ndarray]:
        """Per-unit arrays of spike times (copies)."""
        return [a.copy() for a in np.split(self._times, self._offsets[1:-1])]

    def to_dataframe(self) -> pd.DataFrame:
        """Long table with columns ``unit`` (unit id) and ``time`` (s)."""
        import pandas as pd

        return pd.DataFrame({"unit": np.repeat(self._unit_ids, self.counts),
                             "time": self._times.copy()})

    def to_neo(self) -> list:
        """A list of ``neo.SpikeTrain`` (one per unit, times in s, name = unit id)."""
        from cortexkit._optional import optional_import

        neo = optional_import("neo")
        pq = optional_import("quantities")
        return [neo.SpikeTrain(tr * pq.s, t_start=self._t_start * pq.s,
                               t_stop=self._t_stop * pq.s, name=str(uid))
                for tr, uid in zip(self.to_list(), self._unit_ids, strict=True)]

    @classmethod
    def from_neo(cls, trains: Sequence[Any], unit_ids: Any = None, **kwargs: Any) -> SpikeTrains:
        """Build from a list of ``neo.SpikeTrain`` (times converted to seconds)."""
        if len(trains) == 0:
            raise ValidationError("from_neo needs at least one neo.SpikeTrain")
        arrays = [np.asarray(tr.rescale("s").magnitude, dtype=np.float64) for tr in trains]
        t_start = kwargs.pop("t_start", min(float(tr.t_start.rescale("s").magnitude)
                                            for tr in trains))
        t_stop = kwargs.pop("t_stop", max(float(tr.t_stop.rescale("s").magnitude)
                                          for tr in trains))
        if unit_ids is None:
            names = [tr.name for tr in trains]
            unit_ids = names if all(n is not None for n in names) and len(set(names)) == len(
                names) else None
        return cls.from_list(arrays, unit_ids=unit_ids, t_start=t_start, t_stop=t_stop,
                             allow_negative=t_start < 0, **kwargs)

    def to_pynapple(self):
        """A ``pynapple.TsGroup`` keyed by unit id (integer ids) or position."""
        from cortexkit._optional import optional_import

        nap = optional_import("pynapple")
        keys = (self._unit_ids.tolist() if np.issubdtype(self._unit_ids.dtype, np.integer)
                else list(range(self.n_units)))
        support = nap.IntervalSet(start=self._t_start, end=self._t_stop)
        return nap.TsGroup({k: nap.Ts(t=tr) for k, tr in zip(keys, self.to_list(), strict=True)},
                           time_support=support)

    @classmethod
    def from_pynapple(cls, group: Any, **kwargs: Any) -> SpikeTrains:
        """Build from a ``pynapple.TsGroup`` (its keys become unit ids)."""
        keys = list(group.keys())
        arrays = [np.asarray(group[k].index, dtype=np.float64) for k in keys]
        support = group.time_support
        t_start = kwargs.pop("t_start", float(np.min(support.start)) if len(support) else None)
        t_stop = kwargs.pop("t_stop", float(np.max(support.end)) if len(support) else None)
        return cls.from_list(arrays, unit_ids=np.asarray(keys), t_start=t_start, t_stop=t_stop,
                             allow_negative=t_start is not None and t_start < 0, **kwargs)

    # ------------------------------------------------------------------ checks
    def _warn_implausible(self) -> None:
        if looks_like_samples(self._times):
            warnings.warn(
                f"spike times are whole numbers up to {self._times.max():.0f}: they look like "
                "sample indices, not seconds; divide by the sampling rate "
                "(load_spikes(..., sample_rate=...))",
                CortexkitWarning,
                stacklevel=4,
            )
            return
        # A median ISI above the limit needs at least half the ISIs above it, so the
        # span of the unit must exceed limit * n_isi / 2: screen cheaply, then check.
        counts = self.counts
        has = counts >= 2
        span = np.zeros(self.n_units)
        span[has] = (self._times[self._offsets[1:][has] - 1]
                     - self._times[self._offsets[:-1][has]])
        cand = np.flatnonzero(has & (span >= 0.5 * _MAX_PLAUSIBLE_MEDIAN_ISI * (counts - 1)))
        med = {int(u): float(np.median(np.diff(self.train(int(u))))) for u in cand}
        slow = [u for u, m in med.items() if m > _MAX_PLAUSIBLE_MEDIAN_ISI]
        if slow:
            warnings.warn(
                f"{len(slow)} unit(s) have a median ISI above {_MAX_PLAUSIBLE_MEDIAN_ISI:g} s "
                f"(e.g. unit {self._unit_ids[slow[0]].item()!r}: {med[slow[0]]:.3g} s); check the "
                "time unit (ms vs s) or the unit's quality",
                CortexkitWarning,
                stacklevel=4,
            )

# ---------------------------------------------------------------------- helpers
def _as_float_array(x: Any, name: str) -> np.ndarray:
    a = np.asarray(x)
    if a.ndim == 2 and 1 in a.shape:
        a = a.ravel()
    if a.ndim != 1:
        raise ValidationError(f"{name} must be a 1-D array; got shape {a.shape}")
    if a.size and not (np.issubdtype(a.dtype, np.number)):
        raise ValidationError(f"{name} must be numeric; got dtype {a.dtype}")
    return np.array(a, dtype=np.float64)  # always a private copy: inputs are never modified


def _within_unit_mask(offsets: np.ndarray) -> np.ndarray:
    """Mask over ``np.diff(times)`` that is False where the diff crosses a unit boundary."""
    n = int(offsets[-1])
    mask = np.ones(max(n - 1, 0), dtype=bool)
    b = offsets[1:-1] - 1
    b = b[(b >= 0) & (b < n - 1)]
    mask[b] = False
    return mask


def _within_unit_diff(times: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    return np.diff(times)[_within_unit_mask(offsets)]


def _sort_within_units(times, offsets, unit_ids, sort):
    d = np.diff(times)
    mask = _within_unit_mask(offsets)
    bad = np.flatnonzero((d < 0) & mask)
    if bad.size == 0:
        return times, 0
    units = np.unique(np.searchsorted(offsets, bad, side="right") - 1)
    if not sort:
        raise ValidationError(
            f"spike times of {units.size} unit(s) are not sorted (first: unit "
            f"{unit_ids[units[0]].item()!r}); sort them or pass sort=True"
        )
    for u in units:  # only the unsorted units: usually none or a few
        seg = slice(offsets[u], offsets[u + 1])
        times[seg] = np.sort(times[seg], kind="stable")
    return times, int(units.size)


def _resolve_interval(times, t_start, t_stop, allow_negative):
    if t_start is None:
        if times.size and times.min() < 0:
            if not allow_negative:
                raise ValidationError(
                    f"negative spike times (min {times.min():g} s); times must be seconds from "
                    "the recording start: shift them, or pass t_start=... or allow_negative=True"
                )
            t_start = float(times.min())
        else:
            t_start = 0.0
    if t_stop is None:
        if times.size == 0:
            raise ValidationError("no spikes and no t_stop: pass t_stop to give the duration")
        t_stop = float(times.max())
    t_start, t_stop = float(t_start), float(t_stop)
    if not (np.isfinite(t_start) and np.isfinite(t_stop)):
        raise ValidationError(f"t_start and t_stop must be finite; got {t_start}, {t_stop}")
    if t_stop < t_start:
        raise ValidationError(f"t_stop ({t_stop}) must not be before t_start ({t_start})")
    return t_start, t_stop


def _encode_labels(units: np.ndarray, unit_ids: Any):
    """Integer codes 0..n-1 for event labels, and the unit ids they index."""
    integer = np.issubdtype(units.dtype, np.integer) or units.size == 0
    if integer and units.size and units.min() >= 0 and units.max() < 50 * units.size + 1_000_000:
        units = units.astype(np.int64, copy=False)
        size = int(units.max()) + 1 if units.size else 0
        if unit_ids is None:
            present = np.bincount(units, minlength=size) > 0
            unit_ids = np.flatnonzero(present)
        unit_ids = np.asarray(unit_ids)
        if not np.issubdtype(unit_ids.dtype, np.integer):
            raise ValidationError("unit_ids must be integers when the event labels are integers")
        size = max(size, int(unit_ids.max()) + 1 if unit_ids.size else 0)
        lut = np.full(size, -1, dtype=np.int64)
        if unit_ids.size and unit_ids.min() < 0:
            raise ValidationError("unit_ids must be non-negative for non-negative labels")
        lut[unit_ids] = np.arange(unit_ids.size)
        codes = lut[units]
    else:
        uniq, inv = np.unique(units, return_inverse=True)
        if unit_ids is None:
            unit_ids = uniq
        unit_ids = np.asarray(unit_ids)
        pos = {u: i for i, u in enumerate(unit_ids.tolist())}
        if len(pos) != unit_ids.size:
            raise ValidationError("unit_ids must be unique")
        lut = np.array([pos.get(u, -1) for u in uniq.tolist()], dtype=np.int64)
        codes = lut[inv]
    missing = codes < 0
    if missing.any():
        raise ValidationError(
            f"{int(missing.sum())} events have unit labels not in unit_ids "
            f"(e.g. {units[missing][0]!r}); add them to unit_ids or drop those events"
        )
    return codes, unit_ids
