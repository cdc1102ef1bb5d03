"""Helpers shared by the spike-format readers."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from cortexkit._lib.warn import user_stacklevel as _stacklevel
from cortexkit.errors import CortexkitWarning, DataFormatError, ValidationError

RATE_RANGE = (100.0, 1e7)  # Hz: plausible sampling rates of a file's time stamps


def check_sample_rate(sample_rate: Any) -> float | None:
    """``sample_rate`` as a positive finite float (Hz), or None."""
    if sample_rate is None:
        return None
    try:
        rate = float(sample_rate) if not isinstance(sample_rate, bool | complex) else None
    except (TypeError, ValueError, OverflowError):
        rate = None
    if rate is None or not np.isfinite(rate) or rate <= 0:
        raise ValidationError(
            f"sample_rate must be a positive number of Hz (e.g. 30000); got {sample_rate!r}",
            param="sample_rate"
        )
    return rate


def check_file_rate(rate: Any, source: str, name: str = "sample_rate") -> float:
    """A sampling rate read from a file: a finite number within :data:`RATE_RANGE` Hz."""
    lo, hi = RATE_RANGE
    ok = isinstance(rate, int | float) and not isinstance(rate, bool)
    if not ok or not lo <= float(rate) <= hi:
        raise DataFormatError(
            f"{source}: {name} = {rate!r} is not a plausible sampling rate ({lo:g} Hz to "
            f"{hi:g} Hz, e.g. 30000); fix the file or pass sample_rate=<Hz>"
        )
    return float(rate)


def to_seconds(times: np.ndarray, sample_rate: float | None, source: str) -> np.ndarray:
    """Spike times in seconds: divide by ``sample_rate`` when given.

    Integer times without a sample rate are refused: they are almost always sample
    indices, and guessing the rate would silently scale every result.  Times with
    fractional parts are already seconds: a ``sample_rate`` (e.g. passed to every file by
    the CLI's ``--sample-rate``) is then not applied, with a warning.
    """
    times = np.asarray(times)
    if times.size and times.dtype.kind not in "iuf":
        raise DataFormatError(f"{source}: spike times must be real numbers; got dtype "
                              f"{times.dtype}")
    if sample_rate is not None:
        if times.dtype.kind == "f" and times.size and not np.all(times == np.floor(times)):
            warnings.warn(
                f"{source}: times have fractional parts, so they are already seconds; "
                f"sample_rate={sample_rate:g} was not applied",
                CortexkitWarning, stacklevel=_stacklevel(),
            )
            return times
        return times / sample_rate
    if times.dtype.kind in "iu" and times.size:
        raise DataFormatError(
            f"{source}: spike times are integers (up to {int(times.max())}), i.e. sample "
            "indices, not seconds; pass sample_rate=<Hz> (e.g. sample_rate=30000) to convert",
            param="sample_rate",
        )
    return times


def spike_kwargs(options: dict[str, Any]) -> dict[str, Any]:
    """The SpikeTrains options among ``options`` (loaders refuse unsorted files by default)."""
    kw: dict[str, Any] = {k: options[k] for k in ("t_start", "t_stop", "allow_negative")
                          if k in options}
    kw["sort"] = bool(options.get("sort", False))
    return kw
