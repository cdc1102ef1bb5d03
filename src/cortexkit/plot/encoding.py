"""Plots of the encoding model: training loss and the convolution filters."""

from __future__ import annotations

from typing import Any

import numpy as np

from cortexkit.plot._util import get_ax

__all__ = ["training_loss", "filters"]


def training_loss(losses: np.ndarray, steps_per_epoch: int | None = None, ax: Any = None) -> Any:
    """Binary cross-entropy per mini-batch step (and its per-epoch mean when known).

    Parameters
    ----------
    losses : ndarray
        From :func:`cortexkit.encoding.train`.
    steps_per_epoch : int, optional
        Draw the per-epoch mean on top.
    ax : Axes, optional

    Returns
    -------
    Axes

    Examples
    --------
    >>> import numpy as np
    >>> ax = training_loss(np.linspace(0.7, 0.1, 20), steps_per_epoch=10)
    """
    ax = get_ax(ax, (4.5, 3.0))
    losses = np.asarray(losses, dtype=float)
    ax.plot(np.arange(1, losses.size + 1), losses, lw=0.8, color="0.6", label="mini-batch")
    if steps_per_epoch and losses.size >= steps_per_epoch:
        k = losses.size // steps_per_epoch
        ep = losses[:k * steps_per_epoch].reshape(k, steps_per_epoch).mean(1)
        ax.plot((np.arange(k) + 1) * steps_per_epoch, ep, "o-", ms=3, label="epoch mean")
        ax.legend(fontsize=8)
    ax.set_xlabel("training step")
    ax.set_ylabel("binary cross-entropy")
    ax.set_yscale("log")
    return ax


def filters(weights: np.ndarray, fig: Any = None) -> Any:
    """The convolution filters (channels x k x k) as images.

    Parameters
    ----------
    weights : ndarray, shape (c, k, k) or (c, 1, k, k)
        E.g. ``net.conv.weight.detach().numpy()``.
    fig : Figure, optional

    Returns
    -------
    Figure

    Examples
    --------
    >>> import numpy as np
    >>> fig = filters(np.random.default_rng(0).normal(size=(6, 7, 7)))
    """
    w = np.asarray(weights)
    if w.ndim == 4:
        w = w[:, 0]
    if fig is None:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(1.3 * len(w), 1.5), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(w)))
    lim = np.abs(w).max()
    for i, (ax, k) in enumerate(zip(axes, w, strict=True)):
        ax.imshow(k, cmap="RdBu_r", vmin=-lim, vmax=lim)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"ch {i}", fontsize=8)
    return fig
