"""Membrane-potential statistics and ISI irregularity of simulated neurons."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from cortexkit._lib._util import unit_index, within_unit_mask
from cortexkit._lib.reprs import Summarized
from cortexkit.core import SpikeTrains
from cortexkit.errors import ValidationError

__all__ = ["MembraneStats", "membrane_stats", "isi_cv"]


@dataclass(frozen=True, repr=False)
class MembraneStats(Summarized):
    """Summary of membrane potentials ``v`` (n_neurons x steps), in volts.

    Attributes
    ----------
    mean, std : float
        Over all time points and neurons (trials); std with ddof=0.
    mean_per_neuron, std_per_neuron : ndarray, shape (n_neurons,)
        Over time, for each neuron / trial.
    mean_over_trials, std_over_trials : ndarray, shape (steps,)
        Across neurons / trials at each time point.
    counts : ndarray of int, edges : ndarray
        Histogram of all values (``len(edges) == len(counts) + 1``).
    """

    mean: float
    std: float
    mean_per_neuron: np.ndarray
    std_per_neuron: np.ndarray
    mean_over_trials: np.ndarray
    std_over_trials: np.ndarray
    counts: np.ndarray
    edges: np.ndarray

    def _summary(self) -> list[tuple[str, Any]]:
        return [("mean (V)", self.mean), ("std (V)", self.std),
                ("neurons", self.mean_per_neuron.size), ("steps", self.mean_over_trials.size),
                ("histogram", f"{self.counts.size} bins on [{self.edges[0]:.4g}, "
                              f"{self.edges[-1]:.4g}] V")]


def membrane_stats(v: Any, *, bins: int = 50, range: tuple[float, float] | None = None,
                   t_skip: int = 0) -> MembraneStats:
    """Mean, standard deviation and histogram of membrane potentials over time and trials.

    Parameters
    ----------
    v : LIFResult or array_like, shape (n_neurons, steps) or (steps,)
        Membrane potentials (V); a :class:`LIFResult` simulated with ``record_v=True``.
    bins : int, default 50
        Number of histogram bins.
    range : (float, float), optional
        Histogram range (default: min and max of ``v``).
    t_skip : int, default 0
        Leading steps to drop (the transient from the initial ``E_L``).

    Returns
    -------
    MembraneStats

    Examples
    --------
    >>> import numpy as np
    >>> from cortexkit.lif import membrane_stats
    >>> s = membrane_stats(np.array([[-0.06, -0.05], [-0.07, -0.06]]), bins=2)
    >>> round(s.mean, 3), s.mean_per_neuron.round(3).tolist(), s.counts.tolist()
    (-0.06, [-0.055, -0.065], [1, 3])
    """
    if hasattr(v, "spikes") and hasattr(v, "v"):
        if v.v is None:
            raise ValidationError("v: this LIFResult has no recorded V; simulate with "
                                  "record_v=True", param="v")
        v = v.v
    arr = np.asarray(v, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.size == 0:
        raise ValidationError(f"v must be a non-empty (n_neurons, steps) array; got shape "
                              f"{np.shape(v)}", param="v")
    if not isinstance(t_skip, int | np.integer) or not 0 <= t_skip < arr.shape[1]:
        raise ValidationError(f"t_skip must be an int in [0, {arr.shape[1]}); got {t_skip!r}",
                              param="t_skip")
    if not isinstance(bins, int | np.integer) or bins < 1:
        raise ValidationError(f"bins must be a positive integer; got {bins!r}", param="bins")
    arr = arr[:, t_skip:]
    if not np.isfinite(arr).all():
        raise ValidationError("v contains NaN or inf", param="v")
    counts, edges = np.histogram(arr, bins=bins, range=range)
    return MembraneStats(
        mean=float(arr.mean()), std=float(arr.std()),
        mean_per_neuron=arr.mean(axis=1), std_per_neuron=arr.std(axis=1),
        mean_over_trials=arr.mean(axis=0), std_over_trials=arr.std(axis=0),
        counts=counts, edges=edges,
    )


def isi_cv(spikes: SpikeTrains) -> np.ndarray:
    """Coefficient of variation (std with ddof=0 / mean) of each unit's ISIs.

    Vectorized over units (flat arrays); NaN for units with fewer than 2 ISIs.

    Parameters
    ----------
    spikes : SpikeTrains
        E.g. ``LIFResult.spikes``.

    Returns
    -------
    numpy.ndarray
        One CV per unit.

    Examples
    --------
    >>> import cortexkit as ck
    >>> st = ck.SpikeTrains.from_list([[0.1, 0.2, 0.3], [0.1, 0.2, 0.4, 0.5]], t_stop=1)
    >>> ck.lif.isi_cv(st).round(4).tolist()
    [0.0, 0.3536]
    """
    t, off = spikes.times, spikes.offsets
    n = off.size - 1
    valid = within_unit_mask(off)  # drops the diffs across unit borders
    d = np.diff(t)[valid]
    unit = unit_index(off)[1:][valid]
    k = np.bincount(unit, minlength=n).astype(np.float64)
    s1 = np.bincount(unit, weights=d, minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = s1 / k
        dev = d - mean[unit]  # two-pass variance: no cancellation for regular trains
        var = np.bincount(unit, weights=dev * dev, minlength=n) / k
        cv = np.sqrt(var) / mean
    return np.where(k >= 2, cv, np.nan)
