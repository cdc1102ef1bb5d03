"""Plots of LIF simulations: V(t), input current, f-I curve, ISI distribution, V histograms,
trials with their mean +- std."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from cortexkit._lib.validation import check_int
from cortexkit.errors import ValidationError
from cortexkit.plot._util import get_ax

__all__ = ["voltage", "current", "fi_curve", "isi_distribution", "membrane_histogram",
           "trials", "voltage_histograms"]


def voltage(result: Any, neuron: int = 0, *, t_window: tuple[float, float] | None = None,
            ax: Any = None) -> Any:
    """Membrane potential of one neuron with threshold and reset lines and its spikes.

    Parameters
    ----------
    result : LIFResult
        From :func:`cortexkit.lif.simulate` with ``record_v=True``.
    neuron : int, default 0
        Position of the neuron.
    t_window : (float, float), optional
        Time range to show (s); default all.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import cortexkit as ck
    >>> p = ck.lif.LIFParams(dt=1e-4)
    >>> ax = ck.plot.lif.voltage(ck.lif.simulate(p, 2e-10))
    """
    if result.v is None:
        raise ValidationError("result has no recorded V; simulate with record_v=True",
                              param="result")
    if not 0 <= neuron < result.v.shape[0]:
        raise ValidationError(f"neuron must be in [0, {result.v.shape[0]}); got {neuron}",
                              param="neuron")
    p = result.params
    t, v = result.t, result.v[neuron]
    spikes = result.spikes.train(neuron)
    if t_window is not None:
        keep = (t >= t_window[0]) & (t <= t_window[1])
        t, v = t[keep], v[keep]
        spikes = spikes[(spikes >= t_window[0]) & (spikes <= t_window[1])]
    ax = get_ax(ax, figsize=(7.0, 3.5))
    ax.plot(t, v * 1e3, color="C0", lw=1.0, label="V")
    if p.spiking:  # no threshold/reset lines for a passive membrane (V_th = inf)
        ax.axhline(p.V_th * 1e3, color="C3", ls="--", lw=1.0, label="threshold")
        ax.axhline(p.V_reset * 1e3, color="0.4", ls=":", lw=1.0, label="reset")
    if spikes.size:
        ax.vlines(spikes, p.V_th * 1e3, p.V_th * 1e3 + 15.0, color="k", lw=1.0,
                  label=f"spikes ({spikes.size})")
    ax.set_xlabel("time (s)")
    ax.set_ylabel("membrane potential (mV)")
    ax.legend(frameon=False, fontsize="small", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax


def current(t: Any, values: Any, *, label: str | None = None, ax: Any = None) -> Any:
    """Input current over time (shown in pA).

    Parameters
    ----------
    t : array_like
        Times (s).
    values : array_like
        Current (A), same length as ``t`` (or (n_neurons, steps): the first row is shown).
    label : str, optional
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import cortexkit as ck
    >>> t = ck.lif.LIFParams().times()
    >>> ax = ck.plot.lif.current(t, ck.lif.sine_current(t, 1e-10), label="sine")
    """
    t = np.asarray(t, dtype=np.float64)
    y = np.asarray(values, dtype=np.float64)
    if y.ndim == 2:
        y = y[0]
    if y.shape != t.shape:
        raise ValidationError(f"values must have the shape of t {t.shape}; got {y.shape}",
                              param="values")
    ax = get_ax(ax, figsize=(7.0, 2.5))
    ax.plot(t, y * 1e12, color="C1", lw=1.0, label=label)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("input current (pA)")
    if label:
        ax.legend(frameon=False, fontsize="small")
    return ax


def fi_curve(df: Any, *, ax: Any = None) -> Any:
    """f-I curve: simulated rates (markers) against the analytic LIF rate (line).

    Parameters
    ----------
    df : pandas.DataFrame
        From :func:`cortexkit.lif.fi_curve` (columns ``current``, ``rate_sim``,
        ``rate_analytic``).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import numpy as np, cortexkit as ck
    >>> df = ck.lif.fi_curve(np.linspace(0, 4e-10, 9), ck.lif.LIFParams(dt=1e-4, t_max=0.5))
    >>> ax = ck.plot.lif.fi_curve(df)
    """
    missing = {"current", "rate_sim", "rate_analytic"} - set(df.columns)
    if missing:
        raise ValidationError(f"df lacks columns {sorted(missing)}; use ck.lif.fi_curve",
                              param="df")
    ax = get_ax(ax, figsize=(5.0, 3.8))
    i = np.asarray(df["current"]) * 1e12
    order = np.argsort(i)
    ax.plot(i[order], np.asarray(df["rate_analytic"])[order], color="C3", lw=1.5,
            label="analytic")
    ax.plot(i, df["rate_sim"], "o", color="C0", ms=4, label="simulated")
    ax.set_xlabel("input current (pA)")
    ax.set_ylabel("firing rate (Hz)")
    ax.legend(frameon=False, fontsize="small")
    return ax


def isi_distribution(isis: Any, fits: Any = None, *, models: Sequence[str] | None = None,
                     bins: int = 50, ax: Any = None) -> Any:
    """ISI density histogram with fitted model densities overlaid.

    Parameters
    ----------
    isis : array_like
        Intervals (s), e.g. pooled over simulated neurons.
    fits : DistributionFits or mapping of name -> callable, optional
        :func:`cortexkit.isi.fit_distribution` result (its ``pdf(x, model)`` is drawn for
        each of ``models``, default its best model and the exponential), or a mapping of
        label to density function ``f(x)``.
    models : sequence of str, optional
        Which models of ``fits`` to draw.
    bins : int, default 50
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import numpy as np, cortexkit as ck
    >>> from scipy import stats
    >>> isis = np.random.default_rng(0).exponential(0.05, 1000)
    >>> ax = ck.plot.lif.isi_distribution(isis, {"exponential": stats.expon(scale=0.05).pdf})
    """
    x = np.asarray(isis, dtype=np.float64)
    if x.ndim != 1 or x.size == 0:
        raise ValidationError("isis must be a non-empty 1-D array of intervals (s)", param="isis")
    ax = get_ax(ax, figsize=(5.5, 3.8))
    hi = float(np.quantile(x, 0.99))
    ax.hist(x, bins=bins, range=(0.0, hi), density=True, color="0.75",
            label=f"{x.size} ISIs (CV {x.std() / x.mean():.2f})")
    grid = np.linspace(0.0, hi, 400)
    curves: dict[str, Callable[[np.ndarray], np.ndarray]] = {}
    if isinstance(fits, Mapping):
        curves = dict(fits)
    elif fits is not None:
        names = list(models) if models is not None else list(dict.fromkeys(
            [fits.best, "exponential"]))
        pdf = fits.pdf
        curves = {n: functools.partial(pdf, model=n) for n in names}
    for k, (name, f) in enumerate(curves.items()):
        with np.errstate(divide="ignore", invalid="ignore"):
            ax.plot(grid, f(grid), color=f"C{(k + 3) % 10}", lw=1.5, label=name)
    ax.set_xlabel("inter-spike interval (s)")
    ax.set_ylabel("density (1/s)")
    ax.legend(frameon=False, fontsize="small")
    return ax


def membrane_histogram(stats: Any, *, params: Any = None, ax: Any = None) -> Any:
    """Histogram of membrane potentials (over time and trials) from ``membrane_stats``.

    Parameters
    ----------
    stats : MembraneStats
        From :func:`cortexkit.lif.membrane_stats`.
    params : LIFParams, optional
        Draws threshold and reset lines.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import cortexkit as ck
    >>> res = ck.lif.simulate(ck.lif.LIFParams(dt=1e-4), 5e-11, 20, noise_sd=5e-10, seed=0)
    >>> ax = ck.plot.lif.membrane_histogram(ck.lif.membrane_stats(res), params=res.params)
    """
    ax = get_ax(ax, figsize=(5.0, 3.5))
    ax.stairs(stats.counts, stats.edges * 1e3, fill=True, color="0.7",
              label=f"mean {stats.mean * 1e3:.1f} mV, sd {stats.std * 1e3:.2f} mV")
    if params is not None and params.spiking:
        ax.axvline(params.V_th * 1e3, color="C3", ls="--", lw=1.0, label="threshold")
        ax.axvline(params.V_reset * 1e3, color="0.4", ls=":", lw=1.0, label="reset")
    ax.set_xlabel("membrane potential (mV)")
    ax.set_ylabel("count")
    ax.legend(frameon=False, fontsize="small")
    return ax


def _recorded(result: Any) -> np.ndarray:
    if getattr(result, "v", None) is None:
        raise ValidationError("result has no recorded V; simulate with record_v=True",
                              param="result")
    return result.v


def trials(result: Any, *, max_traces: int = 50, ax: Any = None) -> Any:
    """Every trial's V(t) (faint), their mean and mean +- std across trials.

    The Neuromatch W0D1 "Multiple realizations of V_m" figure: one line per neuron
    (trial) of a population driven by independent noise, the sample mean and the band
    mean +- std (``ddof=0``, as ``np.std``) at every time step.

    Parameters
    ----------
    result : LIFResult
        From :func:`cortexkit.lif.simulate` with ``record_v=True``.
    max_traces : int, default 50
        Draw at most this many single trials (the statistics use all of them).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import math, cortexkit as ck
    >>> p = ck.lif.LIFParams(V_th=math.inf)
    >>> i = ck.lif.uniform_noise_current(p.times(), 25e-11, 1.22, n_neurons=50, seed=0)
    >>> ax = ck.plot.lif.trials(ck.lif.simulate(p, i, 50, method="euler"))
    """
    v = _recorded(result)
    max_traces = check_int("max_traces", max_traces, low=0)
    t = result.t
    mean, std = v.mean(axis=0), v.std(axis=0)
    ax = get_ax(ax, figsize=(7.0, 3.5))
    shown = v[:max_traces]
    if shown.shape[0]:
        ax.plot(t, shown.T * 1e3, color="k", alpha=0.15, lw=0.8)
        ax.plot([], [], color="k", alpha=0.3, label=f"V(t), {v.shape[0]} trials")
    ax.plot(t, mean * 1e3, color="C0", lw=2.0, label="mean")
    ax.plot(t, (mean + std) * 1e3, color="C7", lw=1.2, label="mean $\\pm$ std")
    ax.plot(t, (mean - std) * 1e3, color="C7", lw=1.2)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("membrane potential (mV)")
    ax.legend(frameon=False, fontsize="small", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax


def voltage_histograms(result: Any, times: Sequence[float] | None = None, *, bins: int = 50,
                       ax: Any = None) -> Any:
    """Histograms of V across trials at chosen times (the tutorial's two-time histogram).

    Parameters
    ----------
    result : LIFResult
        From :func:`cortexkit.lif.simulate` with ``record_v=True``.
    times : sequence of float, optional
        Times (s); each is mapped to the nearest step. Default ``(t_max / 10, last
        step)``, the W0D1 tutorial's ``v_n[:, int(step_end / 10)]`` and ``v_n[:, -1]``.
    bins : int, default 50
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import math, cortexkit as ck
    >>> p = ck.lif.LIFParams(V_th=math.inf)
    >>> i = ck.lif.uniform_noise_current(p.times(), 25e-11, 1.22, n_neurons=500, seed=0)
    >>> ax = ck.plot.lif.voltage_histograms(ck.lif.simulate(p, i, 500, method="euler"))
    >>> [x.get_text() for x in ax.get_legend().get_texts()]
    ['t = 0.015 s', 't = 0.149 s']
    """
    v = _recorded(result)
    t = result.t
    if times is None:
        idx = [int(t.size / 10), t.size - 1]
    else:
        try:
            ts = np.asarray(times, dtype=np.float64).ravel()
        except (TypeError, ValueError):
            raise ValidationError(f"times must be numbers (s); got {times!r}",
                                  param="times") from None
        if ts.size == 0 or not np.isfinite(ts).all():
            raise ValidationError("times must be finite numbers (s)", param="times")
        idx = [int(np.abs(t - x).argmin()) for x in ts]
    if isinstance(bins, bool) or not isinstance(bins, int | np.integer) or bins < 1:
        raise ValidationError(f"bins must be a positive integer; got {bins!r}", param="bins")
    ax = get_ax(ax, figsize=(5.5, 3.8))
    for k, i in enumerate(idx):
        ax.hist(v[:, i] * 1e3, bins=bins, histtype="stepfilled", alpha=0.6, lw=0,
                color=f"C{k}", label=f"t = {t[i]:.3f} s")
    ax.set_xlabel("membrane potential (mV)")
    ax.set_ylabel("count")
    ax.legend(frameon=False, fontsize="small")
    return ax
