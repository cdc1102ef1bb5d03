"""The one template for bad-argument messages, and the checks built on it.

Every message says which parameter, what it must be, what was given and, where it
helps, how to fix it::

    {param} must be {expected}; got {given}[; {fix}]

:func:`invalid` builds the :class:`~cortexkit.errors.ValidationError` (with
``param`` set, so the CLI can name its flag instead); the ``check_*`` helpers return the
checked value.  Library messages name parameters, never command-line flags.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from cortexkit.errors import ValidationError

__all__ = ["TEMPLATE", "message", "invalid", "check_choice", "check_number", "check_real",
           "check_int"]

TEMPLATE = "{param} must be {expected}; got {given}"


def _given(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def message(param: str, expected: str, value: Any, fix: str | None = None,
            *, given: str | None = None) -> str:
    """The message of the template (``given`` overrides ``repr(value)``).

    >>> message("bins", "a positive integer", 0)
    'bins must be a positive integer; got 0'
    >>> message("unit_ids", "unique", None, "drop the repeats", given="[3, 3]")
    'unit_ids must be unique; got [3, 3]; drop the repeats'
    """
    text = TEMPLATE.format(param=param, expected=expected,
                           given=_given(value) if given is None else given)
    return f"{text}; {fix}" if fix else text


def invalid(param: str, expected: str, value: Any, fix: str | None = None,
            *, given: str | None = None) -> ValidationError:
    """A :class:`ValidationError` with the template message and ``param`` set (raise it)."""
    return ValidationError(message(param, expected, value, fix, given=given), param=param)


def check_choice(param: str, value: Any, choices: Iterable[Any], fix: str | None = None) -> Any:
    """``value`` if it is one of ``choices``, else a ValidationError listing them.

    >>> check_choice("method", "nope", ("pearson", "spearman"))
    Traceback (most recent call last):
    ...
    cortexkit.errors.ValidationError: method must be one of pearson, spearman; got 'nope'
    """
    choices = tuple(choices)
    try:
        ok = value in choices
    except TypeError:  # unhashable / incomparable value
        ok = False
    if not ok:
        raise invalid(param, "one of " + ", ".join(str(c) for c in choices), value, fix)
    return value


def check_number(param: str, value: Any, *, low: float | None = None,
                 high: float | None = None, low_open: bool = False, high_open: bool = False,
                 unit: str = "", fix: str | None = None) -> float:
    """``value`` as a finite float inside the given bounds, else a ValidationError.

    >>> check_number("dt", 0, low=0, low_open=True, unit="s")
    Traceback (most recent call last):
    ...
    cortexkit.errors.ValidationError: dt must be a finite number > 0 (s); got 0
    """
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
    bad = (not math.isfinite(x)
           or (low is not None and (x <= low if low_open else x < low))
           or (high is not None and (x >= high if high_open else x > high)))
    if bad:
        raise invalid(param, expected, value, fix)
    return x


def check_int(param: str, value: Any, *, low: int | None = None, high: int | None = None,
              fix: str | None = None) -> int:
    """``value`` as an int (no bool, no fractional float) within bounds.

    >>> check_int("bins", 2.5, low=1)
    Traceback (most recent call last):
    ...
    cortexkit.errors.ValidationError: bins must be an integer >= 1; got 2.5
    """
    expected = "an integer"
    if low is not None and high is not None:
        expected += f" in [{low}, {high}]"
    elif low is not None:
        expected += f" >= {low}"
    elif high is not None:
        expected += f" <= {high}"
    if isinstance(value, bool):
        raise invalid(param, expected, value, fix)
    try:
        x = int(value)
        exact = x == value
    except (TypeError, ValueError, OverflowError):
        raise invalid(param, expected, value, fix) from None
    if not exact or (low is not None and x < low) or (high is not None and x > high):
        raise invalid(param, expected, value, fix)
    return x


def check_real(param: str, value: Any) -> Any:
    """``numpy.asarray(value)`` unless it is complex (refused, not cast with a warning).

    >>> check_real("isis", [0.1, 0.2]).tolist()
    [0.1, 0.2]
    """
    import numpy as np

    a = np.asarray(value)
    if a.dtype.kind == "c":
        raise invalid(param, "real numbers", value, "pass the real part (x.real) or the "
                      "magnitude (abs(x)) explicitly", given="complex values")
    return a
