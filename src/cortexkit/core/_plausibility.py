"""Warnings about data that are usable but suspicious (SPEC 1.1 validation).

Sorted input, duplicate spikes, times that look like sample indices and units whose
median ISI is implausibly long each warn once, as :class:`~cortexkit.errors.CortexkitWarning`
pointing at the user's line (:func:`cortexkit._lib.warn.user_stacklevel`).
"""

from __future__ import annotations

import warnings

import numpy as np

from cortexkit._lib._util import gather, grouped_median, offsets_from_counts, within_unit_mask
from cortexkit.errors import CortexkitWarning

#: A median ISI above this is implausible for a sorted unit (seconds).
MAX_PLAUSIBLE_MEDIAN_ISI = 60.0

def median_isi(times: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Median inter-spike interval of every unit (NaN below 2 spikes), vectorized."""
    isi = np.diff(times)[within_unit_mask(offsets)]
    return grouped_median(isi, offsets_from_counts(np.maximum(np.diff(offsets) - 1, 0)))


def warn_sorted(n_units: int, level: int) -> None:
    warnings.warn(
        f"spike times of {n_units} unit(s) were not sorted; they were sorted "
        "(pass sort=False to refuse unsorted input instead)",
        CortexkitWarning, stacklevel=level + 1,
    )


def warn_duplicates(n_duplicates: int, first_unit: object, level: int) -> None:
    warnings.warn(
        f"{n_duplicates} duplicate spike time(s) within units (zero ISIs, "
        f"first in unit {first_unit!r}), common in Kilosort output; they "
        "are kept and counted in st.n_duplicates",
        CortexkitWarning, stacklevel=level + 1,
    )


def warn_implausible(times: np.ndarray, offsets: np.ndarray, unit_ids: np.ndarray,
                     all_integer: bool, tmax: float, level: int) -> None:
    """Warn about sample-index-like times, else about units with a long median ISI."""
    if all_integer and times.size >= 10 and tmax > 1000.0:
        warnings.warn(
            f"spike times are whole numbers up to {tmax:.0f}: they look like "
            "sample indices, not seconds; divide by the sampling rate "
            "(load_spikes(..., sample_rate=...))",
            CortexkitWarning, stacklevel=level + 1,
        )
        return
    # A median ISI above the limit needs at least half the ISIs above it, so the
    # span of the unit must exceed limit * n_isi / 2: screen cheaply, then check.
    counts = np.diff(offsets)
    has = counts >= 2
    span = np.zeros(counts.size)
    span[has] = times[offsets[1:][has] - 1] - times[offsets[:-1][has]]
    cand = np.flatnonzero(has & (span >= 0.5 * MAX_PLAUSIBLE_MEDIAN_ISI * (counts - 1)))
    if cand.size == 0:
        return
    idx, sub_offsets = gather(offsets, cand)
    med = median_isi(times[idx], sub_offsets)
    slow = np.flatnonzero(med > MAX_PLAUSIBLE_MEDIAN_ISI)
    if slow.size:
        warnings.warn(
            f"{slow.size} unit(s) have a median ISI above {MAX_PLAUSIBLE_MEDIAN_ISI:g} s "
            f"(e.g. unit {unit_ids[cand[slow[0]]].item()!r}: {med[slow[0]]:.3g} s); "
            "check the time unit (samples or ms instead of s?) or the unit's quality",
            CortexkitWarning, stacklevel=level + 1,
        )
