"""The core data structure: :class:`SpikeTrains`, spike times of many units.

Times of all units live in one flat float64 array, grouped by unit and sorted within
each unit, with ``offsets`` marking where each unit starts (``times[offsets[i]:offsets[i+1]]``
is unit ``i``).  Every per-unit analysis can therefore be written as one pass over flat
arrays (``np.add.reduceat``, ``np.bincount``) instead of a Python loop over units.

Construction checks the times in one pass (non-finite values, the recording interval,
order within units, duplicates, sample-index look).  Large inputs use the numba kernels
of :mod:`cortexkit._kernels` (imported on first use); small ones the NumPy references
``_scan_numpy`` / ``_group_numpy`` below, which the tests compare against the kernels.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from cortexkit.errors import CortexkitWarning, ValidationError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SpikeTrains"]

# A median ISI above this is implausible for a sorted unit (seconds).
_MAX_PLAUSIBLE_MEDIAN_ISI = 60.0
# Inputs with at least this many spikes go through the numba kernels once numba is
# loaded; importing and initialising numba costs 0.5-1.5 s, more than the NumPy path
# takes below _NUMBA_COLD_MIN_SPIKES, so a fresh process (e.g. one CLI run) only pays
# it for inputs that large.
_NUMBA_MIN_SPIKES = 50_000
_NUMBA_COLD_MIN_SPIKES = 4_000_000
# Integer labels spanning more than this many values (beyond 4 per event) are
# encoded with np.unique instead of a lookup table.
_DENSE_LABEL_SLACK = 1_000_000


def _use_numba(n: int) -> bool:
    """Whether ``n`` spikes go through the numba kernels (see _NUMBA_MIN_SPIKES)."""
    return n >= _NUMBA_MIN_SPIKES and (n >= _NUMBA_COLD_MIN_SPIKES or "numba" in sys.modules)


def unit_index(offsets: np.ndarray) -> np.ndarray:
    """Position of the unit each spike belongs to (length ``offsets[-1]``)."""
    return np.repeat(np.arange(offsets.size - 1), np.diff(offsets))


class _Scan(NamedTuple):
    """What one pass over the grouped times found."""

    n_nonfinite: int
    first_nonfinite_unit: int  # unit position of the first non-finite time, -1 if none
    tmin: float  # over finite times (inf when there are none)
    tmax: float
    all_integer: bool
    unsorted: np.ndarray  # bool per unit
    dup: np.ndarray  # int64 per unit: times equal to the previous one of the unit


def _scan_numpy(times: np.ndarray, offsets: np.ndarray) -> _Scan:
    """NumPy reference of :func:`cortexkit._kernels.scan_flat`."""
    n_units = offsets.size - 1
    finite = np.isfinite(times)
    n_bad = int(times.size - np.count_nonzero(finite))
    first_unit = -1
    if n_bad:
        first = int(np.argmin(finite))
        first_unit = int(np.searchsorted(offsets, first, side="right") - 1)
    ft = times[finite] if n_bad else times
    tmin = float(ft.min()) if ft.size else np.inf
    tmax = float(ft.max()) if ft.size else -np.inf
    all_integer = bool(np.all(ft == np.floor(ft)))
    d = np.diff(times)
    within = _within_unit_mask(offsets)
    idx = unit_index(offsets)[1:] if times.size else np.empty(0, dtype=np.int64)
    unsorted = np.bincount(idx[(d < 0) & within], minlength=n_units) > 0
    dup = np.bincount(idx[(d == 0) & within], minlength=n_units).astype(np.int64)
    return _Scan(n_bad, first_unit, tmin, tmax, all_integer, unsorted, dup)


def _scan(times: np.ndarray, offsets: np.ndarray) -> _Scan:
    """Check grouped float64 times: numba for large inputs, NumPy otherwise."""
    if not _use_numba(times.size):
        return _scan_numpy(times, offsets)
    from cortexkit._kernels import scan_flat

    n_units = offsets.size - 1
    unsorted = np.zeros(n_units, dtype=np.bool_)
    dup = np.zeros(n_units, dtype=np.int64)
    n_bad, first, tmin, tmax, all_int = scan_flat(times, offsets, unsorted, dup)
    first_unit = int(np.searchsorted(offsets, first, side="right") - 1) if n_bad else -1
    return _Scan(int(n_bad), first_unit, float(tmin), float(tmax), bool(all_int), unsorted, dup)


class _Labels(NamedTuple):
    """Event labels encoded for grouping: unit position = ``lut[labels - lo]``."""

    labels: np.ndarray  # integer array (the input labels, or np.unique codes)
    lut: np.ndarray  # int64 lookup table
    lo: int
    counts: np.ndarray  # spikes per unit
    unit_ids: np.ndarray


def _encode_labels(units: np.ndarray, unit_ids: Any) -> _Labels:
    """Map event labels to unit positions without copying integer label arrays."""
    if unit_ids is not None:
        unit_ids = np.asarray(unit_ids)
        if unit_ids.ndim != 1:
            raise ValidationError(f"unit_ids must be 1-D; got shape {unit_ids.shape}")
        if unit_ids.dtype == object:
            unit_ids = unit_ids.astype(str)
        _check_unique(unit_ids)
    n = units.size
    integer = np.issubdtype(units.dtype, np.integer)
    if integer and n:
        if _use_numba(n):
            from cortexkit._kernels import label_range

            lo, hi = (int(v) for v in label_range(units))
        else:
            lo, hi = int(units.min()), int(units.max())
        if unit_ids is not None:
            if unit_ids.size and not np.issubdtype(unit_ids.dtype, np.integer):
                raise ValidationError(
                    f"unit_ids must be integers when the event labels are integers; got "
                    f"dtype {unit_ids.dtype} (e.g. {unit_ids[:3].tolist()})"
                )
            if unit_ids.size:
                lo, hi = min(lo, int(unit_ids.min())), max(hi, int(unit_ids.max()))
        size = hi - lo + 1
        if size <= 4 * n + _DENSE_LABEL_SLACK:
            if _use_numba(n):
                from cortexkit._kernels import label_counts

                raw = label_counts(units, lo, size)
            else:
                raw = np.bincount((units.astype(np.int64) - lo), minlength=size)
            if unit_ids is None:
                unit_ids = np.flatnonzero(raw) + lo
            ids64 = unit_ids.astype(np.int64) - lo
            lut = np.full(size, -1, dtype=np.int64)
            lut[ids64] = np.arange(ids64.size)
            counts = raw[ids64]
            n_missing = n - int(counts.sum())
            if n_missing:
                example = int(np.flatnonzero((raw > 0) & (lut < 0))[0]) + lo
                _raise_missing(n_missing, example)
            return _Labels(units, lut, lo, counts, unit_ids)
    uniq, codes = np.unique(units, return_inverse=True)
    codes = codes.ravel()
    if unit_ids is None:
        unit_ids = uniq
    pos = {u: i for i, u in enumerate(unit_ids.tolist())}
    lut = np.array([pos.get(u, -1) for u in uniq.tolist()], dtype=np.int64)
    per_code = np.bincount(codes, minlength=uniq.size)
    counts = np.zeros(unit_ids.size, dtype=np.int64)
    counts[lut[lut >= 0]] = per_code[lut >= 0]
    if (lut < 0).any():
        miss = np.flatnonzero(lut < 0)
        _raise_missing(int(per_code[miss].sum()), uniq[miss[0]].item())
    return _Labels(codes, lut, 0, counts, unit_ids)


def _raise_missing(n_missing: int, example: Any) -> None:
    raise ValidationError(
        f"{n_missing} events have unit labels not in unit_ids (e.g. {example!r}); "
        "add them to unit_ids or drop those events"
    )


def _group_numpy(times: np.ndarray, enc: _Labels, offsets: np.ndarray):
    """NumPy reference of :func:`cortexkit._kernels.group_scan`: stable argsort + scan."""
    labels = enc.labels.astype(np.int64, copy=False)
    codes = enc.lut[labels - enc.lo if enc.lo else labels]
    order = np.argsort(codes, kind="stable")
    del codes
    out = times[order].astype(np.float64, copy=False)
    return out, _scan_numpy(out, offsets)


def _group(times: np.ndarray, enc: _Labels, offsets: np.ndarray):
    """Counting sort of ``times`` into unit groups, with the checks of :func:`_scan`."""
    if not _use_numba(times.size):
        return _group_numpy(times, enc, offsets)
    from cortexkit._kernels import group_scan

    n_units = offsets.size - 1
    out = np.empty(times.size, dtype=np.float64)
    unsorted = np.zeros(n_units, dtype=np.bool_)
    dup = np.zeros(n_units, dtype=np.int64)
    n_bad, first, tmin, tmax, all_int = group_scan(times, enc.labels, enc.lut, enc.lo,
                                                   offsets, out, unsorted, dup)
    first_unit = int(enc.lut[int(enc.labels[first]) - enc.lo]) if n_bad else -1
    return out, _Scan(int(n_bad), first_unit, float(tmin), float(tmax), bool(all_int),
                      unsorted, dup)


def _user_stacklevel() -> int:
    """Stack level of the first frame outside cortexkit (so warnings point at user code)."""
    pkg = os.path.dirname(__file__)
    frame = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(pkg):
        frame = frame.f_back
        level += 1
    return level


def _check_unique(unit_ids: np.ndarray) -> None:
    vals, cnt = np.unique(unit_ids, return_counts=True)
    if vals.size != unit_ids.size:
        raise ValidationError(
            f"unit_ids must be unique; repeated: {vals[cnt > 1][:5].tolist()}"
        )


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

    Raises
    ------
    ValidationError
        Non-finite times, times outside ``[t_start, t_stop]``, unsorted times with
        ``sort=False``, negative times without ``allow_negative``, repeated unit ids.

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
        times = np.array(_as_numeric_1d(times, "times"), dtype=np.float64)  # private copy
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
        self._setup(times, offsets, unit_ids, t_start, t_stop, unit_info, sort,
                    allow_negative, _scan(times, offsets))

    def _setup(self, times, offsets, unit_ids, t_start, t_stop, unit_info, sort,
               allow_negative, scan: _Scan) -> None:
        """Validate and store; ``times`` is a private float64 array, ``scan`` its checks."""
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
        _check_unique(unit_ids)
        if scan.n_nonfinite:
            raise ValidationError(
                f"{scan.n_nonfinite} spike times are not finite (NaN or inf), first in unit "
                f"{unit_ids[scan.first_nonfinite_unit].item()!r}; remove them before "
                "building SpikeTrains"
            )
        unsorted = np.flatnonzero(scan.unsorted)
        dup = scan.dup
        if unsorted.size:
            if not sort:
                raise ValidationError(
                    f"spike times of {unsorted.size} unit(s) are not sorted (first: unit "
                    f"{unit_ids[unsorted[0]].item()!r}); sort them or pass sort=True "
                    "(--sort on the command line)"
                )
            dup = dup.copy()
            for u in unsorted:  # only the unsorted units: usually none or a few
                seg = times[offsets[u]:offsets[u + 1]]
                seg.sort(kind="stable")
                dup[u] = int(np.count_nonzero(np.diff(seg) == 0))

        t_start, t_stop = _resolve_interval(scan.tmin, scan.tmax, times.size, t_start,
                                            t_stop, allow_negative)
        if times.size and (scan.tmin < t_start or scan.tmax > t_stop):
            low = scan.tmin < t_start
            which = int(np.argmin(times)) if low else int(np.argmax(times))
            u = int(np.searchsorted(offsets, which, side="right") - 1)
            raise ValidationError(
                f"spike time {float(times[which])!r} s of unit {unit_ids[u].item()!r} lies "
                f"outside [t_start, t_stop] = [{t_start}, {t_stop}] s; widen the interval or "
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
        self._t_start = t_start
        self._t_stop = t_stop
        self._unit_info = unit_info
        self._n_duplicates = int(dup.sum())
        for a in (self._times, self._offsets, self._unit_ids):
            a.flags.writeable = False

        level = _user_stacklevel()
        if unsorted.size:
            warnings.warn(
                f"spike times of {unsorted.size} unit(s) were not sorted; they were sorted "
                "(pass sort=False to refuse unsorted input instead)",
                CortexkitWarning, stacklevel=level,
            )
        if self._n_duplicates:
            first = int(np.flatnonzero(dup)[0])
            warnings.warn(
                f"{self._n_duplicates} duplicate spike time(s) within units (zero ISIs, "
                f"first in unit {unit_ids[first].item()!r}), common in Kilosort output; they "
                "are kept and counted in st.n_duplicates",
                CortexkitWarning, stacklevel=level,
            )
        if scan.all_integer and times.size >= 10 and scan.tmax > 1000.0:
            warnings.warn(
                f"spike times are whole numbers up to {scan.tmax:.0f}: they look like "
                "sample indices, not seconds; divide by the sampling rate "
                "(load_spikes(..., sample_rate=...))",
                CortexkitWarning, stacklevel=level,
            )
        else:
            self._warn_slow_units(level)

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
        unit_ids : array_like, optional
            Identifier of each unit (default ``0 .. n_units - 1``).
        t_start, t_stop : float, optional
            Recording interval (s); default 0 and the last spike.
        **kwargs
            ``unit_info``, ``sort``, ``allow_negative`` as in :class:`SpikeTrains`.

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
            raise ValidationError(
                f"trains must be a list or object array of per-unit arrays; got a numeric "
                f"array of shape {trains.shape} (for (time, unit) pairs use from_events)"
            )
        arrays = []
        for i, tr in enumerate(trains):
            a = np.asarray(tr)
            if a.dtype == object:
                try:
                    a = a.astype(np.float64)
                except (TypeError, ValueError) as exc:
                    raise ValidationError(
                        f"unit {i}: spike times must be numbers; got {a.ravel()[:3]!r}"
                    ) from exc
            if a.ndim == 2 and 1 in a.shape:
                a = a.ravel()
            elif a.ndim == 0:
                a = a.reshape(1)
            if a.ndim != 1:
                raise ValidationError(
                    f"unit {i}: spike times must be a 1-D array; got shape {a.shape}"
                )
            if a.size and (a.dtype.kind not in "iuf"):
                raise ValidationError(f"unit {i}: spike times must be numbers, got {a.dtype}")
            arrays.append(a)
        counts = np.fromiter((a.size for a in arrays), dtype=np.int64, count=len(arrays))
        offsets = np.zeros(len(arrays) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        times = (np.concatenate(arrays, dtype=np.float64) if arrays
                 else np.empty(0, dtype=np.float64))
        obj = cls.__new__(cls)
        obj._setup(times, offsets, unit_ids, t_start, t_stop, kwargs.pop("unit_info", None),
                   kwargs.pop("sort", True), kwargs.pop("allow_negative", False),
                   _scan(times, offsets))
        _no_extra(kwargs)
        return obj

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
        **kwargs
            ``unit_info``, ``sort``, ``allow_negative`` as in :class:`SpikeTrains`.

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
        times = _as_numeric_1d(times, "times")
        units = np.asarray(units)
        if units.ndim == 2 and 1 in units.shape:
            units = units.ravel()
        if units.shape != times.shape:
            raise ValidationError(
                f"times and units must have the same length; got {times.shape} and {units.shape}"
            )
        if units.dtype.kind == "f" and units.size and np.all(units == np.floor(units)):
            units = units.astype(np.int64)  # integral float labels (e.g. from MATLAB)
        enc = _encode_labels(units, unit_ids)
        offsets = np.zeros(enc.counts.size + 1, dtype=np.int64)
        np.cumsum(enc.counts, out=offsets[1:])
        grouped, scan = _group(times, enc, offsets)
        obj = cls.__new__(cls)
        obj._setup(grouped, offsets, enc.unit_ids, t_start, t_stop,
                   kwargs.pop("unit_info", None), kwargs.pop("sort", True),
                   kwargs.pop("allow_negative", False), scan)
        _no_extra(kwargs)
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

    def __iter__(self) -> Iterator[np.ndarray]:
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

    def positions(self, units: Any) -> np.ndarray:
        """Positions of the units with the given ids (vectorized lookup).

        Raises :class:`~cortexkit.errors.ValidationError` naming the ids not found.
        """
        ids = np.atleast_1d(np.asarray(units))
        if ids.ndim != 1:
            raise ValidationError(f"units must be a unit id or a 1-D list of ids; got {units!r}")
        order = np.argsort(self._unit_ids, kind="stable")
        sorted_ids = self._unit_ids[order]
        try:
            pos = np.searchsorted(sorted_ids, ids)
        except (TypeError, ValueError, np.exceptions.DTypePromotionError) as exc:
            raise ValidationError(
                f"unit ids {ids[:5].tolist()} do not match the type of st.unit_ids "
                f"({self._unit_ids.dtype}); e.g. {self._unit_ids[:5].tolist()}"
            ) from exc
        pos = np.minimum(pos, max(sorted_ids.size - 1, 0))
        found = sorted_ids.size > 0 and sorted_ids[pos] == ids
        found = np.broadcast_to(found, ids.shape)
        if not found.all():
            raise ValidationError(
                f"unit id(s) {ids[~found][:5].tolist()} not found; available ids include "
                f"{self._unit_ids[:10].tolist()}"
            )
        return order[pos].astype(np.int64)

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
        t0, t1 = float(t0), float(t1)
        if not (np.isfinite(t0) and np.isfinite(t1)) or t1 <= t0:
            raise ValidationError(f"restrict needs finite t0 < t1; got t0={t0}, t1={t1}")
        keep = (self._times >= t0) & (self._times < t1)
        counts = np.bincount(self.unit_index[keep], minlength=self.n_units)
        offsets = np.zeros(self.n_units + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        return self._new(self._times[keep], offsets, self._unit_ids, t0, t1, self._unit_info)

    @classmethod
    def _new(cls, times, offsets, unit_ids, t_start, t_stop, unit_info,
             n_duplicates: int | None = None) -> SpikeTrains:
        """Build from parts already validated (no checks, no warnings).

        ``n_duplicates`` is counted from ``times`` unless the caller knows it.
        """
        obj = cls.__new__(cls)
        obj._times = np.asarray(times, dtype=np.float64)
        obj._offsets = np.asarray(offsets, dtype=np.int64)
        obj._unit_ids = np.asarray(unit_ids)
        obj._t_start = float(t_start)
        obj._t_stop = float(t_stop)
        obj._unit_info = None if unit_info is None else unit_info.reset_index(drop=True)
        if n_duplicates is None:
            n_duplicates = int(np.count_nonzero(
                np.diff(obj._times)[_within_unit_mask(obj._offsets)] == 0))
        obj._n_duplicates = n_duplicates
        for a in (obj._times, obj._offsets, obj._unit_ids):
            a.flags.writeable = False
        return obj

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

    def to_neo(self) -> list:
        """A list of ``neo.SpikeTrain``, one per unit (seconds).

        Each train has ``name=str(unit_id)`` and the unit id in
        ``annotations["unit_id"]``; :meth:`from_neo` restores the ids from there.

        Returns
        -------
        list of neo.SpikeTrain

        Examples
        --------
        >>> import cortexkit as ck
        >>> st = ck.SpikeTrains.from_list([[0.1, 0.5]], t_stop=1.0)
        >>> st.to_neo()[0].t_stop.item()                  # doctest: +SKIP
        1.0
        """
        from cortexkit._optional import optional_import

        neo = optional_import("neo")
        pq = optional_import("quantities")
        return [neo.SpikeTrain(tr, units=pq.s, t_start=self._t_start, t_stop=self._t_stop,
                               name=str(uid), unit_id=uid)
                for tr, uid in zip(self.to_list(), self._unit_ids.tolist(), strict=True)]

    @classmethod
    def from_neo(cls, trains: Sequence[Any], unit_ids: Any = None, **kwargs: Any) -> SpikeTrains:
        """Build from a list of ``neo.SpikeTrain`` (times converted to seconds).

        Parameters
        ----------
        trains : sequence of neo.SpikeTrain
        unit_ids : array_like, optional
            Default: ``annotations["unit_id"]`` of every train when all have one, else
            their names when all are set and distinct, else positions.
        **kwargs
            ``t_start`` / ``t_stop`` (default: the trains' extreme ``t_start`` /
            ``t_stop``) and the options of :class:`SpikeTrains`.

        Returns
        -------
        SpikeTrains

        Examples
        --------
        >>> import neo, cortexkit as ck                    # doctest: +SKIP
        >>> tr = neo.SpikeTrain([0.1, 0.2], units="s", t_stop=1.0)  # doctest: +SKIP
        >>> ck.SpikeTrains.from_neo([tr]).counts.tolist()   # doctest: +SKIP
        [2]
        """
        trains = list(trains)
        if len(trains) == 0:
            raise ValidationError("from_neo needs at least one neo.SpikeTrain")
        try:
            arrays = [np.asarray(tr.rescale("s").magnitude, dtype=np.float64) for tr in trains]
            starts = [float(tr.t_start.rescale("s").magnitude) for tr in trains]
            stops = [float(tr.t_stop.rescale("s").magnitude) for tr in trains]
        except (AttributeError, ValueError) as exc:
            raise ValidationError(
                "from_neo needs neo.SpikeTrain objects with time units; got "
                f"{type(trains[0]).__name__}"
            ) from exc
        t_start = kwargs.pop("t_start", min(starts))
        t_stop = kwargs.pop("t_stop", max(stops))
        if unit_ids is None:
            ann = [getattr(tr, "annotations", {}).get("unit_id") for tr in trains]
            names = [tr.name for tr in trains]
            if all(a is not None for a in ann) and len(set(ann)) == len(ann):
                unit_ids = np.asarray(ann)
            elif all(n is not None for n in names) and len(set(names)) == len(names):
                unit_ids = np.asarray(names)
        kwargs.setdefault("allow_negative", t_start < 0)
        return cls.from_list(arrays, unit_ids=unit_ids, t_start=t_start, t_stop=t_stop,
                             **kwargs)

    def to_pynapple(self):
        """A ``pynapple.TsGroup`` with time support ``[t_start, t_stop]``.

        Keys are the unit ids when they are integers, else positions with the ids in
        the ``unit_id`` metadata column; :attr:`unit_info` columns become metadata.

        Returns
        -------
        pynapple.TsGroup

        Examples
        --------
        >>> import cortexkit as ck
        >>> st = ck.SpikeTrains.from_events([0.1, 0.2], [4, 2], t_stop=1.0)
        >>> list(st.to_pynapple().keys())                 # doctest: +SKIP
        [2, 4]
        """
        from cortexkit._optional import optional_import

        nap = optional_import("pynapple")
        import pandas as pd

        integer = np.issubdtype(self._unit_ids.dtype, np.integer)
        keys = self._unit_ids.tolist() if integer else list(range(self.n_units))
        meta = (pd.DataFrame(index=keys) if self._unit_info is None
                else self._unit_info.set_axis(keys))
        if not integer:
            meta = meta.assign(unit_id=self._unit_ids)
        support = nap.IntervalSet(start=self._t_start, end=self._t_stop)
        group = {k: nap.Ts(t=tr, time_support=support)
                 for k, tr in zip(keys, self.to_list(), strict=True)}
        return nap.TsGroup(group, time_support=support,
                           metadata=meta if meta.shape[1] else None)

    @classmethod
    def from_pynapple(cls, group: Any, **kwargs: Any) -> SpikeTrains:
        """Build from a ``pynapple.TsGroup``.

        Keys become unit ids (or the ``unit_id`` metadata column when present); other
        metadata columns except the computed ``rate`` become :attr:`unit_info`; the
        time support gives ``t_start`` / ``t_stop``.

        Parameters
        ----------
        group : pynapple.TsGroup
        **kwargs
            ``t_start`` / ``t_stop`` and the options of :class:`SpikeTrains`.

        Returns
        -------
        SpikeTrains

        Examples
        --------
        >>> import numpy as np, pynapple as nap, cortexkit as ck        # doctest: +SKIP
        >>> g = nap.TsGroup({1: nap.Ts(t=np.array([0.1, 0.4]))})        # doctest: +SKIP
        >>> ck.SpikeTrains.from_pynapple(g).unit_ids.tolist()          # doctest: +SKIP
        [1]
        """
        try:
            keys = list(group.keys())
            arrays = [np.asarray(group[k].index, dtype=np.float64) for k in keys]
            support = group.time_support
            meta = group.metadata if hasattr(group, "metadata") else None
        except AttributeError as exc:
            raise ValidationError(
                f"from_pynapple needs a pynapple.TsGroup; got {type(group).__name__}"
            ) from exc
        t_start = kwargs.pop("t_start", float(np.min(support.start)) if len(support) else None)
        t_stop = kwargs.pop("t_stop", float(np.max(support.end)) if len(support) else None)
        unit_ids = np.asarray(keys)
        info = None
        if meta is not None:
            meta = meta.drop(columns=[c for c in ("rate",) if c in meta.columns])
            if "unit_id" in meta.columns:
                unit_ids = meta["unit_id"].to_numpy()
                meta = meta.drop(columns=["unit_id"])
            if meta.shape[1]:
                info = meta.reset_index(drop=True)
        kwargs.setdefault("allow_negative", t_start is not None and t_start < 0)
        kwargs.setdefault("unit_info", info)
        return cls.from_list(arrays, unit_ids=unit_ids, t_start=t_start, t_stop=t_stop,
                             **kwargs)

    # ------------------------------------------------------------------ checks
    def _warn_slow_units(self, level: int) -> None:
        # A median ISI above the limit needs at least half the ISIs above it, so the
        # span of the unit must exceed limit * n_isi / 2: screen cheaply, then check.
        counts = self.counts
        has = counts >= 2
        span = np.zeros(self.n_units)
        span[has] = (self._times[self._offsets[1:][has] - 1]
                     - self._times[self._offsets[:-1][has]])
        cand = np.flatnonzero(has & (span >= 0.5 * _MAX_PLAUSIBLE_MEDIAN_ISI * (counts - 1)))
        if cand.size == 0:
            return
        med = _median_isi(self._take(cand))
        slow = cand[med > _MAX_PLAUSIBLE_MEDIAN_ISI]
        med = dict(zip(cand.tolist(), med.tolist(), strict=True))
        if slow.size:
            warnings.warn(
                f"{slow.size} unit(s) have a median ISI above {_MAX_PLAUSIBLE_MEDIAN_ISI:g} s "
                f"(e.g. unit {self._unit_ids[slow[0]].item()!r}: {med[int(slow[0])]:.3g} s); "
                "check "
                "the time unit (samples or ms instead of s?) or the unit's quality",
                CortexkitWarning,
                stacklevel=level,
            )


# ---------------------------------------------------------------------- helpers
def _no_extra(kwargs: dict) -> None:
    if kwargs:
        raise ValidationError(
            f"unexpected option(s) {sorted(kwargs)}; valid: unit_info, sort, allow_negative"
        )


def _as_numeric_1d(x: Any, name: str) -> np.ndarray:
    """A 1-D numeric view of ``x`` (``(n, 1)`` columns are flattened); no copy if possible."""
    a = np.asarray(x)
    if a.ndim == 2 and 1 in a.shape:
        a = a.ravel()
    if a.ndim != 1:
        raise ValidationError(f"{name} must be a 1-D array; got shape {a.shape}")
    if a.size and a.dtype.kind not in "iuf":
        raise ValidationError(f"{name} must be numeric (seconds); got dtype {a.dtype}")
    return a


def _median_isi(st: SpikeTrains) -> np.ndarray:
    """Median inter-spike interval of every unit (units with >= 2 spikes), vectorized."""
    isi = np.diff(st.times)[_within_unit_mask(st.offsets)]
    n_isi = np.maximum(st.counts - 1, 0)
    owner = np.repeat(np.arange(st.n_units), n_isi)
    isi = isi[np.lexsort((isi, owner))]
    start = np.concatenate([[0], np.cumsum(n_isi)[:-1]])
    lo = start + (n_isi - 1) // 2
    hi = start + n_isi // 2
    ok = n_isi > 0
    med = np.full(st.n_units, np.nan)
    med[ok] = 0.5 * (isi[lo[ok]] + isi[hi[ok]])
    return med


def _within_unit_mask(offsets: np.ndarray) -> np.ndarray:
    """Mask over ``np.diff(times)`` that is False where the diff crosses a unit boundary."""
    n = int(offsets[-1])
    mask = np.ones(max(n - 1, 0), dtype=bool)
    b = offsets[1:-1] - 1
    b = b[(b >= 0) & (b < n - 1)]
    mask[b] = False
    return mask


def _resolve_interval(tmin, tmax, n, t_start, t_stop, allow_negative):
    if t_start is None:
        if n and tmin < 0:
            if not allow_negative:
                raise ValidationError(
                    f"negative spike times (min {tmin:g} s); times must be seconds from "
                    "the recording start: shift them, or pass t_start=... or allow_negative=True"
                )
            t_start = tmin
        else:
            t_start = 0.0
    if t_stop is None:
        if n == 0:
            raise ValidationError("no spikes and no t_stop: pass t_stop to give the duration")
        t_stop = tmax
    try:
        t_start, t_stop = float(t_start), float(t_stop)
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            f"t_start and t_stop must be numbers (seconds); got {t_start!r}, {t_stop!r}"
        ) from exc
    if not (np.isfinite(t_start) and np.isfinite(t_stop)):
        raise ValidationError(f"t_start and t_stop must be finite; got {t_start}, {t_stop}")
    if t_stop < t_start:
        raise ValidationError(f"t_stop ({t_stop}) must not be before t_start ({t_start})")
    return t_start, t_stop
