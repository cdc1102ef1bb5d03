"""The core data structure: :class:`SpikeTrains`, spike times of many units.

Times of all units live in one flat float64 array, grouped by unit and sorted within
each unit, with ``offsets`` marking where each unit starts (``times[offsets[i]:offsets[i+1]]``
is unit ``i``).  Every per-unit analysis can therefore be written as one pass over flat
arrays (``np.add.reduceat``, ``np.bincount``) instead of a Python loop over units.

All three constructors (``SpikeTrains(times, offsets)``, :meth:`SpikeTrains.from_list`,
:meth:`SpikeTrains.from_events`) end in one validated path, ``_init_checked``: the times
are checked in one pass (:mod:`cortexkit.core._grouping`: non-finite values, order within
units, duplicates), the recording interval is resolved, and the warnings of
:mod:`cortexkit.core._plausibility` are issued.  Operations on a valid object
(``take``, ``restrict``) and library kernels whose output is valid by construction use
:func:`from_trusted_parts`, which skips the checks.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from cortexkit._lib._util import gather, offsets_from_counts, unit_index, within_unit_mask
from cortexkit._lib.validation import check_number, invalid
from cortexkit.core import _checks, _grouping
from cortexkit.core._interop import InteropMixin
from cortexkit.errors import ValidationError

if TYPE_CHECKING:
    import pandas as pd

    from cortexkit.core.binned import PSTH, BinnedSpikes

__all__ = ["SpikeTrains"]

_SLOTS = ("_times", "_offsets", "_unit_ids", "_t_start", "_t_stop", "_unit_info",
          "_n_duplicates")


class SpikeTrains(InteropMixin):
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
    engine : {"auto", "numba", "numpy"}, default "auto"
        The validation scan: numba kernel or NumPy reference (same result); ``"auto"``
        uses numba for large inputs (see :mod:`cortexkit._lib.engine`).

    Raises
    ------
    ValidationError
        Non-finite times, times outside ``[t_start, t_stop]``, unsorted times with
        ``sort=False``, negative times without ``allow_negative``, repeated unit ids.

    Notes
    -----
    Instances are immutable: attributes cannot be reassigned and the arrays are
    read-only; every operation (:meth:`select`, :meth:`take`, :meth:`restrict`) returns
    a new object.

    Warns
    -----
    CortexkitWarning
        Times were sorted; duplicate times within a unit (counted in
        :attr:`n_duplicates`); times that look like sample indices; units with a
        median ISI above 60 s.

    Examples
    --------
    >>> import cortexkit as ck
    >>> st = ck.SpikeTrains.from_list([[0.1, 0.5, 0.9], [0.2]], t_stop=1.0)
    >>> st.n_units, st.n_spikes, st.counts.tolist()
    (2, 4, [3, 1])
    >>> st.rates.tolist()
    [3.0, 1.0]
    """

    __slots__ = _SLOTS
    # the slots' types (set once by _store through object.__setattr__)
    _times: np.ndarray
    _offsets: np.ndarray
    _unit_ids: np.ndarray
    _t_start: float
    _t_stop: float
    _unit_info: pd.DataFrame | None
    _n_duplicates: int

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
        engine: str = "auto",
    ) -> None:
        times, offsets = _checks.check_flat(times, offsets)
        self._init_checked(times, offsets, unit_ids, t_start, t_stop, unit_info, sort,
                           allow_negative, _grouping.scan(times, offsets, engine))

    def _init_checked(self, times: np.ndarray, offsets: np.ndarray, unit_ids: Any,
                      t_start: Any, t_stop: Any, unit_info: Any, sort: bool,
                      allow_negative: bool, scan: _grouping.Scan) -> None:
        """The one validated construction path (:func:`cortexkit.core._checks.validate`).

        ``times`` is a private float64 array grouped by ``offsets``; ``scan`` its checks.
        """
        self._store(*_checks.validate(times, offsets, unit_ids, t_start, t_stop, unit_info,
                                      sort, allow_negative, scan))

    def _store(self, times: np.ndarray, offsets: np.ndarray, unit_ids: np.ndarray,
               t_start: float, t_stop: float, unit_info: Any, n_duplicates: int) -> None:
        for a in (times, offsets, unit_ids):
            a.flags.writeable = False
        for name, value in zip(_SLOTS, (times, offsets, unit_ids, float(t_start),
                                        float(t_stop), unit_info, int(n_duplicates)),
                               strict=True):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"SpikeTrains is immutable: cannot set {name!r}; build a new "
                             "one (select, take, restrict or a constructor)")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"SpikeTrains is immutable: cannot delete {name!r}")

    def __getstate__(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _SLOTS}

    def __setstate__(self, state: dict[str, Any]) -> None:
        parts: list[Any] = [np.array(state[n]) if n in _SLOTS[:3] else state[n] for n in _SLOTS]
        self._store(*parts)

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_list(
        cls,
        trains: Iterable[Any],
        unit_ids: Any = None,
        t_start: float | None = None,
        t_stop: float | None = None,
        *,
        unit_info: pd.DataFrame | None = None,
        sort: bool = True,
        allow_negative: bool = False,
        engine: str = "auto",
    ) -> SpikeTrains:
        """Build from a list (or object array) of per-unit 1-D spike-time arrays.

        Parameters
        ----------
        trains : iterable of array_like
            One array of spike times (seconds) per unit; empty arrays are allowed.
        unit_ids : array_like, optional
            Identifier of each unit (default ``0 .. n_units - 1``).
        t_start, t_stop : float, optional
            Recording interval (s); default 0 and the last spike.
        unit_info, sort, allow_negative, engine
            As in :class:`SpikeTrains` (keyword-only).

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
        if isinstance(trains, np.ndarray) and trains.dtype != object:
            raise invalid("trains", "a list or object array of per-unit arrays", trains,
                          "for (time, unit) pairs use from_events",
                          given=f"a numeric array of shape {trains.shape}")
        arrays = [_checks.as_train(tr, i) for i, tr in enumerate(trains)]
        counts = np.fromiter((a.size for a in arrays), dtype=np.int64, count=len(arrays))
        offsets = offsets_from_counts(counts)
        times = (np.concatenate(arrays, dtype=np.float64) if arrays
                 else np.empty(0, dtype=np.float64))
        obj = cls.__new__(cls)
        obj._init_checked(times, offsets, unit_ids, t_start, t_stop, unit_info, sort,
                          allow_negative, _grouping.scan(times, offsets, engine))
        return obj

    @classmethod
    def from_events(
        cls,
        times: Any,
        units: Any,
        unit_ids: Any = None,
        t_start: float | None = None,
        t_stop: float | None = None,
        *,
        unit_info: pd.DataFrame | None = None,
        sort: bool = True,
        allow_negative: bool = False,
        engine: str = "auto",
    ) -> SpikeTrains:
        """Build from (time, unit label) event pairs in any order (ALF / Kilosort layout).

        Grouping by unit is a stable counting sort (linear in the number of spikes,
        one pass that also runs every check); times are then sorted within a unit only
        where they are not already.  Time-sorted input, the usual case, warns about
        nothing.

        Parameters
        ----------
        times : array_like of float
            Spike times in seconds, one per event (not modified, not copied first).
        units : array_like
            Unit label of each event (integers or strings).
        unit_ids : array_like, optional
            The units to keep, in this order; units without spikes are allowed.
            Default: the labels that occur, sorted.
        t_start, t_stop : float, optional
            Recording interval (s); default 0 and the last spike.
        unit_info, sort, allow_negative, engine
            As in :class:`SpikeTrains` (keyword-only).

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
        times = _checks.as_numeric_1d(times, "times")
        units = np.asarray(units)
        if units.ndim == 2 and 1 in units.shape:
            units = units.ravel()
        if units.shape != times.shape:
            raise invalid("units", f"one label per spike time (times has shape {times.shape})",
                          units, given=f"shape {units.shape}")
        if units.dtype.kind == "f" and units.size and np.all(units == np.floor(units)):
            units = units.astype(np.int64)  # integral float labels (e.g. from MATLAB)
        enc = _grouping.encode_labels(units, unit_ids, engine)
        offsets = offsets_from_counts(enc.counts)
        grouped, scan = _grouping.group(times, enc, offsets, engine)
        obj = cls.__new__(cls)
        obj._init_checked(grouped, offsets, enc.unit_ids, t_start, t_stop, unit_info, sort,
                          allow_negative, scan)
        return obj

    @classmethod
    def _trusted(cls, times: Any, offsets: Any, unit_ids: Any, t_start: float,
                 t_stop: float, unit_info: Any = None,
                 n_duplicates: int | None = None) -> SpikeTrains:
        times = np.asarray(times, dtype=np.float64)
        offsets = np.asarray(offsets, dtype=np.int64)
        if n_duplicates is None:
            n_duplicates = int(np.count_nonzero(np.diff(times)[within_unit_mask(offsets)] == 0))
        obj = cls.__new__(cls)
        obj._store(times, offsets, np.asarray(unit_ids), t_start, t_stop,
                   None if unit_info is None else unit_info.reset_index(drop=True),
                   n_duplicates)
        return obj

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
            raise ValidationError("rates need a recording of positive duration "
                                  "(t_stop > t_start)", param="t_stop")
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
            raise invalid("i", "an integer unit position", i, "use select() to pick units by id")
        if not 0 <= i < self.n_units:
            raise ValidationError(
                f"unit position {i} out of range; there are {self.n_units} units "
                "(positions 0 .. n_units - 1; use select() to pick units by id)", param="i"
            )
        return self._times[self._offsets[i]:self._offsets[i + 1]]

    def __getitem__(self, i: int) -> np.ndarray:
        return self.train(i)

    def __len__(self) -> int:
        return self.n_units

    def __iter__(self) -> Iterator[np.ndarray]:
        for i in range(self.n_units):
            yield self.train(i)

    def __repr__(self) -> str:
        return (f"SpikeTrains(n_units={self.n_units}, n_spikes={self.n_spikes}, "
                f"t_start={self.t_start:g}, t_stop={self.t_stop:g})")

    def _repr_html_(self) -> str:
        """Summary table for notebooks (never the spike times themselves)."""
        from cortexkit._lib import reprs

        c, ids = self.counts, self.unit_ids
        rows = [("units", self.n_units), ("spikes", self.n_spikes),
                ("time (s)", (self.t_start, self.t_stop))]
        if self.n_units:
            rows += [("mean / median rate (Hz)", (float(self.rates.mean()),
                                                  float(np.median(self.rates)))),
                     ("spikes per unit (min, max)", (int(c.min()), int(c.max()))),
                     ("unit ids", f"{ids[0]} … {ids[-1]}" if ids.size > 1 else str(ids[0]))]
        if self.n_duplicates:
            rows.append(("duplicate spikes", self.n_duplicates))
        if self.unit_info is not None:
            rows.append(("unit_info", ", ".join(map(str, self.unit_info.columns))))
        return reprs.html("SpikeTrains", rows)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SpikeTrains):
            return NotImplemented
        return (np.array_equal(self._times, other._times)
                and np.array_equal(self._offsets, other._offsets)
                and np.array_equal(self._unit_ids, other._unit_ids)
                and self._t_start == other._t_start and self._t_stop == other._t_stop)

    __hash__ = None  # type: ignore[assignment]

    def positions(self, units: Any) -> np.ndarray:
        """Positions of the units with the given ids (vectorized lookup).

        Raises :class:`~cortexkit.errors.ValidationError` naming the ids not found.
        """
        return _grouping.positions_of(self._unit_ids, units)

    def position(self, unit_id: Any) -> int:
        """Position of the unit with id ``unit_id``."""
        return int(self.positions([unit_id])[0])

    def select(self, units: Any) -> SpikeTrains:
        """A new SpikeTrains with the units of the given ids, in the given order.

        Parameters
        ----------
        units : unit id or sequence of unit ids

        Returns
        -------
        SpikeTrains
            Same recording interval; ``unit_info`` rows follow the selection.

        Examples
        --------
        >>> import cortexkit as ck
        >>> st = ck.SpikeTrains.from_events([0.1, 0.2, 0.3], [5, 6, 5])
        >>> st.select([6]).counts.tolist()
        [1]
        """
        return self._take(self.positions(units))

    def take(self, positions: Any) -> SpikeTrains:
        """A new SpikeTrains with the units at the given positions, in that order.

        Parameters
        ----------
        positions : array_like of int
            Unit positions ``0 <= p < n_units`` (repeats allowed).

        Returns
        -------
        SpikeTrains
            Same recording interval; ``unit_info`` rows follow the positions.

        Examples
        --------
        >>> import cortexkit as ck
        >>> st = ck.SpikeTrains.from_list([[0.1], [0.2, 0.3], []], t_stop=1.0)
        >>> st.take([1, 0]).counts.tolist()
        [2, 1]
        """
        pos = np.atleast_1d(np.asarray(positions))
        if pos.ndim != 1 or (pos.size and not np.issubdtype(pos.dtype, np.integer)):
            raise invalid("positions", "a 1-D array of integer unit positions", positions,
                          "use select() to pick units by id")
        if pos.size and (pos.min() < 0 or pos.max() >= self.n_units):
            raise invalid("positions", f"unit positions 0 .. {self.n_units - 1}", positions,
                          "use select() to pick units by id")
        return self._take(pos.astype(np.int64))

    def _take(self, pos: np.ndarray) -> SpikeTrains:
        idx, new_offsets = gather(self._offsets, pos)
        info = None if self._unit_info is None else self._unit_info.iloc[pos]
        return self._trusted(self._times[idx], new_offsets, self._unit_ids[pos],
                             self._t_start, self._t_stop, info)

    def restrict(self, t0: float, t1: float) -> SpikeTrains:
        """Keep spikes with ``t0 <= t < t1``; the result spans ``[t0, t1]``.

        Parameters
        ----------
        t0, t1 : float
            Interval in seconds, ``t0 < t1``.

        Returns
        -------
        SpikeTrains
            All units (also those left without spikes), ``t_start=t0``, ``t_stop=t1``.

        Examples
        --------
        >>> import cortexkit as ck
        >>> st = ck.SpikeTrains.from_list([[0.1, 0.5, 0.9]], t_stop=1.0)
        >>> st.restrict(0.5, 1.0).train(0).tolist()
        [0.5, 0.9]
        """
        t0 = check_number("t0", t0, unit="s")
        t1 = check_number("t1", t1, unit="s")
        if t1 <= t0:
            raise invalid("t0, t1", "finite with t0 < t1", (t0, t1),
                          given=f"t0={t0}, t1={t1}")
        keep = (self._times >= t0) & (self._times < t1)
        counts = np.bincount(self.unit_index[keep], minlength=self.n_units)
        return self._trusted(self._times[keep], offsets_from_counts(counts), self._unit_ids,
                             t0, t1, self._unit_info)

    # ------------------------------------------------------------------ binning
    def bin(self, bin_size: float, t_start: float | None = None, t_stop: float | None = None,
            sparse: bool = False) -> BinnedSpikes:
        """Counts of every unit in ``bin_size`` (s) bins over ``[t_start, t_stop]`` (default
        the recording; a last partial bin is dropped), as
        :class:`~cortexkit.core.BinnedSpikes` (units x bins, ``counts[i] ==
        np.histogram(st[i], bins=edges)[0]``; ``scipy.sparse`` with ``sparse=True``).

        >>> import cortexkit as ck
        >>> ck.SpikeTrains.from_list([[0.1, 0.2, 0.7]], t_stop=1.0).bin(0.25).counts.tolist()
        [[2, 0, 1, 0]]
        """
        from cortexkit.core.binned import bin_spikes

        return bin_spikes(self, bin_size, t_start=t_start, t_stop=t_stop, sparse=sparse)

    def psth(self, events: Any, window: tuple[float, float] = (-0.5, 1.0),
             bin_size: float = 0.01) -> PSTH:
        """Counts of every unit in ``bin_size`` bins around each event, as
        :class:`~cortexkit.core.PSTH` (trials x units x bins, ``counts[k, i] ==
        np.histogram(st[i] - events[k], bins=edges)[0]``, ``mean_rate`` in Hz, raster).
        Every ``event + window`` must lie inside the recording (else a ValidationError).

        >>> import cortexkit as ck
        >>> st = ck.SpikeTrains.from_list([[1.05, 2.02, 2.35]], t_stop=4.0)
        >>> st.psth([1.0, 2.0], window=(0.0, 0.5), bin_size=0.1).counts[:, 0].tolist()
        [[1, 0, 0, 0, 0], [1, 0, 0, 1, 0]]
        """
        from cortexkit.core.binned import psth

        return psth(self, events, window=window, bin_size=bin_size)

    # ------------------------------------------------------------------ conversion
    def to_list(self) -> list[np.ndarray]:
        """Per-unit arrays of spike times (copies).

        Returns
        -------
        list of numpy.ndarray
            ``n_units`` float64 arrays (seconds).

        Examples
        --------
        >>> import cortexkit as ck
        >>> ck.SpikeTrains.from_list([[0.1], [0.2, 0.3]]).to_list()[1].tolist()
        [0.2, 0.3]
        """
        return [a.copy() for a in np.split(self._times, self._offsets[1:-1])]

    def to_dataframe(self) -> pd.DataFrame:
        """Long table with columns ``unit`` (unit id) and ``time`` (s), grouped by unit.

        Returns
        -------
        pandas.DataFrame

        Examples
        --------
        >>> import cortexkit as ck
        >>> ck.SpikeTrains.from_events([0.1, 0.2], [4, 2]).to_dataframe()["unit"].tolist()
        [2, 4]
        """
        import pandas as pd

        return pd.DataFrame({"unit": np.repeat(self._unit_ids, self.counts),
                             "time": self._times.copy()})

