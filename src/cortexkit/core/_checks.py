"""Validation of a new :class:`~cortexkit.core.SpikeTrains` (SPEC 1.1).

:func:`validate` is the one checked construction path that every constructor ends in:
unit ids, non-finite times, order within units (sorted with a note, or refused with
``sort=False``), the recording interval, ``unit_info``, then the plausibility warnings.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cortexkit._lib.validation import invalid
from cortexkit._lib.warn import user_stacklevel
from cortexkit.core import _plausibility
from cortexkit.core._grouping import Scan, check_unit_ids
from cortexkit.errors import ValidationError


def check_flat(times: Any, offsets: Any) -> tuple[np.ndarray, np.ndarray]:
    """A private float64 copy of ``times`` and int64 ``offsets`` that delimit it."""
    times = np.array(as_numeric_1d(times, "times"), dtype=np.float64)
    offsets = np.asarray(offsets)
    if offsets.ndim != 1 or offsets.size < 1 or not np.issubdtype(offsets.dtype, np.integer):
        raise invalid("offsets", "a 1-D integer array of length n_units + 1", offsets,
                      given=f"shape {offsets.shape}, dtype {offsets.dtype}")
    offsets = offsets.astype(np.int64)
    if offsets[0] != 0 or offsets[-1] != times.size or np.any(np.diff(offsets) < 0):
        raise ValidationError(
            "offsets must start at 0, never decrease and end at len(times) "
            f"(= {times.size}); got offsets[0]={offsets[0]}, offsets[-1]={offsets[-1]}",
            param="offsets")
    return times, offsets


def validate(times: np.ndarray, offsets: np.ndarray, unit_ids: Any, t_start: Any,
             t_stop: Any, unit_info: Any, sort: bool, allow_negative: bool,
             scan: Scan) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, float, Any, int]:
    """Check and complete the parts of a SpikeTrains; warn about suspicious data.

    ``times`` is a private float64 array grouped by ``offsets`` (sorted in place where
    a unit is out of order); ``scan`` holds its one-pass checks.  Returns ``(times,
    offsets, unit_ids, t_start, t_stop, unit_info, n_duplicates)``.
    """
    n_units = offsets.size - 1
    unit_ids = check_unit_ids(np.arange(n_units) if unit_ids is None
                                        else unit_ids, n_units)
    if scan.n_nonfinite:
        raise ValidationError(
            f"{scan.n_nonfinite} spike times are not finite (NaN or inf), first in unit "
            f"{unit_ids[scan.first_nonfinite_unit].item()!r}; remove them before "
            "building SpikeTrains", param="times"
        )
    unsorted = np.flatnonzero(scan.unsorted)
    dup = scan.dup
    if unsorted.size:
        if not sort:
            raise ValidationError(
                f"spike times of {unsorted.size} unit(s) are not sorted (first: unit "
                f"{unit_ids[unsorted[0]].item()!r}); sort them or pass sort=True",
                param="sort",
            )
        dup = dup.copy()
        for u in unsorted:  # only the unsorted units: usually none or a few
            seg = times[offsets[u]:offsets[u + 1]]
            seg.sort(kind="stable")
            dup[u] = int(np.count_nonzero(np.diff(seg) == 0))

    t_start, t_stop = resolve_interval(scan.tmin, scan.tmax, times.size, t_start,
                                        t_stop, allow_negative)
    if times.size and (scan.tmin < t_start or scan.tmax > t_stop):
        low = scan.tmin < t_start
        which = int(np.argmin(times)) if low else int(np.argmax(times))
        u = int(np.searchsorted(offsets, which, side="right") - 1)
        raise ValidationError(
            f"spike time {float(times[which])!r} s of unit {unit_ids[u].item()!r} lies "
            f"outside [t_start, t_stop] = [{t_start}, {t_stop}] s; widen the interval or "
            "drop those spikes (st.restrict)", param="t_start" if low else "t_stop"
        )
    if unit_info is not None:
        import pandas as pd

        if not isinstance(unit_info, pd.DataFrame) or len(unit_info) != n_units:
            raise invalid("unit_info", f"a pandas DataFrame with one row per unit "
                          f"({n_units})", unit_info, given=describe(unit_info))
        unit_info = unit_info.reset_index(drop=True).copy()

    n_dup = int(dup.sum())

    level = user_stacklevel()
    if unsorted.size:
        _plausibility.warn_sorted(unsorted.size, level)
    if n_dup:
        _plausibility.warn_duplicates(n_dup, unit_ids[int(np.flatnonzero(dup)[0])].item(),
                                      level)
    _plausibility.warn_implausible(times, offsets, unit_ids, scan.all_integer, scan.tmax,
                                   level)
    return times, offsets, unit_ids, t_start, t_stop, unit_info, n_dup


def describe(x: Any) -> str:
    shape = getattr(x, "shape", None)
    return f"{type(x).__name__}" + (f" of shape {shape}" if shape is not None else "")


def as_numeric_1d(x: Any, name: str) -> np.ndarray:
    """A 1-D numeric view of ``x`` (``(n, 1)`` columns are flattened); no copy if possible."""
    a = np.asarray(x)
    if a.ndim == 2 and 1 in a.shape:
        a = a.ravel()
    if a.ndim != 1:
        raise invalid(name, "a 1-D array", x, given=f"shape {a.shape}")
    if a.size and a.dtype.kind not in "iuf":
        raise invalid(name, "numeric (seconds)", x, given=f"dtype {a.dtype}")
    return a


def as_train(tr: Any, i: int) -> np.ndarray:
    """Unit ``i``'s spike times as a 1-D numeric array (for ``SpikeTrains.from_list``)."""
    try:
        a = np.asarray(tr)
    except (ValueError, TypeError) as exc:  # ragged nested lists
        raise ValidationError(
            f"unit {i}: spike times must be a flat sequence of numbers; got a nested or "
            f"ragged sequence ({str(exc).split('.')[0]}); give one 1-D array per unit",
            param="trains") from exc
    if a.dtype == object:
        try:
            a = a.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise ValidationError(
                f"unit {i}: spike times must be numbers; got {a.ravel()[:3]!r}",
                param="trains") from exc
    if a.ndim == 2 and 1 in a.shape:
        a = a.ravel()
    elif a.ndim == 0:
        a = a.reshape(1)
    if a.ndim != 1:
        raise ValidationError(f"unit {i}: spike times must be a 1-D array; got shape {a.shape}",
                              param="trains")
    if a.size and (a.dtype.kind not in "iuf"):
        raise ValidationError(f"unit {i}: spike times must be numbers; got dtype {a.dtype}",
                              param="trains")
    return a


def resolve_interval(tmin: float, tmax: float, n: int, t_start: Any, t_stop: Any,
                      allow_negative: bool) -> tuple[float, float]:
    if t_start is None:
        if n and tmin < 0:
            if not allow_negative:
                raise ValidationError(
                    f"negative spike times (min {tmin:g} s); times must be seconds from "
                    "the recording start: shift them, or pass t_start=... or "
                    "allow_negative=True", param="allow_negative"
                )
            t_start = tmin
        else:
            t_start = 0.0
    if t_stop is None:
        if n == 0:
            raise ValidationError("no spikes and no t_stop: pass t_stop to give the duration",
                                  param="t_stop")
        t_stop = tmax
    try:
        t_start, t_stop = float(t_start), float(t_stop)
    except (TypeError, ValueError) as exc:
        raise invalid("t_start and t_stop", "numbers (seconds)", (t_start, t_stop),
                      given=f"{t_start!r}, {t_stop!r}") from exc
    if not (np.isfinite(t_start) and np.isfinite(t_stop)):
        raise invalid("t_start and t_stop", "finite", (t_start, t_stop),
                      given=f"{t_start}, {t_stop}")
    if t_stop < t_start:
        raise invalid("t_stop", f"at or after t_start ({t_start})", t_stop)
    return t_start, t_stop
