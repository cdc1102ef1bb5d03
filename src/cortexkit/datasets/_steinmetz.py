"""A realistic synthetic Neuropixels session, the default data of every spike command."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cortexkit._lib._util import offsets_from_counts, unit_index
from cortexkit.core import SpikeTrains
from cortexkit.errors import ValidationError

__all__ = ["steinmetz_like"]

_AREAS = ("MOs", "ACA", "VISp", "VISl", "CA1", "DG", "LP", "LGd")
_KINDS = ("poisson", "regular", "bursty", "contaminated")


def steinmetz_like(
    seed: int | np.random.Generator | None = 0,
    n_units: int = 400,
    duration: float = 600.0,
) -> SpikeTrains:
    """Generate a synthetic Neuropixels session with realistic single-unit statistics.

    Firing rates are lognormal (median 3 Hz, sigma 1 in log space, clipped to
    0.05-80 Hz). Units come in four kinds, recorded in ``unit_info["kind"]``:

    - ``"poisson"`` (55 %): exponential ISIs after an absolute refractory period of
      1.5-3 ms (a dead-time exponential);
    - ``"regular"`` (20 %): gamma ISIs of shape 3-8 after the refractory period (CV < 1);
    - ``"bursty"`` (~22 %): bursts of 2-6 spikes 2.5-6 ms apart at Poisson onsets (CV > 1);
    - ``"contaminated"`` (8 units): a Poisson unit mixed with 20-40 % spikes of another
      neuron, so its refractory period is violated (label ``mua``).

    Units are spread over probe depths 0-3840 um in eight areas (``area``, ``depth``) with
    a phy-like ``quality`` label.

    Parameters
    ----------
    seed : int, Generator or None, default 0
        Seed of ``numpy.random.default_rng``; the same seed gives the same session.
    n_units : int, default 400
        Number of units (at least 10).
    duration : float, default 600
        Recording length in seconds.

    Returns
    -------
    SpikeTrains
        With ``unit_info`` columns ``kind``, ``area``, ``depth``, ``quality``,
        ``true_rate`` and ``refractory``.

    Examples
    --------
    >>> import cortexkit as ck
    >>> st = ck.datasets.steinmetz_like(seed=0)
    >>> st.n_units, round(st.duration)
    (400, 600)
    >>> sorted(set(st.unit_info["kind"]))
    ['bursty', 'contaminated', 'poisson', 'regular']
    """
    if int(n_units) < 10:
        raise ValidationError(f"n_units must be at least 10; got {n_units}", param="n_units")
    if not np.isfinite(duration) or duration <= 1.0:
        raise ValidationError(f"duration must be more than 1 s; got {duration}", param="duration")
    n_units = int(n_units)
    rng = np.random.default_rng(seed)

    n_cont = max(2, n_units // 50)
    n_reg = int(0.20 * n_units)
    n_pois = int(0.55 * n_units)
    n_burst = n_units - n_cont - n_reg - n_pois
    kind = np.repeat(np.arange(4), [n_pois, n_reg, n_burst, n_cont])
    rng.shuffle(kind)

    rate = np.clip(np.exp(rng.normal(np.log(3.0), 1.0, n_units)), 0.05, 80.0)
    refr = rng.uniform(0.0015, 0.003, n_units)
    shape = rng.uniform(3.0, 8.0, n_units)

    parts_t, parts_u = [], []
    for k, gen in ((0, _dead_time_poisson), (1, _regular), (3, _dead_time_poisson)):
        idx = np.flatnonzero(kind == k)
        t, u = gen(rng, idx, rate, refr, shape, duration)
        parts_t.append(t)
        parts_u.append(u)
    t, u = _bursty(rng, np.flatnonzero(kind == 2), rate, duration)
    parts_t.append(t)
    parts_u.append(u)
    # Contamination: spikes of an unrelated neuron, 20-40 % of the unit's own rate.
    cont = np.flatnonzero(kind == 3)
    n_extra = rng.poisson(rate[cont] * duration * rng.uniform(0.2, 0.4, cont.size))
    parts_t.append(rng.uniform(0.0, duration, n_extra.sum()))
    parts_u.append(np.repeat(cont, n_extra))

    times = np.concatenate(parts_t)
    units = np.concatenate(parts_u)
    order = np.lexsort((times, units))
    times, units = times[order], units[order]

    area = np.sort(rng.integers(0, len(_AREAS), n_units))
    depth = np.round(3840.0 * (1.0 - (area + rng.uniform(0, 1, n_units)) / len(_AREAS)), 1)
    quality = np.where((kind == 3) | (rate < 0.3), "mua", "good")
    info = pd.DataFrame({
        "kind": np.asarray(_KINDS)[kind],
        "area": np.asarray(_AREAS)[area],
        "depth": depth,
        "quality": quality,
        "true_rate": rate,
        "refractory": np.where(kind == 2, 0.0025, refr),
    })
    return SpikeTrains.from_events(times, units, unit_ids=np.arange(n_units), t_start=0.0,
                                   t_stop=duration, unit_info=info)


def _n_draws(rate: np.ndarray, duration: float) -> np.ndarray:
    """Enough intervals per unit that the train almost surely outlasts the recording."""
    mean = rate * duration
    return np.ceil(mean * 1.1 + 6.0 * np.sqrt(mean) + 10.0).astype(np.int64)


def _renewal(rng, idx, intervals_fn, rate, duration):
    n = _n_draws(rate[idx], duration)
    first = offsets_from_counts(n)
    owner = unit_index(first)
    isi = intervals_fn(owner)
    # Start each train at a random phase: a stationary renewal process.
    isi[first[:-1]] *= rng.uniform(0.0, 1.0, idx.size)
    cs = np.cumsum(isi)
    start = np.concatenate(([0.0], cs[first[1:-1] - 1]))
    times = cs - np.repeat(start, n)
    keep = times < duration
    return times[keep], idx[owner[keep]]


def _dead_time_poisson(rng, idx, rate, refr, shape, duration):
    d, r = refr[idx], rate[idx]

    def draw(owner):
        return d[owner] + rng.exponential(1.0, owner.size) * (1.0 / r[owner] - d[owner])

    return _renewal(rng, idx, draw, rate, duration)


def _regular(rng, idx, rate, refr, shape, duration):
    d, r, k = refr[idx], rate[idx], shape[idx]

    def draw(owner):
        scale = (1.0 / r[owner] - d[owner]) / k[owner]
        return d[owner] + rng.gamma(k[owner], 1.0) * scale

    return _renewal(rng, idx, draw, rate, duration)


def _bursty(rng, idx, rate, duration):
    """Bursts of 2-6 spikes 2.5-6 ms apart; onsets form a dead-time Poisson process."""
    size_mean = rng.uniform(2.0, 4.0, idx.size)
    onset_rate = rate[idx] / size_mean
    gap = 0.035  # longer than the longest burst (5 x 6 ms), so bursts never overlap

    def draw(owner):
        mean = np.maximum(1.0 / onset_rate[owner] - gap, 1e-3)
        return gap + rng.exponential(1.0, owner.size) * mean

    onsets, burst_unit = _renewal(rng, np.arange(idx.size), draw, onset_rate, duration)
    sizes = np.clip(1 + rng.poisson(size_mean[burst_unit] - 1.0), 1, 6)
    total = sizes.sum()
    intra = rng.uniform(0.0025, 0.006, total)
    bstart = offsets_from_counts(sizes)
    intra[bstart[:-1]] = 0.0
    cs = np.cumsum(intra)
    offset = cs - np.repeat(cs[bstart[:-1]], sizes)
    times = np.repeat(onsets, sizes) + offset
    units = idx[np.repeat(burst_unit, sizes)]
    keep = times < duration
    return times[keep], units[keep]
