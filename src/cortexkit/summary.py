"""Descriptive exploration: what is in this recording."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from cortexkit._lib.validation import check_number
from cortexkit.core import SpikeTrains
from cortexkit.errors import ValidationError

__all__ = ["Description", "IntervalFraction", "describe", "interval_fraction", "population_rate"]

_MAX_BINS = 100_000_000  # population_rate bins (800 MB of edges)


@dataclass(frozen=True)
class Description:
    """Summary of a recording returned by :func:`describe`.

    ``counts`` holds the spikes per unit; every other field is a scalar.
    """

    n_units: int
    n_spikes: int
    duration: float
    t_start: float
    t_stop: float
    counts: np.ndarray
    mean_count: float
    median_count: float
    q1_count: float
    q3_count: float
    fraction_below_mean: float
    n_empty_units: int
    population_rate: float
    mean_rate: float
    median_rate: float
    n_duplicates: int

    def to_dict(self, include_counts: bool = False) -> dict[str, Any]:
        """Plain-Python dict (counts as a list only when asked)."""
        d = asdict(self)
        counts = d.pop("counts")
        if include_counts:
            d["counts"] = counts.tolist()
        return d


@dataclass(frozen=True)
class IntervalFraction:
    """Share of all spikes that fall in ``[t0, t1)`` against the share of time it covers."""

    t0: float
    t1: float
    n_spikes: int
    fraction_spikes: float
    fraction_time: float

    @property
    def ratio(self) -> float:
        """``fraction_spikes / fraction_time``: above 1 means the interval is busier."""
        return self.fraction_spikes / self.fraction_time


def describe(st: SpikeTrains) -> Description:
    """Summarise a recording: units, spikes, duration and the distribution of counts.

    Parameters
    ----------
    st : SpikeTrains
        The recording.

    Returns
    -------
    Description
        Counts per unit with their mean, median and quartiles, the fraction of units
        whose count is below the mean (above 0.5 for the usual skewed distribution),
        and the population rate (all spikes per second).

    Examples
    --------
    >>> import cortexkit as ck
    >>> st = ck.SpikeTrains.from_list([[0.1, 0.2, 0.3], [0.5], []], t_stop=2.0)
    >>> d = ck.describe(st)
    >>> d.n_units, d.mean_count, d.median_count, d.population_rate
    (3, 1.3333333333333333, 1.0, 2.0)
    """
    if not isinstance(st, SpikeTrains):
        raise ValidationError(f"describe needs a SpikeTrains, got {type(st).__name__}")
    if st.n_units == 0:
        raise ValidationError("the recording has no units")
    if st.duration <= 0:
        raise ValidationError("the recording has zero duration (t_stop == t_start)")
    counts = st.counts
    q1, med, q3 = np.percentile(counts, [25, 50, 75])
    mean = counts.mean()
    rates = st.rates
    return Description(
        n_units=st.n_units,
        n_spikes=st.n_spikes,
        duration=st.duration,
        t_start=st.t_start,
        t_stop=st.t_stop,
        counts=counts.copy(),
        mean_count=float(mean),
        median_count=float(med),
        q1_count=float(q1),
        q3_count=float(q3),
        fraction_below_mean=float(np.mean(counts < mean)),
        n_empty_units=int(np.sum(counts == 0)),
        population_rate=st.n_spikes / st.duration,
        mean_rate=float(rates.mean()),
        median_rate=float(np.median(rates)),
        n_duplicates=st.n_duplicates,
    )


def interval_fraction(st: SpikeTrains, t0: float, t1: float) -> IntervalFraction:
    """Fraction of all spikes inside ``[t0, t1)`` vs the fraction of recording time it covers.

    Parameters
    ----------
    st : SpikeTrains
        The recording.
    t0, t1 : float
        Interval in seconds, inside ``[st.t_start, st.t_stop]``.

    Returns
    -------
    IntervalFraction

    Examples
    --------
    >>> import cortexkit as ck
    >>> st = ck.SpikeTrains.from_list([[0.1, 0.2, 0.3, 3.0]], t_stop=4.0)
    >>> f = ck.interval_fraction(st, 0.0, 1.0)
    >>> f.fraction_spikes, f.fraction_time
    (0.75, 0.25)
    """
    t0, t1 = float(t0), float(t1)
    if not (np.isfinite(t0) and np.isfinite(t1)) or t1 <= t0:
        raise ValidationError(f"the interval needs finite t0 < t1; got [{t0}, {t1})")
    if t0 < st.t_start or t1 > st.t_stop:
        raise ValidationError(
            f"interval [{t0}, {t1}) s is not inside the recording "
            f"[{st.t_start}, {st.t_stop}] s; choose times within it"
        )
    if st.n_spikes == 0:
        raise ValidationError("the recording has no spikes")
    n_in = int(np.count_nonzero((st.times >= t0) & (st.times < t1)))
    return IntervalFraction(t0=t0, t1=t1, n_spikes=n_in,
                            fraction_spikes=n_in / st.n_spikes,
                            fraction_time=(t1 - t0) / st.duration)


def population_rate(st: SpikeTrains, bin_size: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Summed firing rate of all units in bins of ``bin_size`` seconds.

    Parameters
    ----------
    st : SpikeTrains
        The recording.
    bin_size : float, default 1.0
        Bin width in seconds; bins start at ``st.t_start``.

    Returns
    -------
    centers : ndarray
        Bin centres (s).
    rate : ndarray
        Spikes per second of the whole population in each bin.

    Examples
    --------
    >>> import cortexkit as ck
    >>> st = ck.SpikeTrains.from_list([[0.1, 0.2], [1.5]], t_stop=2.0)
    >>> c, r = ck.summary.population_rate(st, bin_size=1.0)
    >>> c.tolist(), r.tolist()
    ([0.5, 1.5], [2.0, 1.0])
    """
    bin_size = check_number("bin_size", bin_size, low=0, low_open=True, unit="s")
    with np.errstate(over="ignore"):
        ratio = st.duration / bin_size
    if not ratio <= _MAX_BINS:
        raise ValidationError(
            f"bin_size must give at most {_MAX_BINS:,} bins over the {st.duration:g} s "
            f"recording; got bin_size={bin_size:g} s ({ratio:.3g} bins): use a larger bin_size",
            param="bin_size")
    n_bins = max(1, int(np.ceil(ratio)))
    edges = st.t_start + bin_size * np.arange(n_bins + 1)
    counts, _ = np.histogram(st.times, bins=edges)
    return 0.5 * (edges[:-1] + edges[1:]), counts / bin_size
