"""Plots of representational similarity analyses (take computed results; never compute RDMs)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from cortexkit.errors import ValidationError
from cortexkit.plot._util import get_ax

__all__ = ["stimuli", "rdm_grid", "similarity_bars", "rdm_rows", "tuning_curves", "embeddings"]


def _figure(ncols: int, nrows: int = 1, size: tuple[float, float] = (2.6, 2.4)) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(size[0] * ncols, size[1] * nrows), layout="constrained")


def stimuli(images: np.ndarray, titles: Sequence[str] | None = None, fig: Any = None) -> Any:
    """Show stimulus images side by side (grey level 0..1 as from grating(), or any range).

    Parameters
    ----------
    images : ndarray, shape (p, h, w)
    titles : sequence of str, optional
    fig : matplotlib Figure, optional

    Returns
    -------
    Figure

    Examples
    --------
    >>> from cortexkit.encoding import grating
    >>> fig = stimuli(grating([-45.0, 0.0, 45.0]), ["-45", "0", "45"])
    """
    images = np.asarray(images)
    if images.ndim != 3:
        raise ValidationError(f"images must be (p, h, w); got shape {images.shape}", param="images")
    fig = fig if fig is not None else _figure(len(images), size=(1.9, 1.6))
    axes = np.atleast_1d(fig.subplots(1, len(images)))
    for i, (ax, img) in enumerate(zip(axes, images, strict=True)):
        ax.imshow(img, cmap="gray", vmin=min(img.min(), 0.0), vmax=max(img.max(), 1.0))
        ax.set_xticks([])
        ax.set_yticks([])
        if titles is not None:
            ax.set_title(titles[i], fontsize=9)
    return fig


def rdm_grid(rdms: Mapping[str, np.ndarray], stimuli: np.ndarray | None = None,
             fig: Any = None, cmap: str = "viridis", vmin: float | None = None,
             vmax: float | None = None) -> Any:
    """RDMs of several systems (data, model layers) side by side, each with its colour bar.

    Each panel scales its own colours unless ``vmin``/``vmax`` are given; ``vmin=0,
    vmax=2`` is the Neuromatch W1D5 tutorial's shared scale for correlation distance.

    Parameters
    ----------
    rdms : mapping name -> (S, S) ndarray
    stimuli : ndarray, shape (S,), optional
        Stimulus values for the axis labels (first and last shown).
    fig : Figure, optional
    cmap : str
    vmin, vmax : float, optional
        One colour scale for every panel.

    Returns
    -------
    Figure

    Examples
    --------
    >>> import numpy as np
    >>> fig = rdm_grid({"a": np.zeros((3, 3)), "b": np.ones((3, 3))})
    """
    if not rdms:
        raise ValidationError("rdms is empty; give at least one name -> RDM", param="rdms")
    fig = fig if fig is not None else _figure(len(rdms), size=(2.9, 2.6))
    axes = np.atleast_1d(fig.subplots(1, len(rdms)))
    for ax, (name, m) in zip(axes, rdms.items(), strict=True):
        m = np.asarray(m)
        im = ax.imshow(m, cmap=cmap, interpolation="nearest", vmin=vmin, vmax=vmax)
        ax.set_title(name, fontsize=10)
        if stimuli is not None and len(stimuli) == m.shape[0]:
            ticks = [0, m.shape[0] - 1]
            labels = [f"{stimuli[0]:.0f}", f"{stimuli[-1]:.0f}"]
            ax.set_xticks(ticks, labels)
            ax.set_yticks(ticks, labels)
        else:
            ax.set_xticks([])
            ax.set_yticks([])
        fig.colorbar(im, ax=ax, shrink=0.75, label="dissimilarity")
    return fig


def similarity_bars(table: Any, ax: Any = None, label: str | None = None) -> Any:
    """Bar chart of layer-vs-data RDM similarity with bootstrap confidence intervals.

    Parameters
    ----------
    table : DataFrame
        Columns ``layer``, ``similarity``, ``ci_low``, ``ci_high`` (as returned in
        :attr:`cortexkit.encoding.LayerComparison.table`); an optional ``group`` column
        draws grouped bars (e.g. one group per architecture or dataset).
    ax : Axes, optional
    label : str, optional
        y-axis label (default from the table's ``method``).

    Returns
    -------
    Axes

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"layer": ["pool", "fc"], "similarity": [0.6, 0.3],
    ...                   "ci_low": [0.5, 0.2], "ci_high": [0.7, 0.4]})
    >>> ax = similarity_bars(t)
    """
    ax = get_ax(ax, (5.0, 3.2))
    need = {"layer", "similarity", "ci_low", "ci_high"}
    if not need <= set(table.columns):
        raise ValidationError(f"table needs columns {sorted(need)}, has {list(table.columns)}",
                              param="table")
    groups = list(dict.fromkeys(table["group"])) if "group" in table.columns else [None]
    layers = list(dict.fromkeys(table["layer"]))
    width = 0.8 / len(groups)
    for gi, g in enumerate(groups):
        sub = table if g is None else table[table["group"] == g]
        shift = (gi - (len(groups) - 1) / 2) * width
        pos = np.array([layers.index(v) for v in sub["layer"]]) + shift
        y = sub["similarity"].to_numpy(float)
        err = np.vstack([y - sub["ci_low"].to_numpy(float), sub["ci_high"].to_numpy(float) - y])
        ax.bar(pos, y, width * 0.9, yerr=err, capsize=4, label=g, alpha=0.85)
    ax.set_xticks(np.arange(len(layers)), layers)
    ax.axhline(0, color="k", lw=0.8)
    method = table["method"].iloc[0] if "method" in table.columns else "similarity"
    ax.set_ylabel(label or f"RDM similarity ({method})")
    if groups != [None]:
        ax.legend(fontsize=8)
    return ax


def rdm_rows(rdms: Mapping[str, np.ndarray], stimuli: np.ndarray,
             at: Sequence[float] = (-60.0, -20.0, 20.0, 60.0), fig: Any = None, *,
             by: str = "system", ylim: tuple[float, float] | None = None) -> Any:
    """Dissimilarity to the stimuli nearest chosen orientations, for every system.

    ``by="system"``: one panel per system, one line per chosen orientation (the RDM row
    of the stimulus closest to it, against stimulus value). ``by="orientation"``: the
    Neuromatch W1D5 tutorial's ``plot_rdm_rows`` layout, one panel per chosen
    orientation ("Dissimilarity with response to X° stimulus"), one line per system, a
    grey line at that stimulus and a shared y axis. ``ylim=(0, 2)`` fixes the shared scale
    to the range of correlation distance.

    Parameters
    ----------
    rdms : mapping name -> (S, S) ndarray
    stimuli : ndarray, shape (S,)
        Stimulus values (degrees).
    at : sequence of float
        Orientations whose rows are shown.
    fig : Figure, optional
    by : {"system", "orientation"}
        What one panel shows.
    ylim : (float, float), optional
        Same y range on every panel (panels share their y axis when given, and always
        with ``by="orientation"``).

    Returns
    -------
    Figure

    Examples
    --------
    >>> import numpy as np
    >>> s = np.linspace(-90, 90, 10)
    >>> fig = rdm_rows({"a": np.abs(s[:, None] - s[None, :])}, s, at=(0.0,))
    >>> fig = rdm_rows({"a": np.abs(s[:, None] - s[None, :]) / 90}, s, at=(-50.0, 50.0),
    ...                by="orientation", ylim=(0, 2))
    >>> [tuple(map(float, ax.get_ylim())) for ax in fig.axes]
    [(0.0, 2.0), (0.0, 2.0)]
    """
    if by not in ("system", "orientation"):
        raise ValidationError(f"by must be 'system' or 'orientation'; got {by!r}", param="by")
    if not rdms or not len(at):
        raise ValidationError("rdms and at must not be empty", param="rdms")
    st = np.asarray(stimuli, dtype=float)
    order = np.argsort(st)
    mats = {}
    for name, m in rdms.items():
        m = np.asarray(m)
        if m.shape != (st.size, st.size):
            raise ValidationError(f"RDM {name!r} has shape {m.shape}, stimuli has {st.size}")
        mats[name] = m
    rows = [int(np.argmin(np.abs(st - a))) for a in at]
    n_panels = len(mats) if by == "system" else len(rows)
    fig = fig if fig is not None else _figure(n_panels, size=(3.0, 2.6))
    share = by == "orientation" or ylim is not None
    axes = np.atleast_1d(fig.subplots(1, n_panels, sharey=share))
    import matplotlib as mpl

    if by == "system":
        colors = mpl.colormaps["twilight"](np.linspace(0.1, 0.9, len(at)))
        for ax, (name, m) in zip(axes, mats.items(), strict=True):
            for c, i in zip(colors, rows, strict=True):
                ax.plot(st[order], m[i, order], color=c, label=f"{st[i]:.0f}°")
                ax.axvline(st[i], color=c, lw=0.6, ls=":")
            ax.set_title(name, fontsize=10)
        legend_title = "row at"
    else:
        for ax, a, i in zip(axes, at, rows, strict=True):
            for name, m in mats.items():
                ax.plot(st[order], m[i, order], label=name)
            ax.axvline(st[i], color=".7", zorder=-1)
            ax.set_title(f"Dissimilarity with response\nto {a:.0f}° stimulus", fontsize=10)
        legend_title = None
    for ax in axes:
        ax.set_xlabel("stimulus orientation (deg)")
        if ylim is not None:
            ax.set_ylim(*ylim)
    axes[0].set_ylabel("dissimilarity")
    axes[-1].legend(fontsize=7, title=legend_title, title_fontsize=7)
    return fig


def tuning_curves(tc: Any, neurons: Sequence[int] | None = None, ax: Any = None,
                  n: int = 8) -> Any:
    """Tuning curves (mean +- SEM) of chosen neurons or units.

    Parameters
    ----------
    tc : TuningCurves
        From :func:`cortexkit.rsa.tuning_curves`.
    neurons : sequence of int, optional
        Column indices; default: the ``n`` most modulated (largest max - min of the mean).
    ax : Axes, optional
    n : int

    Returns
    -------
    Axes

    Examples
    --------
    >>> import numpy as np
    >>> from cortexkit.rsa import tuning_curves as tcs
    >>> ax = tuning_curves(tcs(np.eye(4), np.arange(4.0)))
    """
    ax = get_ax(ax, (4.5, 3.2))
    mean = np.asarray(tc.mean)
    shown = (np.argsort(mean.max(0) - mean.min(0))[::-1][:n] if neurons is None
             else neurons)
    for j in shown:
        line, = ax.plot(tc.stimuli, mean[:, j], lw=1.2)
        sem = np.asarray(tc.sem)[:, j]
        if np.isfinite(sem).any():
            ax.fill_between(tc.stimuli, mean[:, j] - sem, mean[:, j] + sem,
                            color=line.get_color(), alpha=0.2, lw=0)
    ax.set_xlabel("stimulus (deg)")
    ax.set_ylabel("mean response")
    return ax


def embeddings(embs: Mapping[str, np.ndarray], stimuli: np.ndarray, fig: Any = None,
               cmap: str = "twilight", label: str = "orientation (deg)") -> Any:
    """2-D embeddings of several systems, points coloured by stimulus value.

    Parameters
    ----------
    embs : mapping name -> (S, 2) ndarray
        From :func:`cortexkit.rsa.embed`.
    stimuli : ndarray, shape (S,)
    fig : Figure, optional
    cmap : str
        A cyclic colormap suits orientation.
    label : str
        Colour bar label.

    Returns
    -------
    Figure

    Examples
    --------
    >>> import numpy as np
    >>> fig = embeddings({"a": np.random.default_rng(0).normal(size=(5, 2))}, np.arange(5.0))
    """
    fig = fig if fig is not None else _figure(len(embs), size=(2.9, 2.7))
    axes = np.atleast_1d(fig.subplots(1, len(embs)))
    sc = None
    for ax, (name, e) in zip(axes, embs.items(), strict=True):
        e = np.asarray(e)
        sc = ax.scatter(e[:, 0], e[:, 1], c=stimuli, cmap=cmap, s=10)
        ax.set_title(name, fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
    if sc is not None:
        fig.colorbar(sc, ax=list(axes), shrink=0.8, label=label)
    return fig
