"""Plots of network causality results: connectivity graphs and matrices, activity, scores.

Every function takes finished results (matrices, a run, a score table), accepts an optional
matplotlib ``ax`` and returns the Figure or Axes; nothing here estimates anything.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cortexkit.errors import ValidationError
from cortexkit.plot._util import get_ax

__all__ = ["graph", "matrix", "true_vs_estimated", "compare_grid", "activity", "scores",
           "score_bars"]

_METHOD_COLORS = {
    "perturbation": "#1b9e77", "perturbation_corr": "#66a61e", "iv": "#7570b3",
    "correlation": "#d95f02", "regression": "#e7298a",
}


def graph(W: Any, ax: Any = None, *, top: int | None = None, threshold: float | None = None,
          title: str | None = None) -> Any:
    """Connectivity graph on a circle, arrows pointing from cause (column) to effect (row).

    Parameters
    ----------
    W : array_like, shape (n, n)
        Weights ``W[i, j]`` from neuron j to neuron i; NaN entries are not drawn.
    ax : matplotlib Axes, optional
        Axes to draw on (default: a new figure).
    top : int, optional
        Draw only the ``top`` strongest edges by ``|W|`` (useful for estimates, which are
        never exactly zero); default: every non-zero off-diagonal entry.
    threshold : float, optional
        Draw only edges with ``|W| >= threshold * max|W|`` (applied before ``top``).
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import numpy as np
    >>> from cortexkit.plot.causality import graph
    >>> ax = graph(np.array([[0, 1.0], [0, 0]]))
    >>> len(ax.patches)
    1
    """
    from matplotlib.patches import FancyArrowPatch

    w = _square(W, "W")
    n = w.shape[0]
    ax = get_ax(ax, (4.0, 4.0))
    angle = np.pi / 2 - 2 * np.pi * np.arange(n) / n
    pos = np.column_stack([np.cos(angle), np.sin(angle)])
    mag = np.where(np.isfinite(w), np.abs(w), 0.0)
    np.fill_diagonal(mag, 0.0)
    order = np.argsort(mag, axis=None)[::-1]
    keep = order[mag.ravel()[order] > 0]
    if threshold is not None:
        keep = keep[mag.ravel()[keep] >= float(threshold) * mag.max()]
    if top is not None:
        keep = keep[: max(int(top), 0)]
    wmax = mag.max() if mag.max() > 0 else 1.0
    for flat in keep[::-1]:
        i, j = divmod(int(flat), n)
        color = "#b2182b" if w[i, j] > 0 else "#2166ac"
        ax.add_patch(FancyArrowPatch(
            pos[j], pos[i], arrowstyle="-|>", mutation_scale=10 + 6 * mag[i, j] / wmax,
            lw=0.6 + 2.4 * mag[i, j] / wmax, color=color, alpha=0.8,
            connectionstyle="arc3,rad=0.12", shrinkA=9, shrinkB=9))
    ax.scatter(pos[:, 0], pos[:, 1], s=260, c="#f0f0f0", edgecolors="#333", zorder=3)
    if n <= 40:
        for k in range(n):
            ax.text(pos[k, 0], pos[k, 1], str(k), ha="center", va="center", fontsize=7,
                    zorder=4)
    ax.set_xlim(-1.25, 1.25)
    ax.set_ylim(-1.25, 1.25)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title)
    return ax


def matrix(W: Any, ax: Any = None, *, title: str | None = None, colorbar: bool = True) -> Any:
    """Heatmap of a connectivity matrix: "from" neuron (cause) on x, "to" (effect) on y.

    NaN entries (not estimated) are shown in grey.  The colour scale is symmetric.

    Parameters
    ----------
    W : array_like, shape (n, n)
        Weights ``W[i, j]`` from j to i.
    ax : matplotlib Axes, optional
        Axes to draw on.
    title : str, optional
        Axes title.
    colorbar : bool
        Add a colour bar.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import numpy as np
    >>> from cortexkit.plot.causality import matrix
    >>> matrix(np.eye(3)).get_xlabel()
    'from neuron (cause)'
    """
    w = _square(W, "W")
    ax = get_ax(ax, (4.0, 3.4))
    finite = np.isfinite(w)
    lim = float(np.abs(w[finite]).max()) if finite.any() else 1.0
    lim = lim if lim > 0 else 1.0
    cmap = _cmap()
    im = ax.imshow(np.ma.masked_invalid(w), cmap=cmap, vmin=-lim, vmax=lim,
                   interpolation="nearest")
    ax.set_xlabel("from neuron (cause)")
    ax.set_ylabel("to neuron (effect)")
    if title:
        ax.set_title(title)
    if colorbar:
        ax.figure.colorbar(im, ax=ax, shrink=0.8)
    return ax


def true_vs_estimated(A: Any, estimate: Any, *, method: str = "estimate",
                      observed: Any = None, source: int | None = None,
                      fig: Any = None) -> Any:
    """True and estimated connectivity side by side, as graphs (top) and matrices (bottom).

    With a single estimated column (the effects of one perturbed neuron ``source`` on all
    neurons, shape ``(n,)`` or ``(n, 1)``, as in the Neuromatch W3D5 tutorial's
    ``plot_true_vs_estimated_connectivity(..., selected_neuron)``) the figure shows that
    column next to the true column ``A[:, source]`` (two one-column heatmaps on one
    symmetric colour scale). A full ``(n, n)`` estimate with ``source`` given (e.g. from
    ``ck.causality.estimate(run, "perturbation", source=j)``, NaN elsewhere) is reduced to
    its column ``source``.

    Parameters
    ----------
    A : array_like, shape (n, n)
        True connectivity.
    estimate : array_like, shape (n, n), (n,) or (n, 1)
        Estimate (NaN where not estimated), or one estimated column.
    method : str
        Name shown in the titles.
    observed : sequence of int, optional
        Observed neurons: the true graph is drawn for this block only, like the estimate
        (full matrices only).
    source : int, optional
        The perturbed neuron (column) of a single-column estimate; required for one.
    fig : matplotlib Figure, optional
        Figure to draw on (default: a new pyplot-free Figure).

    Returns
    -------
    matplotlib Figure

    Examples
    --------
    >>> import numpy as np
    >>> from cortexkit.plot.causality import true_vs_estimated
    >>> fig = true_vs_estimated(np.array([[0, 1.0], [0, 0]]), np.array([[0, .8], [.1, 0]]))
    >>> len(fig.axes) >= 4
    True
    >>> fig = true_vs_estimated(np.array([[0, 1.0], [0, 0]]), [0.9, 0.0], source=1)
    >>> [ax.get_title() for ax in fig.axes[:2]], fig.get_suptitle()
    (['estimate', 'true'], 'effects of neuron 1')
    """
    from matplotlib.figure import Figure

    a = _square(A, "A")
    e = np.asarray(estimate, dtype=float)
    column = e.ndim == 1 or (e.ndim == 2 and e.shape[1] == 1 and a.shape[0] > 1)
    if column or source is not None:
        return _true_vs_estimated_column(a, e, method, source, column, fig)
    e = _square(e, "estimate")
    if a.shape != e.shape:
        raise ValidationError(f"A {a.shape} and estimate {e.shape} must have the same shape",
                              param="A")
    if observed is not None:
        shown = np.full_like(a, np.nan)
        idx = np.asarray(observed, dtype=int)
        shown[np.ix_(idx, idx)] = a[np.ix_(idx, idx)]
        a = shown
    n_edges = int(np.count_nonzero(np.nan_to_num(a) * ~np.eye(a.shape[0], dtype=bool)))
    fig = fig if fig is not None else Figure(figsize=(8.0, 7.4), layout="constrained")
    axes = fig.subplots(2, 2)
    graph(a, axes[0, 0], title="true connectivity")
    graph(e, axes[0, 1], top=n_edges, title=f"{method}: strongest {n_edges} edges")
    matrix(a, axes[1, 0], title="true")
    matrix(e, axes[1, 1], title=method)
    return fig


def _true_vs_estimated_column(a: np.ndarray, e: np.ndarray, method: str, source: Any,
                              column: bool, fig: Any) -> Any:
    from matplotlib.figure import Figure

    n = a.shape[0]
    if source is None:
        raise ValidationError("source: a single estimated column needs source= (the index "
                              "of the perturbed neuron whose effects it holds)", param="source")
    if isinstance(source, bool) or not isinstance(source, int | np.integer) \
            or not 0 <= source < n:
        raise ValidationError(f"source must be a neuron index in [0, {n}); got {source!r}",
                              param="source")
    if column:
        est = e.reshape(-1)
        if est.size != n:
            raise ValidationError(f"estimate has {est.size} values but A has {n} neurons; "
                                  "give one effect per neuron")
    else:
        e = _square(e, "estimate")
        if e.shape != a.shape:
            raise ValidationError(f"A {a.shape} and estimate {e.shape} must have the same "
                                  "shape")
        est = e[:, source]
    cols = {method: est, "true": a[:, source]}
    finite = np.concatenate([c[np.isfinite(c)] for c in cols.values()])
    lim = float(np.abs(finite).max()) if finite.size and np.abs(finite).max() > 0 else 1.0
    fig = fig if fig is not None else Figure(figsize=(5.0, 5.0), layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    for ax, (title, col) in zip(axes, cols.items(), strict=True):
        im = ax.imshow(np.ma.masked_invalid(col[:, None]), cmap=_cmap(), vmin=-lim, vmax=lim,
                       aspect="auto", interpolation="nearest")
        ax.set_xticks([0], [str(source)])
        ax.set_xlabel("from neuron (cause)")
        ax.set_title(title)
    axes[0].set_ylabel("to neuron (effect)")
    fig.colorbar(im, ax=list(axes), shrink=0.8, label="connectivity strength")
    fig.suptitle(f"effects of neuron {source}")
    return fig


def compare_grid(A: Any, estimates: dict, *, observed: Any = None,
                 threshold: float | None = None) -> Any:
    """The truth and several estimates in one figure: graphs (top row), matrices (bottom).

    Each estimate's graph shows as many strongest edges as the truth has (or, with
    ``threshold``, every edge of at least that fraction of its strongest one); each matrix
    has its own symmetric colour scale (methods estimate effects in different units).

    Parameters
    ----------
    A : array_like, shape (n, n)
        True connectivity.
    estimates : dict
        Name -> (n, n) estimate (NaN where not estimated).
    observed : sequence of int, optional
        Recorded neurons: every panel shows this block only.
    threshold : float, optional
        Relative edge threshold for the estimate graphs (see :func:`graph`).

    Returns
    -------
    matplotlib Figure

    Examples
    --------
    >>> import numpy as np
    >>> from cortexkit.plot.causality import compare_grid
    >>> A = np.array([[0, 1.0], [0, 0]])
    >>> len(compare_grid(A, {"a": A, "b": -A}).axes)
    6
    """
    from matplotlib.figure import Figure

    panels = {"true": _square(A, "A"),
              **{str(k): _square(v, f"estimates[{k!r}]") for k, v in estimates.items()}}
    if observed is not None:
        idx = np.asarray(observed, dtype=int)
        for name, w in panels.items():
            shown = np.full_like(w, np.nan)
            shown[np.ix_(idx, idx)] = w[np.ix_(idx, idx)]
            panels[name] = shown
    a = panels["true"]
    n_edges = int(np.count_nonzero(np.nan_to_num(a) * ~np.eye(a.shape[0], dtype=bool)))
    k = len(panels)
    fig = Figure(figsize=(2.3 * k, 4.8))
    axes = fig.subplots(2, k, squeeze=False)
    fig.subplots_adjust(left=0.04, right=0.99, top=0.93, bottom=0.08, wspace=0.25, hspace=0.2)
    for c, (name, w) in enumerate(panels.items()):
        if name == "true":
            graph(w, axes[0, c], title=name)
        elif threshold is not None:
            graph(w, axes[0, c], threshold=threshold, title=name)
        else:
            graph(w, axes[0, c], top=n_edges, title=name)
        matrix(w, axes[1, c], colorbar=False)
        if c:
            axes[1, c].set_ylabel("")
    return fig


def activity(run: Any, ax: Any = None, *, max_steps: int = 120,
             title: str | None = None) -> Any:
    """Image of network activity (neurons x time); clamped entries outlined by a dot.

    Parameters
    ----------
    run : NetworkRun or array_like (n, T)
        A simulated run or an activity array.
    ax : matplotlib Axes, optional
        Axes to draw on.
    max_steps : int
        Show only the first ``max_steps`` time steps.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import numpy as np
    >>> from cortexkit.plot.causality import activity
    >>> activity(np.random.default_rng(0).random((4, 50))).get_ylabel()
    'neuron'
    """
    act = np.asarray(getattr(run, "activity", run), dtype=float)
    if act.ndim != 2:
        raise ValidationError(f"activity must be 2-D (neurons, time); got shape {act.shape}",
                              param="activity")
    clamped = getattr(run, "clamped", None)
    steps = min(int(max_steps), act.shape[1])
    ax = get_ax(ax, (7.0, 3.0))
    im = ax.imshow(act[:, :steps], aspect="auto", cmap="viridis", vmin=0, vmax=1,
                   interpolation="nearest")
    if clamped is not None and clamped[:, :steps].any():
        i, t = np.nonzero(clamped[:, :steps])
        ax.scatter(t, i, s=2, c="white", marker=".", linewidths=0, label="clamped")
    ax.set_xlabel("time step")
    ax.set_ylabel("neuron")
    if title:
        ax.set_title(title)
    ax.figure.colorbar(im, ax=ax, label="x (rate)")
    return ax


def scores(table: Any, x: str = "n_neurons", metric: str = "correlation", ax: Any = None,
           *, title: str | None = None) -> Any:
    """Score of each method against ``x`` (network size, timesteps or observed fraction).

    Parameters
    ----------
    table : DataFrame
        Output of :func:`cortexkit.causality.run_experiment` (rows with the same ``x`` and
        method, e.g. repeats, are averaged; the range is shaded).
    x : str
        Column on the x axis: ``"n_neurons"``, ``"timesteps"`` or ``"observed"``.
    metric : str
        Score column: ``"correlation"``, ``"auroc"``, ``"sign_accuracy"``, ``"rel_error"``.
    ax : matplotlib Axes, optional
        Axes to draw on.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from cortexkit.plot.causality import scores
    >>> df = pd.DataFrame({"n_neurons": [5, 10], "method": "correlation",
    ...                    "correlation": [0.9, 0.7]})
    >>> scores(df).get_xlabel()
    'n_neurons'
    """
    for col in (x, metric, "method"):
        if col not in table.columns:
            raise ValidationError(f"table has no column {col!r}; columns: {list(table.columns)}",
                                  param="table")
    ax = get_ax(ax, (5.0, 3.6))
    for method, grp in table.groupby("method", sort=False):
        g = grp.groupby(x)[metric]
        mean, lo, hi = g.mean(), g.min(), g.max()
        color = _METHOD_COLORS.get(str(method))
        ax.plot(mean.index, mean.values, "o-", color=color, label=str(method))
        if (hi > lo).any():
            ax.fill_between(mean.index, lo.values, hi.values, color=color, alpha=0.15)
    if x == "n_neurons":
        ticks = np.unique(table[x].to_numpy())
        ax.set_xscale("log")
        ax.set_xticks(ticks, [str(int(t)) for t in ticks])
        ax.minorticks_off()
    ax.set_xlabel(x)
    ax.set_ylabel(metric)
    ax.legend(fontsize=7, frameon=False)
    if title:
        ax.set_title(title)
    return ax


def score_bars(table: Any, group: str, metric: str = "rel_error", ax: Any = None, *,
               title: str | None = None) -> Any:
    """Grouped bars: ``metric`` of each method (x) for each value of the ``group`` column.

    Parameters
    ----------
    table : DataFrame
        Columns ``method``, ``group`` and ``metric`` (one row per method and group).
    group : str
        Column whose values become the bar groups (e.g. which neurons were recorded).
    metric : str
        Score column to show.
    ax : matplotlib Axes, optional
        Axes to draw on.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from cortexkit.plot.causality import score_bars
    >>> df = pd.DataFrame({"method": ["iv", "iv"], "rec": ["all", "half"],
    ...                    "rel_error": [0.1, 0.2]})
    >>> len(score_bars(df, "rec").patches)
    2
    """
    for col in (group, metric, "method"):
        if col not in table.columns:
            raise ValidationError(f"table has no column {col!r}; columns: {list(table.columns)}",
                                  param="table")
    ax = get_ax(ax, (6.0, 3.4))
    methods = list(dict.fromkeys(table["method"]))
    groups = list(dict.fromkeys(table[group]))
    width = 0.8 / len(groups)
    for g_i, g in enumerate(groups):
        sub = table[table[group] == g].set_index("method")[metric]
        vals = [float(sub.get(m, np.nan)) for m in methods]
        ax.bar(np.arange(len(methods)) + (g_i - (len(groups) - 1) / 2) * width, vals,
               width=width, label=str(g))
    ax.set_xticks(np.arange(len(methods)), methods, rotation=20, fontsize=8)
    ax.set_ylabel(metric)
    ax.legend(fontsize=7, frameon=False)
    if title:
        ax.set_title(title)
    return ax


def _square(W: Any, name: str) -> np.ndarray:
    w = np.asarray(W, dtype=float)
    if w.ndim != 2 or w.shape[0] != w.shape[1]:
        raise ValidationError(f"{name} must be a square (n, n) matrix, got shape {w.shape}",
                              param=name)
    return w


def _cmap() -> Any:
    import matplotlib

    return matplotlib.colormaps["RdBu_r"].with_extremes(bad="#d0d0d0")
