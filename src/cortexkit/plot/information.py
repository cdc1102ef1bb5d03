"""Plots of information results: PMFs over bin edges, reference PMFs, entropy against rate.

The functions only draw: they take PMFs, entropies and rates computed by
:mod:`cortexkit.information` and return the Axes or Figure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from cortexkit.errors import ValidationError
from cortexkit.plot._util import get_ax

__all__ = ["pmf", "reference_pmfs", "entropy_vs_rate"]

_REF_COLOURS = {"deterministic": "C0", "uniform": "C2", "exponential": "C3",
                "max_entropy": "k"}


def _edges(p: np.ndarray, bins: Any) -> np.ndarray:
    edges = np.asarray(bins, dtype=np.float64)
    if edges.ndim != 1 or edges.size != p.size + 1:
        raise ValidationError(
            f"bins must be the {p.size + 1} bin edges of a PMF with {p.size} entries; got "
            f"shape {edges.shape}", param="bins"
        )
    return edges


def pmf(p: Any, bins: Any, *, ax: Any = None, label: str | None = None,
        color: str | None = None, fill: bool = False, seconds_as_ms: bool = True) -> Any:
    """A PMF as a step plot over its bin edges.

    Parameters
    ----------
    p : array_like
        Probabilities (``n_bins``).
    bins : array_like
        The ``n_bins + 1`` edges (seconds for ISI distributions).
    ax : matplotlib Axes, optional
    label, color : str, optional
        Legend label and colour of the steps.
    fill : bool, default False
        Fill under the steps.
    seconds_as_ms : bool, default True
        Label the x axis in milliseconds (edges are multiplied by 1000).

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import numpy as np
    >>> import cortexkit as ck
    >>> edges = np.linspace(0, 0.25, 51)
    >>> ax = ck.plot.information.pmf(ck.information.max_entropy_pmf(0.03), edges)
    """
    p = np.asarray(p, dtype=np.float64)
    edges = _edges(p, bins)
    ax = get_ax(ax)
    x = edges * 1e3 if seconds_as_ms else edges
    ax.stairs(p, x, label=label, color=color, fill=fill, alpha=0.5 if fill else 1.0)
    ax.set_xlabel("inter-spike interval (ms)" if seconds_as_ms else "value")
    ax.set_ylabel("probability")
    if label is not None:
        ax.legend(frameon=False, fontsize="small")
    return ax


def reference_pmfs(pmfs: Mapping[str, Any], bins: Any, *,
                   entropies: Mapping[str, float] | None = None,
                   max_entropy: Any = None, unit: str = "bits", fig: Any = None) -> Any:
    """Reference ISI PMFs side by side, each titled with its entropy.

    Parameters
    ----------
    pmfs : mapping of str to array_like
        E.g. the result of :func:`cortexkit.information.reference_pmfs`.
    bins : array_like
        The common bin edges (seconds).
    entropies : mapping of str to float, optional
        Entropy of each PMF (shown in the panel titles).
    max_entropy : array_like, optional
        The maximum-entropy PMF at the same mean, drawn dashed in every panel.
    unit : str, default "bits"
        Entropy unit for the titles.
    fig : matplotlib Figure, optional
        Figure to draw into (default: a new one).

    Returns
    -------
    matplotlib Figure

    Examples
    --------
    >>> import numpy as np
    >>> import cortexkit as ck
    >>> refs = ck.information.reference_pmfs(0.03)
    >>> h = {k: ck.information.entropy(v) for k, v in refs.items()}
    >>> fig = ck.plot.information.reference_pmfs(refs, np.linspace(0, 0.25, 51), entropies=h)
    """
    if not pmfs:
        raise ValidationError("pmfs is empty; give at least one PMF to plot", param="pmfs")
    if fig is None:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(3.2 * len(pmfs), 3.0), layout="constrained")
    axes = fig.subplots(1, len(pmfs), sharey=True, squeeze=False)[0]
    for ax, (name, p) in zip(axes, pmfs.items(), strict=True):
        pmf(p, bins, ax=ax, color=_REF_COLOURS.get(name), fill=True)
        if max_entropy is not None:
            pmf(max_entropy, bins, ax=ax, color="k")
        title = name
        if entropies is not None and name in entropies:
            title += f"\nH = {entropies[name]:.3f} {unit}"
        ax.set_title(title, fontsize="medium")
        if ax is not axes[0]:
            ax.set_ylabel("")
    if max_entropy is not None:
        axes[-1].plot([], [], color="k", label="max-entropy")
        axes[-1].legend(frameon=False, fontsize="small")
    return fig


def entropy_vs_rate(rates: Any, entropies: Any, *, bound: Any = None, ax: Any = None,
                    unit: str = "bits", highlight: Any = None,
                    highlight_label: str = "highlighted") -> Any:
    """Per-unit ISI entropy against firing rate (log rate axis).

    Parameters
    ----------
    rates : array_like
        Firing rate of each unit (Hz).
    entropies : array_like
        ISI entropy of each unit (NaN units are skipped).
    bound : array_like, optional
        Each unit's maximum-entropy bound at its mean ISI, drawn as grey markers.
    ax : matplotlib Axes, optional
    unit : str, default "bits"
    highlight : array_like of bool, optional
        Units to mark (e.g. the farthest from the bound).
    highlight_label : str, default "highlighted"
        Legend label of the marked units.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import cortexkit as ck
    >>> ax = ck.plot.information.entropy_vs_rate([1.0, 5.0, 20.0], [3.2, 4.1, 3.0])
    """
    r = np.asarray(rates, dtype=np.float64)
    h = np.asarray(entropies, dtype=np.float64)
    if r.shape != h.shape or r.ndim != 1:
        raise ValidationError(
            f"rates and entropies must be 1-D and of equal length; got {r.shape} and {h.shape}",
            param="rates"
        )
    ax = get_ax(ax)
    ok = np.isfinite(h) & (r > 0)
    if bound is not None:
        b = np.asarray(bound, dtype=np.float64)
        if b.shape != h.shape:
            raise ValidationError(f"bound must have one value per unit ({h.size}); got {b.shape}",
                                  param="bound")
        okb = ok & np.isfinite(b)
        ax.scatter(r[okb], b[okb], s=10, marker="_", color="0.5",
                   label="max-entropy bound at the unit's mean ISI")
    ax.scatter(r[ok], h[ok], s=12, color="C0", alpha=0.7, label="unit")
    if highlight is not None:
        m = np.asarray(highlight, dtype=bool) & ok
        ax.scatter(r[m], h[m], s=40, facecolors="none", edgecolors="C3",
                   label=highlight_label)
    ax.set_xscale("log")
    ax.set_xlabel("firing rate (Hz)")
    ax.set_ylabel(f"ISI entropy ({unit})")
    ax.legend(frameon=False, fontsize="small")
    return ax
