"""The recording a front end works on: a file or folder, or the bundled session."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["load_recording"]


def load_recording(
    path: str | Path | None = None,
    *,
    seed: int = 0,
    on_warning: Callable[[str], None] | None = None,
    **options: Any,
) -> Any:
    """The recording at ``path`` (:func:`load_spikes`), or the bundled synthetic session.

    Parameters
    ----------
    path : str or Path, optional
        Spike file or folder; None gives ``ck.datasets.steinmetz_like(seed)``.
    seed : int, default 0
        Seed of the bundled session.
    on_warning : callable, optional
        Receives the message of every warning raised while loading (sorted input,
        duplicate spikes ...) instead of the warning being emitted; the front ends show
        them as ``note:`` lines.
    **options
        Options of :func:`load_spikes` (e.g. ``sample_rate``); None and False values are
        left out, so the loaders' own defaults stay in charge.

    Returns
    -------
    SpikeTrains

    Examples
    --------
    >>> import cortexkit as ck
    >>> notes = []
    >>> st = ck.io.load_recording(None, seed=0, on_warning=notes.append)
    >>> st.n_units > 0, notes
    (True, [])
    """

    def load() -> Any:
        if path is None:
            from cortexkit.datasets import steinmetz_like

            return steinmetz_like(seed=seed)
        from cortexkit.io.spikes import load_spikes

        given = {k: v for k, v in options.items() if v is not None and v is not False}
        return load_spikes(path, **given)

    if on_warning is None:
        return load()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        st = load()
    for w in caught:
        on_warning(str(w.message))
    return st
