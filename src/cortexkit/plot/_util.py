"""Shared plotting helpers."""

from __future__ import annotations

from typing import Any


def get_ax(ax: Any = None, figsize: tuple[float, float] = (6.0, 4.0)) -> Any:
    """Return ``ax`` or a new Axes on a new Figure (pyplot-free, so no GUI backend is needed)."""
    if ax is not None:
        return ax
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    return fig.add_subplot()
