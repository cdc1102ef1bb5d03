"""Argument checks of :mod:`cortexkit.quality` and the binning functions.

Messages follow the one template ``{param} must be {expected}; got {given}[; {fix}]``
and the raised :class:`~cortexkit.errors.ValidationError` carries ``param``.
"""

from __future__ import annotations

import math
from typing import Any

from cortexkit.errors import ValidationError

__all__ = ["invalid", "check_number", "check_engine", "check_spikes"]

ENGINES = ("auto", "numba", "numpy")


def invalid(param: str, expected: str, value: Any, fix: str | None = None) -> ValidationError:
    """A ValidationError with the template message and ``param`` set (raise it)."""
    text = repr(value)
    text = text if len(text) <= 80 else text[:77] + "..."
    msg = f"{param} must be {expected}; got {text}" + (f"; {fix}" if fix else "")
    err = ValidationError(msg)
    err.param = param
    return err


def check_number(param: str, value: Any, *, low: float | None = None,
                 high: float | None = None, low_open: bool = False, high_open: bool = False,
                 unit: str = "", fix: str | None = None) -> float:
    """``value`` as a finite float inside the bounds, else a ValidationError naming it."""
    bounds = []
    if low is not None:
        bounds.append(f"{'>' if low_open else '>='} {low:g}")
    if high is not None:
        bounds.append(f"{'<' if high_open else '<='} {high:g}")
    expected = "a finite number" + (" " + " and ".join(bounds) if bounds else "")
    if unit:
        expected += f" ({unit})"
    if isinstance(value, bool):
        raise invalid(param, expected, value, fix)
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise invalid(param, expected, value, fix) from None
    if (not math.isfinite(x)
            or (low is not None and (x <= low if low_open else x < low))
            or (high is not None and (x >= high if high_open else x > high))):
        raise invalid(param, expected, value, fix)
    return x


def check_engine(engine: Any) -> str:
    """``engine`` if it is "auto", "numba" or "numpy", else a ValidationError."""
    if not isinstance(engine, str) or engine not in ENGINES:
        raise invalid("engine", "one of " + ", ".join(ENGINES), engine)
    return engine


def check_spikes(st: Any) -> None:
    """A ValidationError unless ``st`` is a SpikeTrains."""
    from cortexkit import SpikeTrains

    if not isinstance(st, SpikeTrains):
        raise invalid("st", "a cortexkit.SpikeTrains", type(st).__name__,
                      "build one with ck.SpikeTrains.from_list or ck.io.load_spikes")
