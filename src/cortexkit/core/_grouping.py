"""Grouping events by unit and the one-pass validation scan, with kernel dispatch.

:func:`encode_labels` maps event labels to unit positions; :func:`group` counting-sorts
the times into unit groups and :func:`scan` checks times already grouped.  Both run the
numba kernels of :mod:`cortexkit.core._kernels` (imported on first use) when
:func:`cortexkit._lib.engine.choose` says so for ``"spikes.construct"``, else the NumPy
references :func:`group_numpy` / :func:`scan_numpy`, which the tests compare against the
kernels.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from cortexkit._lib._util import unit_index, within_unit_mask
from cortexkit._lib.engine import choose
from cortexkit._lib.validation import invalid
from cortexkit.errors import ValidationError

_TASK = "spikes.construct"
# Integer labels spanning more than this many values (beyond 4 per event) are
# encoded with np.unique instead of a lookup table.
_DENSE_LABEL_SLACK = 1_000_000


class Scan(NamedTuple):
    """What one pass over the grouped times found."""

    n_nonfinite: int
    first_nonfinite_unit: int  # unit position of the first non-finite time, -1 if none
    tmin: float  # over finite times (inf when there are none)
    tmax: float
    all_integer: bool
    unsorted: np.ndarray  # bool per unit
    dup: np.ndarray  # int64 per unit: times equal to the previous one of the unit


def scan_numpy(times: np.ndarray, offsets: np.ndarray) -> Scan:
    """NumPy reference of :func:`cortexkit.core._kernels.scan_flat`."""
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
    within = within_unit_mask(offsets)
    idx = unit_index(offsets)[1:] if times.size else np.empty(0, dtype=np.int64)
    unsorted = np.bincount(idx[(d < 0) & within], minlength=n_units) > 0
    dup = np.bincount(idx[(d == 0) & within], minlength=n_units).astype(np.int64)
    return Scan(n_bad, first_unit, tmin, tmax, all_integer, unsorted, dup)


def scan(times: np.ndarray, offsets: np.ndarray, engine: str = "auto") -> Scan:
    """Check grouped float64 times (numba kernel, or NumPy: unit by unit for units of
    512+ spikes on average, else the flat reference)."""
    if choose(_TASK, times.size, engine) == "numpy":
        # the unit loop costs ~2.5 us per unit, the flat scan's temporaries ~3-9 ns per
        # spike (more as they outgrow the caches): measured here, 150 spikes per unit
        # (1000 units) flat 1.1 ms vs 2.7 ms by unit; 938 per unit (404) 2.5 vs 1.2 ms;
        # 4000 per unit (1000) 23 vs 5 ms (benchmarks/scan_crossover.py)
        if (offsets.size - 1) * 512 <= times.size:
            from cortexkit.core._grouping_numpy import scan_by_unit

            return scan_by_unit(times, offsets)
        return scan_numpy(times, offsets)
    from cortexkit.core._kernels import scan_flat

    n_units = offsets.size - 1
    unsorted = np.zeros(n_units, dtype=np.bool_)
    dup = np.zeros(n_units, dtype=np.int64)
    n_bad, first, tmin, tmax, all_int = scan_flat(times, offsets, unsorted, dup)
    first_unit = int(np.searchsorted(offsets, first, side="right") - 1) if n_bad else -1
    return Scan(int(n_bad), first_unit, float(tmin), float(tmax), bool(all_int), unsorted, dup)


class Labels(NamedTuple):
    """Event labels encoded for grouping: unit position = ``lut[labels - lo]``."""

    labels: np.ndarray  # integer array (the input labels, or np.unique codes)
    lut: np.ndarray  # int64 lookup table
    lo: int
    counts: np.ndarray  # spikes per unit
    unit_ids: np.ndarray


def check_unit_ids(unit_ids: Any, n_units: int | None = None) -> np.ndarray:
    """``unit_ids`` as a unique 1-D array (object ids become strings)."""
    unit_ids = np.asarray(unit_ids)
    if unit_ids.ndim != 1 or (n_units is not None and unit_ids.size != n_units):
        expected = "a 1-D array" if n_units is None else f"one entry per unit ({n_units})"
        raise invalid("unit_ids", expected, unit_ids, given=f"shape {unit_ids.shape}")
    if unit_ids.dtype == object:
        unit_ids = unit_ids.astype(str)
    vals, cnt = np.unique(unit_ids, return_counts=True)
    if vals.size != unit_ids.size:
        raise invalid("unit_ids", "unique", unit_ids,
                      given=f"repeated: {vals[cnt > 1][:5].tolist()}")
    return unit_ids


def encode_labels(units: np.ndarray, unit_ids: Any, engine: str = "auto") -> Labels:
    """Map event labels to unit positions without copying integer label arrays."""
    if unit_ids is not None:
        unit_ids = check_unit_ids(unit_ids)
    n = units.size
    integer = np.issubdtype(units.dtype, np.integer)
    if integer and n:
        numba = choose(_TASK, n, engine) == "numba"
        if numba:
            from cortexkit.core._kernels import label_range

            lo, hi = (int(v) for v in label_range(units))
        else:
            lo, hi = int(units.min()), int(units.max())
        if unit_ids is not None:
            if unit_ids.size and not np.issubdtype(unit_ids.dtype, np.integer):
                raise invalid("unit_ids", "integers when the event labels are integers",
                              unit_ids, given=f"dtype {unit_ids.dtype} (e.g. "
                              f"{unit_ids[:3].tolist()})")
            if unit_ids.size:
                lo, hi = min(lo, int(unit_ids.min())), max(hi, int(unit_ids.max()))
        size = hi - lo + 1
        if size <= 4 * n + _DENSE_LABEL_SLACK:
            if numba:
                from cortexkit.core._kernels import label_counts

                raw = label_counts(units, lo, size)
            else:
                raw = _label_counts_numpy(units, lo, size)
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
            return Labels(units, lut, lo, counts, unit_ids)
    try:
        uniq, codes = np.unique(units, return_inverse=True)
    except TypeError:  # object labels that cannot be ordered: None, mixed str / int
        kinds = sorted({type(u).__name__ for u in units.ravel()[:10000].tolist()})
        raise invalid("units", "all numbers or all strings (no None)", units,
                      given=f"labels of types {kinds}",
                      fix="fill missing labels and use one type") from None
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
    return Labels(codes, lut, 0, counts, unit_ids)


def _label_counts_numpy(units: np.ndarray, lo: int, size: int) -> np.ndarray:
    """``np.bincount(units - lo, minlength=size)`` in chunks: no full-size int64 copy."""
    if lo == 0 and units.dtype == np.intp:
        return np.bincount(units, minlength=size)
    raw = np.zeros(size, dtype=np.int64)
    step = 1 << 20
    for a in range(0, units.size, step):
        c = units[a:a + step].astype(np.intp)
        if lo:
            c -= lo
        raw += np.bincount(c, minlength=size)
    return raw


def _raise_missing(n_missing: int, example: Any) -> None:
    raise ValidationError(
        f"{n_missing} events have unit labels not in unit_ids (e.g. {example!r}); "
        "add them to unit_ids or drop those events", param="units"
    )


def group_numpy(times: np.ndarray, enc: Labels, offsets: np.ndarray) -> tuple[np.ndarray, Scan]:
    """NumPy reference of :func:`cortexkit.core._kernels.group_scan`: stable argsort + scan."""
    labels = enc.labels.astype(np.int64, copy=False)
    codes = enc.lut[labels - enc.lo if enc.lo else labels]
    order = np.argsort(codes, kind="stable")
    del codes
    out = times[order].astype(np.float64, copy=False)
    return out, scan_numpy(out, offsets)


def group(times: np.ndarray, enc: Labels, offsets: np.ndarray,
          engine: str = "auto") -> tuple[np.ndarray, Scan]:
    """Counting sort of ``times`` into unit groups, with the checks of :func:`scan`."""
    if choose(_TASK, times.size, engine) == "numpy":
        from cortexkit.core._grouping_numpy import group_chunked

        out = group_chunked(times, enc.labels, enc.lut, enc.lo, offsets)
        if out is None:                          # > 65536 units: the reference
            return group_numpy(times, enc, offsets)
        return out, scan(out, offsets, "numpy")
    from cortexkit.core._kernels import group_scan

    n_units = offsets.size - 1
    out = np.empty(times.size, dtype=np.float64)
    unsorted = np.zeros(n_units, dtype=np.bool_)
    dup = np.zeros(n_units, dtype=np.int64)
    n_bad, first, tmin, tmax, all_int = group_scan(times, enc.labels, enc.lut, enc.lo,
                                                   offsets, out, unsorted, dup)
    first_unit = int(enc.lut[int(enc.labels[first]) - enc.lo]) if n_bad else -1
    return out, Scan(int(n_bad), first_unit, float(tmin), float(tmax), bool(all_int),
                     unsorted, dup)


def positions_of(unit_ids: np.ndarray, units: Any) -> np.ndarray:
    """Positions in ``unit_ids`` of the ids ``units`` (vectorized: one sort, one search)."""
    ids = np.atleast_1d(np.asarray(units))
    if ids.ndim != 1:
        raise invalid("units", "a unit id or a 1-D list of ids", units)
    order = np.argsort(unit_ids, kind="stable")
    sorted_ids = unit_ids[order]
    try:
        pos = np.searchsorted(sorted_ids, ids)
    except (TypeError, ValueError, np.exceptions.DTypePromotionError) as exc:
        raise ValidationError(
            f"unit ids {ids[:5].tolist()} do not match the type of st.unit_ids "
            f"({unit_ids.dtype}); e.g. {unit_ids[:5].tolist()}", param="units"
        ) from exc
    pos = np.minimum(pos, max(sorted_ids.size - 1, 0))
    found = sorted_ids.size > 0 and sorted_ids[pos] == ids
    found = np.broadcast_to(found, ids.shape)
    if not found.all():
        raise ValidationError(
            f"unit id(s) {ids[~found][:5].tolist()} not found; available ids include "
            f"{unit_ids[:10].tolist()}", param="units"
        )
    return order[pos].astype(np.int64)
