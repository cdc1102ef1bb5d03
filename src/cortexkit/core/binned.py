"""Binned spike counts and peri-stimulus time histograms: :class:`BinnedSpikes`,
:class:`PSTH`, and the functions behind ``SpikeTrains.bin`` / ``SpikeTrains.psth``.

Counts are exactly those of ``np.histogram(train, bins=edges)`` for every unit (bins
``[e_k, e_k+1)``, the last one closed), computed for all units at once: one bin index per
spike, then one ``np.bincount`` over ``unit * n_bins + bin``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from cortexkit._lib._util import unit_index
from cortexkit._lib.validation import check_number, invalid

__all__ = ["BinnedSpikes", "PSTH", "bin_spikes", "psth", "histogram_index", "make_edges"]


def _positive(param: str, value: Any) -> float:
    """``value`` as a finite float > 0 (s), else a ValidationError naming ``param``."""
    return check_number(param, value, low=0, low_open=True, unit="s")


def make_edges(start: float, stop: float, bin_size: float, param: str = "bin_size") -> np.ndarray:
    """``start + k * bin_size`` for the full bins inside ``[start, stop]`` (a remainder
    shorter than one bin is dropped; ``stop - start`` that is a multiple of ``bin_size`` up
    to rounding keeps its last bin)."""
    n = int(math.floor((stop - start) / bin_size * (1 + 1e-12) + 1e-9))
    if n < 1:
        raise invalid(param, f"at most the binned span ({stop - start:g} s)", bin_size,
                       "use a smaller bin or a longer interval")
    return start + np.arange(n + 1) * bin_size


def histogram_index(x: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Bin of each value as ``np.histogram(x, bins=edges)`` assigns it, -1 outside.

    Bins are ``edges[k] <= x < edges[k + 1]``, the last one closed.  Uniform edges are
    assumed for speed (a division, then a check against the edges themselves, so the
    result is exact for any edges).

    Examples
    --------
    >>> histogram_index(np.array([-1.0, 0.0, 0.5, 1.0, 2.0, 2.5]), np.array([0.0, 1.0, 2.0]))
    array([-1,  0,  0,  1,  1, -1])
    """
    x = np.asarray(x, dtype=np.float64)
    n = edges.size - 1
    if x.size == 0:
        return np.empty(0, dtype=np.int64)
    with np.errstate(invalid="ignore", over="ignore"):
        k = np.floor((x - edges[0]) * (n / (edges[-1] - edges[0])))
    k = np.nan_to_num(k, nan=0.0, posinf=n - 1, neginf=0.0)
    k = np.clip(k, 0, n - 1).astype(np.int64)
    for _ in range(2):
        k -= (x < edges[k]) & (k > 0)
        k += (x >= edges[k + 1]) & (k < n - 1)
    inside = (x >= edges[0]) & (x <= edges[-1])
    bad = inside & ((x < edges[k]) | ((x >= edges[k + 1]) & (k < n - 1)))
    if bad.any():  # pathological edges: exact search
        k[bad] = np.minimum(np.searchsorted(edges, x[bad], side="right") - 1, n - 1)
    k[~inside] = -1
    return k


def _readonly(a: np.ndarray) -> np.ndarray:
    """``a`` itself, made read-only (results are immutable)."""
    a.flags.writeable = False
    return a


@dataclass(frozen=True, eq=False)
class BinnedSpikes:
    """Spike counts of every unit in consecutive time bins.

    Attributes
    ----------
    counts : numpy.ndarray or scipy.sparse.csr_array
        Units x bins, int64 (sparse when binned with ``sparse=True``).
    edges : numpy.ndarray
        Bin edges (s), ``n_bins + 1``.
    unit_ids : numpy.ndarray
        Unit id of each row.
    bin_size : float
        Bin width (s).
    """

    counts: Any
    edges: np.ndarray
    unit_ids: np.ndarray
    bin_size: float

    @property
    def n_units(self) -> int:
        """Number of units (rows)."""
        return int(self.counts.shape[0])

    @property
    def n_bins(self) -> int:
        """Number of time bins (columns)."""
        return int(self.counts.shape[1])

    @property
    def sparse(self) -> bool:
        """Whether ``counts`` is a scipy sparse array."""
        return not isinstance(self.counts, np.ndarray)

    @property
    def centers(self) -> np.ndarray:
        """Bin centres (s)."""
        return (self.edges[:-1] + self.edges[1:]) / 2

    def to_dense(self) -> np.ndarray:
        """Counts as a dense units x bins int64 array."""
        return self.counts.toarray() if self.sparse else np.array(self.counts)

    def rates(self) -> np.ndarray:
        """Dense units x bins firing rates (Hz)."""
        return self.to_dense() / self.bin_size

    def __repr__(self) -> str:
        kind = "sparse" if self.sparse else "dense"
        return (f"BinnedSpikes(n_units={self.n_units}, n_bins={self.n_bins}, "
                f"bin_size={self.bin_size:g}, {kind})")


@dataclass(frozen=True, eq=False)
class PSTH:
    """Spike counts around events: trials x units x bins, and the mean rate.

    Attributes
    ----------
    counts : numpy.ndarray
        Trials x units x bins, int64 (trials in the order of ``events``).
    edges : numpy.ndarray
        Bin edges relative to the event (s).
    unit_ids : numpy.ndarray
        Unit id of each unit axis entry.
    events : numpy.ndarray
        Event times (s), one per trial.
    bin_size : float
        Bin width (s).
    spike_trials, spike_units, spike_lags : numpy.ndarray
        Every counted spike as (trial, unit position, time relative to the event in s),
        sorted by unit, trial and lag: the raster behind ``counts``.
    """

    counts: np.ndarray
    edges: np.ndarray
    unit_ids: np.ndarray
    events: np.ndarray
    bin_size: float
    spike_trials: np.ndarray
    spike_units: np.ndarray
    spike_lags: np.ndarray

    def raster(self, unit: int) -> tuple[np.ndarray, np.ndarray]:
        """(trial, lag) of the spikes of the unit at position ``unit``."""
        if isinstance(unit, bool) or not 0 <= int(unit) < self.counts.shape[1]:
            raise invalid("unit", f"a unit position in [0, {self.counts.shape[1]})", unit)
        lo, hi = np.searchsorted(self.spike_units, [int(unit), int(unit) + 1])
        return self.spike_trials[lo:hi], self.spike_lags[lo:hi]

    @property
    def n_trials(self) -> int:
        """Number of events (trials)."""
        return int(self.counts.shape[0])

    @property
    def centers(self) -> np.ndarray:
        """Bin centres relative to the event (s)."""
        return (self.edges[:-1] + self.edges[1:]) / 2

    @property
    def mean_rate(self) -> np.ndarray:
        """Units x bins trial-averaged firing rate (Hz)."""
        return self.counts.mean(axis=0) / self.bin_size

    def __repr__(self) -> str:
        return (f"PSTH(n_trials={self.n_trials}, n_units={self.counts.shape[1]}, "
                f"n_bins={self.counts.shape[2]}, bin_size={self.bin_size:g})")


def _unit_of(offsets: np.ndarray) -> np.ndarray:
    """Unit position of every spike, int64."""
    return unit_index(offsets).astype(np.int64, copy=False)


def bin_spikes(st: Any, bin_size: float, t_start: float | None = None,
               t_stop: float | None = None, sparse: bool = False) -> BinnedSpikes:
    """Counts of every unit in bins of ``bin_size`` seconds (see ``SpikeTrains.bin``)."""
    bin_size = _positive("bin_size", bin_size)
    t0 = st.t_start if t_start is None else float(t_start)
    t1 = st.t_stop if t_stop is None else float(t_stop)
    if not (math.isfinite(t0) and math.isfinite(t1) and t0 < t1):
        raise invalid("t_stop", f"a finite time after t_start ({t0:g} s)", t_stop)
    edges = make_edges(t0, t1, bin_size)
    n_bins = edges.size - 1
    k = histogram_index(st.times, edges)
    keep = k >= 0
    unit = _unit_of(st.offsets)[keep]
    k = k[keep]
    if sparse:
        from scipy import sparse as sp

        data = np.ones(k.size, dtype=np.int64)
        counts = sp.csr_array((data, (unit, k)), shape=(st.n_units, n_bins))
        counts.sum_duplicates()
    else:
        counts = np.bincount(unit * n_bins + k, minlength=st.n_units * n_bins)
        counts = _readonly(counts.astype(np.int64, copy=False).reshape(st.n_units, n_bins))
    return BinnedSpikes(counts, _readonly(edges), st.unit_ids, bin_size)


def psth(st: Any, events: Any, window: tuple[float, float] = (-0.5, 1.0),
         bin_size: float = 0.01) -> PSTH:
    """Counts of every unit around every event (see ``SpikeTrains.psth``)."""
    try:
        ev = np.array(events, dtype=np.float64).reshape(-1) if np.ndim(events) <= 1 else None
    except (TypeError, ValueError):
        raise invalid("events", "a 1-D array of event times (s)", events) from None
    if ev is None or ev.size == 0 or not np.all(np.isfinite(ev)):
        raise invalid("events", "a non-empty 1-D array of finite event times (s)", events)
    try:
        w0, w1 = (float(v) for v in window)
    except (TypeError, ValueError):
        raise invalid("window", "(start, stop) in seconds relative to the event",
                       window) from None
    if not (math.isfinite(w0) and math.isfinite(w1) and w0 < w1):
        raise invalid("window", "(start, stop) with start < stop (s)", window)
    bin_size = _positive("bin_size", bin_size)
    edges = make_edges(w0, w1, bin_size)
    outside = (ev + edges[0] < st.t_start) | (ev + edges[-1] > st.t_stop)
    if outside.any():
        bad = ev[outside]
        raise invalid(
            "events", f"times whose window fits in the recording [{st.t_start:g}, "
            f"{st.t_stop:g}] s", bad[:3].tolist(),
            f"{bad.size} of {ev.size} events are too close to an end; drop them or "
            "shorten window")
    order = np.argsort(ev, kind="stable")
    ev_sorted = ev[order]
    times = st.times
    # candidate (spike, event) pairs, generously; exact selection by the bin index below
    a = np.searchsorted(ev_sorted, times - edges[-1] - bin_size, side="left")
    b = np.searchsorted(ev_sorted, times - edges[0] + bin_size, side="right")
    n_per = b - a
    spike = np.repeat(np.arange(times.size), n_per)
    start = np.repeat(a - (np.cumsum(n_per) - n_per), n_per)
    event = start + np.arange(spike.size)
    k = histogram_index(times[spike] - ev_sorted[event], edges)
    keep = k >= 0
    unit = _unit_of(st.offsets)[spike[keep]]
    trial = order[event[keep]]
    lag = times[spike[keep]] - ev_sorted[event[keep]]
    n_units, n_bins = st.n_units, edges.size - 1
    flat = np.bincount((trial * n_units + unit) * n_bins + k[keep],
                       minlength=ev.size * n_units * n_bins)
    counts = _readonly(flat.astype(np.int64, copy=False).reshape(ev.size, n_units, n_bins))
    o = np.lexsort((lag, trial, unit))
    return PSTH(counts, _readonly(edges), st.unit_ids, _readonly(ev), bin_size,
                _readonly(trial[o]), _readonly(unit[o]), _readonly(lag[o]))
