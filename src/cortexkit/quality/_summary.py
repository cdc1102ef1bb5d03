"""The quality workflow of one unit that the CLI, report and explorer format."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from cortexkit.quality._checks import check_number, check_spikes, invalid
from cortexkit.quality._correlograms import Correlograms, correlograms
from cortexkit.quality._metrics import metrics
from cortexkit.quality._sliding import _acg_and_rate, confidence_matrix, sliding_rp_grid

__all__ = ["SlidingRPCurve", "UnitQuality", "unit_summary", "example_unit"]


@dataclass(frozen=True, eq=False)
class SlidingRPCurve:
    """The sliding refractory-period test of one unit in full.

    Attributes
    ----------
    rp : numpy.ndarray
        Candidate refractory periods (s, bin centres of the test's grid).
    contamination : numpy.ndarray
        Tested contamination levels (fractions).
    confidence : numpy.ndarray
        Contamination x period confidence (fraction) that the unit is less contaminated
        than the level.
    tested : numpy.ndarray
        Bool over ``rp``: periods the test takes into account (> 0.5 ms).
    threshold_confidence : numpy.ndarray
        ``confidence`` at the contamination threshold, over ``rp`` (the curve to plot).
    contamination_threshold, confidence_threshold : float
        The pass criterion (10 %, 90 %).
    """

    rp: np.ndarray
    contamination: np.ndarray
    confidence: np.ndarray
    tested: np.ndarray
    threshold_confidence: np.ndarray
    contamination_threshold: float
    confidence_threshold: float


@dataclass(frozen=True, eq=False)
class UnitQuality:
    """Quality of one unit: its metrics row, sliding-RP curve and auto-correlogram.

    Attributes
    ----------
    unit : object
        The unit id.
    metrics : dict
        The unit's row of :func:`cortexkit.quality.metrics` (column -> value).
    sliding : SlidingRPCurve
        The full sliding refractory-period test.
    acg : Correlograms
        The unit's auto-correlogram (one unit; ``acg.counts[0, 0]``).
    """

    unit: Any
    metrics: dict
    sliding: SlidingRPCurve
    acg: Correlograms


def unit_summary(st: Any, unit: Any, *, refractory: float = 0.0015, censored: float = 0.0,
                 sample_rate: float = 30000, acg_bin: float = 0.0005,
                 acg_window: float = 0.05) -> UnitQuality:
    """Metrics, sliding refractory-period test and auto-correlogram of one unit.

    Parameters
    ----------
    st : SpikeTrains
        The recording.
    unit : object
        Unit id (as in ``st.unit_ids``).
    refractory, censored, sample_rate
        As in :func:`cortexkit.quality.metrics`.
    acg_bin, acg_window : float
        Bin and half-width (s) of the auto-correlogram.

    Returns
    -------
    UnitQuality

    Examples
    --------
    >>> import numpy as np, cortexkit as ck
    >>> rng = np.random.default_rng(0)
    >>> st = ck.SpikeTrains.from_list([np.cumsum(0.002 + rng.exponential(0.1, 5000))])
    >>> q = ck.quality.unit_summary(st, 0)
    >>> bool(q.metrics["slidingrp_pass"]), q.sliding.confidence.shape, q.acg.counts.shape
    (True, (69, 300), (1, 1, 200))
    """
    check_spikes(st)
    one = st.select([unit])
    acg_bin = check_number("acg_bin", acg_bin, low=0, low_open=True, unit="s")
    acg_window = check_number("acg_window", acg_window, low=0, low_open=True, unit="s")
    row = metrics(one, refractory=refractory, censored=censored,
                  sample_rate=sample_rate).iloc[0].to_dict()
    grid = sliding_rp_grid(float(sample_rate), None)
    acg_samples, rate, counts = _acg_and_rate(one, grid, float(sample_rate), "numpy")
    obs = np.cumsum(acg_samples[0])
    with np.errstate(invalid="ignore"):
        conf = confidence_matrix(obs[None, :], rate[0], float(counts[0]),
                                 grid.ref_dur[None, :], grid.contamination_pct[:, None]) / 100
    row10 = int(np.flatnonzero(grid.contamination_pct >= 10)[0])
    curve = SlidingRPCurve(grid.rp, grid.contamination_pct / 100, conf, grid.test,
                           conf[row10], 0.1, 0.9)
    acg = correlograms(one, bin_size=acg_bin, window=acg_window, engine="numpy")
    return UnitQuality(one.unit_ids[0], row, curve, acg)


def example_unit(st: Any) -> Any:
    """The unit the front ends show by default: the one with the most spikes.

    Parameters
    ----------
    st : SpikeTrains
        The recording (at least one unit).

    Returns
    -------
    object
        That unit's id.

    Examples
    --------
    >>> import cortexkit as ck
    >>> st = ck.SpikeTrains.from_list([[0.1], [0.2, 0.3]], unit_ids=[7, 9], t_stop=1.0)
    >>> int(ck.quality.example_unit(st))
    9
    """
    if st.n_units == 0:
        raise invalid("st", "a recording with at least one unit", st)
    return st.unit_ids[int(np.argmax(st.counts))]
