"""Plots of inter-spike intervals: histogram, fitted curves and densities, CV/LV spread."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from cortexkit.errors import ValidationError
from cortexkit.plot._util import get_ax

__all__ = ["histogram", "fits", "variability"]

_CURVE_STYLE = {"exponential": ("C3", "-"), "inverse": ("C2", "--"), "linear": ("C4", ":")}


def histogram(
    isis: Any, bins: int = 50, range: tuple[float, float] | None = None,  # noqa: A002
    ax: Any = None,
) -> Any:
    """ISI histogram of one unit with mean (and median) markers.

    Parameters
    ----------
    isis : array_like or Intervals
        One unit's ISIs in seconds.
    bins : int, default 50
    range : (float, float), optional
        Histogram range in seconds (default ``(0, max ISI)``).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import numpy as np, cortexkit as ck
    >>> ax = ck.plot.isi.histogram(np.random.default_rng(0).exponential(0.1, 500))
    """
    from cortexkit.isi import as_isi_array
    from cortexkit.isi import histogram as isi_histogram

    a = as_isi_array(isis)
    counts, edges = isi_histogram(a, bins=bins, range=range)
    ax = get_ax(ax)
    ax.stairs(counts, edges, fill=True, color="0.7", label=f"{a.size} ISIs")
    if a.size:
        mean, median = float(a.mean()), float(np.median(a))
        ax.axvline(mean, color="C3", lw=1.5, label=f"mean {_ms(mean)}")
        ax.axvline(median, color="C0", lw=1.5, ls="--", label=f"median {_ms(median)}")
    ax.set_xlabel("inter-spike interval (s)")
    ax.set_ylabel("count")
    ax.legend(frameon=False, fontsize="small")
    return ax


def fits(
    counts: Any, edges: Any, curves: Sequence[Any] = (), distribution: Any = None,
    model: str | None = None, ax: Any = None,
) -> Any:
    """Histogram with least-squares curves and a maximum-likelihood density overlaid.

    Parameters
    ----------
    counts, edges : array_like
        Histogram (from :func:`cortexkit.isi.histogram`, counts not densities).
    curves : sequence of CurveFit
        Fits from :func:`cortexkit.isi.fit_curve`.
    distribution : DistributionFits, optional
        Result of :func:`cortexkit.isi.fit_distribution`; the density of ``model``
        (default its best model) is drawn as expected counts per bin.
    model : str, optional
        Which distribution to draw (default: ``distribution.best``).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import numpy as np, cortexkit as ck
    >>> isis = np.random.default_rng(0).gamma(2.0, 0.02, 2000)
    >>> c, e = ck.isi.histogram(isis, bins=40, range=(0, 0.2))
    >>> curves = [ck.isi.fit_curve(c, e, m) for m in ck.isi.CURVE_MODELS]
    >>> ax = ck.plot.isi.fits(c, e, curves, ck.isi.fit_distribution(isis))
    """
    counts = np.asarray(counts, dtype=np.float64)
    edges = np.asarray(edges, dtype=np.float64)
    if edges.shape != (counts.size + 1,):
        raise ValidationError(f"edges must have len(counts) + 1 = {counts.size + 1} entries",
                              param="edges")
    ax = get_ax(ax)
    ax.stairs(counts, edges, fill=True, color="0.8", label="ISI histogram")
    x = np.linspace(edges[0], edges[-1], 400)
    if distribution is not None:
        name = distribution.best if model is None else model
        width = np.diff(edges).mean()
        xd = x[x > 0] if np.any(x > 0) else x
        ax.plot(xd, distribution.n * width * distribution.pdf(xd, name), color="k", lw=3,
                alpha=0.45, label=f"ML {name.replace('_', ' ')}")
    for c in curves:
        color, ls = _CURVE_STYLE.get(c.model, ("k", "-"))
        with np.errstate(divide="ignore", invalid="ignore"):
            y = c.predict(x)
        ax.plot(x, y, color=color, ls=ls, lw=1.5,
                label=f"{c.model} fit (R² {c.r2:.3f})")
    ax.set_ylim(0, max(counts.max(), 1.0) * 1.15)
    ax.set_xlim(edges[0], edges[-1])
    ax.set_xlabel("inter-spike interval (s)")
    ax.set_ylabel("count")
    ax.legend(frameon=False, fontsize="small")
    return ax


def variability(table: Any, bins: int = 40, ax: Any = None) -> Any:
    """Distribution of CV and LV across units (Poisson reference at 1).

    Parameters
    ----------
    table : pandas.DataFrame
        Result of :func:`cortexkit.isi.stats` (columns ``cv`` and ``lv``).
    bins : int, default 40
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import numpy as np, cortexkit as ck
    >>> rng = np.random.default_rng(0)
    >>> st = ck.SpikeTrains.from_list([np.cumsum(rng.exponential(0.1, 100)) for _ in range(20)])
    >>> ax = ck.plot.isi.variability(ck.isi.stats(st))
    """
    missing = {"cv", "lv"} - set(getattr(table, "columns", ()))
    if missing:
        raise ValidationError(f"table needs columns cv and lv (ck.isi.stats); missing {missing}",
                              param="table")
    cv = table["cv"].to_numpy(dtype=np.float64)
    lv = table["lv"].to_numpy(dtype=np.float64)
    cv, lv = cv[np.isfinite(cv)], lv[np.isfinite(lv)]
    ax = get_ax(ax)
    both = np.concatenate([cv, lv])
    hi = float(np.percentile(both, 99)) * 1.05 if both.size else 2.0
    edges = np.linspace(0, max(hi, 1.5), bins + 1)
    ax.hist(np.clip(cv, 0, edges[-1]), bins=edges, histtype="step", lw=2, color="C0",
            label=f"CV (median {np.median(cv):.2f})" if cv.size else "CV")
    ax.hist(np.clip(lv, 0, edges[-1]), bins=edges, histtype="step", lw=2, color="C1",
            label=f"LV (median {np.median(lv):.2f})" if lv.size else "LV")
    ax.axvline(1.0, color="k", ls="--", lw=1, label="Poisson (1)")
    ax.set_xlabel("CV / LV")
    ax.set_ylabel("units")
    ax.legend(frameon=False, fontsize="small")
    return ax


def _ms(v: float) -> str:
    return f"{v * 1e3:.1f} ms" if v < 1 else f"{v:.2f} s"
