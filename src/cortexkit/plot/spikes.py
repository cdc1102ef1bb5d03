"""Plots of a recording: spike-count histogram, raster, population rate."""

from __future__ import annotations

from typing import Any

import numpy as np

from cortexkit.core import SpikeTrains
from cortexkit.errors import ValidationError
from cortexkit.plot._util import get_ax
from cortexkit.summary import Description

__all__ = ["count_histogram", "raster", "population_rate"]


def count_histogram(desc: Description, bins: int = 40, ax: Any = None) -> Any:
    """Histogram of spike counts per unit with mean, median and quartile markers.

    Parameters
    ----------
    desc : Description
        Result of :func:`cortexkit.describe`.
    bins : int
        Number of histogram bins.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import cortexkit as ck
    >>> desc = ck.describe(ck.datasets.steinmetz_like(seed=0))
    >>> ax = ck.plot.spikes.count_histogram(desc)
    >>> ax.get_xlabel()
    'spikes per unit'
    """
    ax = get_ax(ax)
    ax.hist(desc.counts, bins=bins, color="0.6", edgecolor="white")
    for value, label, style in (
        (desc.mean_count, f"mean {desc.mean_count:.0f}", dict(color="C3", ls="-")),
        (desc.median_count, f"median {desc.median_count:.0f}", dict(color="C0", ls="-")),
        (desc.q1_count, "quartiles", dict(color="C0", ls=":")),
        (desc.q3_count, None, dict(color="C0", ls=":")),
    ):
        ax.axvline(value, label=label, lw=1.5, **style)
    ax.set(xlabel="spikes per unit", ylabel="units",
           title=f"{desc.n_units} units, {desc.fraction_below_mean:.0%} below the mean")
    ax.legend(frameon=False)
    return ax


def raster(
    st: SpikeTrains,
    units: Any = None,
    every: int | None = None,
    interval: tuple[float, float] | None = None,
    ax: Any = None,
) -> Any:
    """Spike raster of chosen units over an interval.

    Parameters
    ----------
    st : SpikeTrains
    units : unit id or sequence of unit ids, optional
        Units to show (default: all, or every ``every``-th).
    every : int, optional
        Show every k-th unit.
    interval : (t0, t1), optional
        Time window in seconds (default: the first 10 s).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import cortexkit as ck
    >>> st = ck.SpikeTrains.from_list([[0.5, 1.0, 2.5], [0.2, 3.0]], t_stop=4.0)
    >>> ax = ck.plot.spikes.raster(st, interval=(0.0, 4.0))
    >>> ax.get_xlabel()
    'time (s)'
    """
    if units is not None:
        sub = st.select(np.atleast_1d(units))
    else:
        step = 1 if every is None else int(every)
        if step < 1:
            raise ValidationError(f"every must be a positive integer; got {every}", param="every")
        sub = st.take(np.arange(0, st.n_units, step))
    t0, t1 = interval if interval is not None else (st.t_start, min(st.t_stop, st.t_start + 10))
    sub = sub.restrict(t0, t1)
    ax = get_ax(ax, figsize=(8.0, max(2.0, min(8.0, 0.05 * sub.n_units + 1.5))))
    ax.eventplot(sub.to_list(), colors="k", linelengths=0.8, linewidths=0.6)
    ax.set(xlim=(t0, t1), xlabel="time (s)", ylabel="unit (position)",
           title=f"raster of {sub.n_units} units")
    return ax


def population_rate(centers: np.ndarray, rate: np.ndarray, ax: Any = None) -> Any:
    """Population firing rate over time (from :func:`cortexkit.summary.population_rate`).

    Parameters
    ----------
    centers : numpy.ndarray
        Bin centres (s).
    rate : numpy.ndarray
        Population rate in each bin (Hz).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import cortexkit as ck
    >>> st = ck.SpikeTrains.from_list([[0.1, 0.2], [1.5]], t_stop=2.0)
    >>> ax = ck.plot.spikes.population_rate(*ck.summary.population_rate(st))
    >>> ax.get_ylabel()
    'population rate (Hz)'
    """
    ax = get_ax(ax, figsize=(8.0, 2.5))
    ax.plot(centers, rate, lw=0.8, color="k")
    ax.set(xlabel="time (s)", ylabel="population rate (Hz)")
    return ax
