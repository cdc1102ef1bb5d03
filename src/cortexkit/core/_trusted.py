"""A SpikeTrains from parts valid by construction (for the library's own kernels)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cortexkit.core.spikes import SpikeTrains

if TYPE_CHECKING:  # pandas is imported only where a table is built (import cortexkit stays fast)
    import pandas as pd

__all__ = ["from_trusted_parts"]


def from_trusted_parts(times: Any, offsets: Any, unit_ids: Any, t_start: float,
                       t_stop: float, *, unit_info: pd.DataFrame | None = None,
                       n_duplicates: int | None = None) -> SpikeTrains:
    """A SpikeTrains from parts that are valid by construction: no checks, no warnings.

    For library code whose output is grouped, sorted within units and inside
    ``[t_start, t_stop]`` by construction (e.g. the LIF kernels); everything else goes
    through the validated constructors.  ``n_duplicates`` is counted unless given.

    Parameters
    ----------
    times, offsets : numpy.ndarray
        Spike times (s, float64) grouped by unit and sorted within it; the n_units + 1
        int64 boundaries.
    unit_ids : numpy.ndarray
        One unique id per unit.
    t_start, t_stop : float
        Recording interval (s), holding every spike.
    unit_info, n_duplicates
        Per-unit table (or None); repeated times within units (None: counted).

    Returns
    -------
    SpikeTrains

    Examples
    --------
    >>> import numpy as np
    >>> from cortexkit.core import from_trusted_parts
    >>> st = from_trusted_parts(np.array([0.1, 0.2, 0.5]), np.array([0, 2, 3]),
    ...                         np.array([0, 1]), 0.0, 1.0)
    >>> st.counts.tolist()
    [2, 1]
    """
    return SpikeTrains._trusted(times, offsets, unit_ids, t_start, t_stop, unit_info,
                                n_duplicates)
