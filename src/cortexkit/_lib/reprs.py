"""Notebook-friendly summaries: a short ``__repr__`` and an HTML table for ``_repr_html_``.

Result objects describe themselves as a list of ``(label, value)`` rows; :func:`text`
joins the first few into ``Name(label=value, ...)`` and :func:`html` renders all of them
as a two-column table. Values are formatted by :func:`fmt`: numbers to four significant
digits, arrays as their shape (never their contents), so a repr stays short whatever the
size of the data.
"""

from __future__ import annotations

import html as _html
import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["fmt", "text", "html", "Summarized"]

_MAX_CHARS = 60  # longest formatted value shown in a table cell


def fmt(value: Any) -> str:
    """A short display string for a summary value.

    Examples
    --------
    >>> fmt(3.14159265), fmt(12345678.0), fmt(float("nan")), fmt(np.zeros((3, 4)))
    ('3.142', '1.235e+07', 'nan', 'array (3, 4) float64')
    >>> fmt((0.1, 0.25)), fmt("exact"), fmt(None)
    ('(0.1, 0.25)', 'exact', '—')
    """
    if value is None:
        return "—"
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return f"{int(value):,}" if abs(int(value)) >= 10_000 else str(int(value))
    if isinstance(value, float | np.floating):
        v = float(value)
        return "nan" if math.isnan(v) else f"{v:.4g}"
    if isinstance(value, np.ndarray):
        return f"array {value.shape} {value.dtype}"
    if isinstance(value, tuple) and all(isinstance(v, int | float | np.number) for v in value):
        return "(" + ", ".join(fmt(v) for v in value) + ")"
    s = str(value)
    return s if len(s) <= _MAX_CHARS else s[:_MAX_CHARS - 1] + "…"


def text(name: str, rows: Sequence[tuple[str, Any]], n: int = 5) -> str:
    """``Name(label=value, ...)`` from the first ``n`` rows (labels made identifier-like).

    Examples
    --------
    >>> text("Fit", [("model", "gamma"), ("n ISIs", 1200), ("rate (Hz)", 12.25)])
    'Fit(model=gamma, n_ISIs=1200, rate_Hz=12.25)'
    """
    parts = [f"{re.sub(r'[^0-9A-Za-z]+', '_', label).strip('_')}={fmt(value)}"
             for label, value in rows[:n]]
    return f"{name}({', '.join(parts)})"


def html(name: str, rows: Sequence[tuple[str, Any]], note: str | None = None) -> str:
    """A compact two-column HTML table (escaped) titled ``name``.

    Examples
    --------
    >>> out = html("Fit", [("model", "gamma"), ("p < 0.05", True)])
    >>> out.startswith("<div") and "<td>gamma</td>" in out and "p &lt; 0.05" in out
    True
    """
    body = "".join(
        f"<tr><th style=\"text-align:left;padding-right:1em\">{_html.escape(str(label))}</th>"
        f"<td>{_html.escape(fmt(value))}</td></tr>"
        for label, value in rows)
    foot = f"<p style=\"margin:0.2em 0\"><small>{_html.escape(note)}</small></p>" if note \
        else ""
    return (f"<div class=\"cortexkit-repr\"><strong>{_html.escape(name)}</strong>"
            f"<table>{body}</table>{foot}</div>")


class Summarized:
    """Mixin: ``__repr__`` (first rows) and ``_repr_html_`` (all rows) from ``_summary()``.

    A subclass defines ``_summary(self) -> list[tuple[str, Any]]``; dataclasses using it
    are declared with ``repr=False`` so the dataclass repr (which would print every array)
    does not replace this one.
    """

    _repr_rows = 5

    def __repr__(self) -> str:
        return text(type(self).__name__, self._summary(), self._repr_rows)  # type: ignore[attr-defined]

    def _repr_html_(self) -> str:
        return html(type(self).__name__, self._summary())  # type: ignore[attr-defined]
