"""Plots of unit quality and spike-train basics: correlogram grid, PSTH with raster,
sliding refractory-period confidence curve, contamination across units."""

from __future__ import annotations

from typing import Any

import numpy as np

from cortexkit.plot._util import get_ax

__all__ = ["correlogram_grid", "autocorrelogram", "psth", "sliding_rp_curve",
           "contamination"]


def _new_figure(figsize: tuple[float, float]) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=figsize, layout="constrained")


def autocorrelogram(cg: Any, index: int | tuple[int, int] = 0, ax: Any = None,
                    refractory: float | None = None) -> Any:
    """One correlogram of a :class:`~cortexkit.quality.Correlograms` as bars (ms lags).

    Parameters
    ----------
    cg : Correlograms
    index : int or (int, int)
        Position of the unit (its auto-correlogram) or a pair of positions.
    ax : matplotlib Axes, optional
    refractory : float, optional
        Shade ``|lag| < refractory`` (s).

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import numpy as np, cortexkit as ck
    >>> st = ck.SpikeTrains.from_list([np.cumsum(np.full(100, 0.01))])
    >>> ax = ck.plot.quality.autocorrelogram(ck.correlograms(st), refractory=0.0015)
    """
    a, b = (index, index) if isinstance(index, int | np.integer) else index
    ax = get_ax(ax)
    ax.stairs(cg.counts[a, b], cg.edges * 1e3, fill=True, color="0.35")
    if refractory:
        ax.axvspan(-refractory * 1e3, refractory * 1e3, color="C3", alpha=0.15, lw=0)
    ax.set_xlim(cg.edges[0] * 1e3, cg.edges[-1] * 1e3)
    ax.set_xlabel("lag (ms)")
    ax.set_ylabel("spike pairs")
    return ax


def correlogram_grid(cg: Any, fig: Any = None, max_units: int = 8) -> Any:
    """Auto- (diagonal) and cross-correlograms of up to ``max_units`` units, one panel per
    ordered pair: row ``a``, column ``b`` shows spikes of ``b`` at each lag after ``a``.

    Parameters
    ----------
    cg : Correlograms
        From :func:`cortexkit.correlograms`.
    fig : matplotlib Figure, optional
        Figure to draw into (default: a new one).
    max_units : int, default 8
        Units shown (the first ones).

    Returns
    -------
    matplotlib Figure

    Examples
    --------
    >>> import numpy as np, cortexkit as ck
    >>> rng = np.random.default_rng(0)
    >>> st = ck.SpikeTrains.from_list([np.sort(rng.uniform(0, 10, 200)) for _ in range(3)])
    >>> fig = ck.plot.quality.correlogram_grid(ck.correlograms(st))
    >>> len(fig.axes)
    9
    """
    n = min(cg.counts.shape[0], max_units)
    fig = fig if fig is not None else _new_figure((1.6 * n + 1, 1.3 * n + 0.8))
    axes = fig.subplots(n, n, sharex=True, squeeze=False)
    lags = cg.edges * 1e3
    for a in range(n):
        for b in range(n):
            ax = axes[a, b]
            ax.stairs(cg.counts[a, b], lags, fill=True, color="C0" if a == b else "0.45")
            ax.tick_params(labelsize="x-small")
            if a == n - 1:
                ax.set_xlabel("lag (ms)", fontsize="small")
            if a == 0:
                ax.set_title(str(cg.unit_ids[b]), fontsize="small")
            if b == 0:
                ax.set_ylabel(str(cg.unit_ids[a]), fontsize="small")
    return fig


def psth(p: Any, unit: int = 0, fig: Any = None) -> Any:
    """Raster of one unit's spikes around every event above its PSTH (mean rate).

    Parameters
    ----------
    p : PSTH
        From :meth:`SpikeTrains.psth <cortexkit.SpikeTrains.psth>`.
    unit : int
        Position of the unit in ``p``.
    fig : matplotlib Figure, optional

    Returns
    -------
    matplotlib Figure (two Axes: raster, rate)

    Examples
    --------
    >>> import numpy as np, cortexkit as ck
    >>> rng = np.random.default_rng(0)
    >>> st = ck.SpikeTrains.from_list([np.sort(rng.uniform(0, 60, 600))])
    >>> fig = ck.plot.quality.psth(st.psth(np.arange(5.0, 55.0, 5.0)))
    """
    fig = fig if fig is not None else _new_figure((6.0, 5.0))
    ax_r, ax_p = fig.subplots(2, 1, sharex=True, height_ratios=(2, 1))
    trials, lags = p.raster(unit)
    ax_r.scatter(lags, trials, s=4, marker="|", color="k", linewidths=0.8)
    ax_r.set_ylim(-0.5, p.n_trials - 0.5)
    ax_r.invert_yaxis()
    ax_r.set_ylabel("trial")
    ax_r.axvline(0, color="C3", lw=1)
    ax_p.stairs(p.mean_rate[unit], p.edges, fill=True, color="0.4")
    ax_p.axvline(0, color="C3", lw=1)
    ax_p.set_xlim(p.edges[0], p.edges[-1])
    ax_p.set_xlabel("time from event (s)")
    ax_p.set_ylabel("rate (Hz)")
    ax_r.set_title(f"unit {p.unit_ids[unit]}: {p.n_trials} trials", fontsize="medium")
    return fig


def sliding_rp_curve(curve: Any, ax: Any = None) -> Any:
    """Confidence that the unit is less contaminated than the threshold, against the
    candidate refractory period, with the pass line (sliding RP test).

    Parameters
    ----------
    curve : SlidingRPCurve or UnitQuality
        From :func:`cortexkit.quality.unit_summary` (``.sliding``).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import numpy as np, cortexkit as ck
    >>> rng = np.random.default_rng(0)
    >>> st = ck.SpikeTrains.from_list([np.cumsum(0.002 + rng.exponential(0.1, 3000))])
    >>> ax = ck.plot.quality.sliding_rp_curve(ck.quality.unit_summary(st, 0))
    """
    curve = getattr(curve, "sliding", curve)
    ax = get_ax(ax)
    rp_ms = curve.rp * 1e3
    ax.axvspan(rp_ms[0], rp_ms[~curve.tested].max(initial=rp_ms[0]), color="0.9", lw=0,
               label="not tested")
    ax.plot(rp_ms, curve.threshold_confidence * 100, color="C0",
            label=f"confidence of < {curve.contamination_threshold:.0%} contamination")
    ax.axhline(curve.confidence_threshold * 100, color="C3", ls="--", lw=1,
               label=f"pass: {curve.confidence_threshold:.0%}")
    ax.set_ylim(-2, 102)
    ax.set_xlim(0, rp_ms[-1])
    ax.set_xlabel("refractory period (ms)")
    ax.set_ylabel("confidence (%)")
    ax.legend(frameon=False, fontsize="small", loc="lower right")
    return ax


def contamination(table: Any, ax: Any = None, bins: int = 20) -> Any:
    """Distribution across units of the three contamination estimates (metrics table).

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`cortexkit.quality.metrics` of the recording.
    ax : matplotlib Axes, optional
    bins : int, default 20
        Histogram bins on [0, 1].

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import numpy as np, cortexkit as ck
    >>> rng = np.random.default_rng(0)
    >>> st = ck.SpikeTrains.from_list([np.sort(rng.uniform(0, 100, 2000)) for _ in range(4)])
    >>> ax = ck.plot.quality.contamination(ck.quality.metrics(st))
    """
    ax = get_ax(ax)
    edges = np.linspace(0, 1, bins + 1)
    for col, label, color in (
        ("isi_violations_contamination", "Hill (exact quadratic)", "C0"),
        ("rp_contamination", "Llobet", "C1"),
        ("slidingrp_min_contamination", "sliding RP (min at 90 %)", "C2"),
    ):
        v = np.asarray(table[col], dtype=float)
        v = v[np.isfinite(v)]
        ax.stairs(np.histogram(v, bins=edges)[0], edges, color=color, lw=1.5,
                  label=f"{label} ({v.size} units)")
    ax.axvline(0.1, color="C3", ls="--", lw=1, label="10 % (IBL threshold)")
    ax.set_xlabel("estimated contamination (fraction of spikes)")
    ax.set_ylabel("units")
    ax.legend(frameon=False, fontsize="small")
    return ax
