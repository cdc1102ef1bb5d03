"""The IBL sliding refractory-period test (Steinmetz-lab ``slidingRP``), vectorized.

The test asks, for every contamination level ``c`` on a grid and every candidate
refractory period ``tau`` on a grid, how confident one can be that the unit is *less*
than ``c`` contaminated given the refractory violations seen up to ``tau``: with the
unit's firing rate ``r`` and ``N`` spikes, contaminating spikes independent of the unit
produce on average ``lambda = r c * tau * 2 N`` violations, and the confidence is
``P(X > observed)`` for ``X ~ Poisson(lambda)``.  A unit passes if some ``tau`` above
0.5 ms gives >= 90 % confidence of < 10 % contamination.

Defaults and arithmetic follow the reference implementation (IBL / Steinmetz lab,
https://github.com/SteinmetzLab/slidingRefractory, ``python/slidingRP/metrics.py``):
contamination grid 0.5 %..34.5 % in 0.5 % steps, refractory-period grid of one-sample
bins up to 10 ms, periods <= 0.5 ms ignored, 90 % confidence, 10 % threshold, the
firing rate from the auto-correlogram's 1-2 s bin, spike times truncated to samples.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from cortexkit.quality import _pairs
from cortexkit.quality._checks import check_engine, check_number, check_spikes

__all__ = ["sliding_rp", "SLIDING_RP_COLUMNS", "SlidingRPGrid", "sliding_rp_grid",
           "confidence_matrix"]

SLIDING_RP_COLUMNS = ("slidingrp_max_confidence", "slidingrp_min_contamination",
                      "slidingrp_rp_at_min", "slidingrp_n_below_2ms", "slidingrp_pass")


class SlidingRPGrid(NamedTuple):
    """The grids of the test (reference arithmetic: percent levels, seconds)."""

    contamination_pct: np.ndarray  #: tested contamination levels (%)
    rp: np.ndarray  #: refractory-period bin centres (s)
    ref_dur: np.ndarray  #: refractory period used in the expected count (s, bin ends)
    test: np.ndarray  #: bool over ``rp``: periods taken into account (> rp_reject)
    acg_bin: int  #: auto-correlogram bin (samples)
    rate_bin: int  #: firing-rate bin of the auto-correlogram (samples, 1 s)
    n_below_2ms_bins: int  #: ACG bins summed for ``slidingrp_n_below_2ms``


def sliding_rp_grid(sample_rate: float, bin_size_corr: float | None,
                    max_rp: float = 0.010, rp_reject: float = 0.0005) -> SlidingRPGrid:
    """The contamination and refractory-period grids of the reference implementation."""
    if bin_size_corr is None:
        bin_size_corr = 1.0 / sample_rate
    cont = np.arange(0.5, 35, 0.5)
    edges = np.arange(0, max_rp, bin_size_corr)
    rp = edges + (edges[1] - edges[0]) / 2
    ref_dur = rp + bin_size_corr / 2
    acg_bin = int(sample_rate * bin_size_corr)
    if acg_bin < 1:
        from cortexkit.quality._checks import invalid

        raise invalid("bin_size_corr", f">= one sample (1/sample_rate = {1 / sample_rate:g} s)",
                      bin_size_corr)
    below = np.flatnonzero(rp > 0.002)
    n_below = int(below[0]) + 1 if below.size else rp.size
    return SlidingRPGrid(cont, rp, ref_dur, rp > rp_reject, acg_bin, int(sample_rate * 1.0),
                         n_below)


def confidence_matrix(obs: ArrayLike, rate: ArrayLike, n: ArrayLike, ref_dur: ArrayLike,
                      contamination_pct: ArrayLike) -> np.ndarray:
    """Confidence (%) that contamination is below each level, broadcasting.

    ``obs`` are the observed violations up to each refractory period, ``rate`` the firing
    rate (Hz), ``n`` the spike count; the operations are ordered as in the reference
    (``100 * (1 - poisson.cdf(obs, rate * c * tau * 2 * n))``).

    Parameters
    ----------
    obs : numpy.ndarray
        Observed violations up to each refractory period.
    rate : numpy.ndarray
        Firing rate (Hz).
    n : numpy.ndarray
        Spike count.
    ref_dur : numpy.ndarray
        Refractory periods (s).
    contamination_pct : numpy.ndarray
        Contamination levels (%).

    Returns
    -------
    numpy.ndarray
        Confidence (%), broadcast over the inputs.

    Examples
    --------
    >>> import numpy as np
    >>> from cortexkit.quality import confidence_matrix
    >>> c = confidence_matrix(np.array(0.0), 10.0, 1000, 0.002, np.array([10.0, 50.0]))
    >>> c.round(1).tolist()
    [98.2, 100.0]
    """
    from scipy.special import pdtr

    rate, n, ref_dur = np.asarray(rate), np.asarray(n), np.asarray(ref_dur)
    expected = rate * (np.asarray(contamination_pct) / 100) * ref_dur * 2 * n
    return 100 * (1 - pdtr(obs, expected))


def _acg_and_rate(st: Any, grid: SlidingRPGrid, sample_rate: float, engine: str):
    """Per unit: the first ACG bins (samples) and the reference's ACG firing rate."""
    times, offsets = st.times, st.offsets
    samples = (times * sample_rate).astype(np.int64)  # truncation, as in phylib
    eng = _pairs.choose_engine(engine, times.size)
    acg = _pairs.lag_histogram(samples, offsets, grid.acg_bin, grid.rp.size, engine=eng)
    in_1_2s = _pairs.pairs_in_lag_range(samples, offsets, grid.rate_bin, 2 * grid.rate_bin,
                                        engine=eng)
    counts = np.diff(offsets)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(counts > 0, in_1_2s / np.maximum(counts, 1), np.nan)
    return acg, rate, counts


def _row_confidence(obs, rate, n, grid, row):
    """Confidence (%) at contamination row ``row[u]`` for every unit and tested period."""
    ref = grid.ref_dur[grid.test][None, :]
    cont = grid.contamination_pct[np.clip(row, 0, grid.contamination_pct.size - 1)][:, None]
    return confidence_matrix(obs, rate[:, None], n[:, None], ref, cont)


def _sliding_table(acg, rate, counts, grid, confidence, contamination):
    """The five sliding-RP columns from per-unit ACGs (vectorized over units)."""
    import pandas as pd

    n_units = counts.size
    obs = np.cumsum(acg, axis=1)[:, grid.test]
    n = counts.astype(np.float64)
    conf_pct, cont_pct = round(100 * confidence, 9), round(100 * contamination, 9)
    n_rows = grid.contamination_pct.size
    good = counts > 0
    # Smallest contamination row where some period reaches the confidence: the
    # confidence rises with the level, so a binary search over rows (vectorized over
    # units) evaluates ~log2(69) rows instead of the full matrix.
    lo = np.zeros(n_units, dtype=np.int64)
    hi = np.full(n_units, n_rows, dtype=np.int64)  # n_rows: no row reaches it
    while np.any(lo < hi):
        mid = (lo + hi) // 2
        ok = (_row_confidence(obs, rate, n, grid, mid) >= conf_pct).any(axis=1)
        ok &= mid < n_rows
        hi = np.where((lo < hi) & ok, mid, hi)
        lo = np.where((lo < hi) & ~ok, mid + 1, lo)
    found = good & (lo < n_rows)
    min_cont = np.where(found, grid.contamination_pct[np.minimum(lo, n_rows - 1)], np.nan)
    at_min = _row_confidence(obs, rate, n, grid, lo)
    rp_test = grid.rp[grid.test]
    # the reference reports the period one grid step after the argmax (its legacy
    # ``timeOfLowestCont``); kept for parity
    idx = np.minimum(np.argmax(at_min, axis=1) + 1, rp_test.size - 1)
    rp_at_min = np.where(found, rp_test[idx], np.nan)
    row10 = int(np.flatnonzero(grid.contamination_pct >= cont_pct)[0]) \
        if (grid.contamination_pct >= cont_pct).any() else n_rows - 1
    max_conf = _row_confidence(obs, rate, n, grid, np.full(n_units, row10)).max(axis=1) \
        if obs.shape[1] else np.zeros(n_units)
    max_conf = np.where(good, max_conf, np.nan)
    n_below = acg[:, :grid.n_below_2ms_bins].sum(axis=1)
    passed = found & (min_cont <= cont_pct)
    return pd.DataFrame({
        "slidingrp_max_confidence": max_conf / 100,
        "slidingrp_min_contamination": min_cont / 100,
        "slidingrp_rp_at_min": rp_at_min,
        "slidingrp_n_below_2ms": n_below.astype(np.int64),
        "slidingrp_pass": passed.astype(bool),
    })


def sliding_rp(st: Any, sample_rate: float = 30000, bin_size_corr: float | None = None, *,
               confidence: float = 0.9, contamination: float = 0.1,
               engine: str = "auto") -> Any:
    """IBL sliding refractory-period test of every unit (Steinmetz-lab ``slidingRP``).

    For each contamination level ``c`` (0.5 %..34.5 %, 0.5 % steps) and each refractory
    period ``tau`` (one-sample bins up to 10 ms) the confidence that the unit is less
    than ``c`` contaminated is ``P(X > v(tau))``, ``X ~ Poisson(r c tau 2 N)``, where
    ``v(tau)`` counts spike pairs closer than ``tau`` (the cumulative one-sided
    auto-correlogram), ``r`` is the firing rate and ``N`` the spike count.  The unit
    passes when some ``tau > 0.5 ms`` gives at least ``confidence`` that contamination is
    at most ``contamination``.  Unlike a fixed-threshold ISI count, no refractory period
    has to be assumed, and the test is conservative for units with few spikes (they fail
    for lack of evidence rather than pass).

    Parameters
    ----------
    st : SpikeTrains
        The recording.
    sample_rate : float
        Sampling rate of the recording (Hz); spike times are truncated to samples as in
        the reference implementation.
    bin_size_corr : float, optional
        Auto-correlogram and refractory-period bin (s); default one sample,
        ``1 / sample_rate``, the reference's ``binSizeCorr``.
    confidence : float
        Confidence required to pass, in (0, 1) (reference: 90 %).
    contamination : float
        Contamination threshold (fraction, reference: 10 %); must lie on the grid range.
    engine : {"auto", "numba", "numpy"}
        Pair counting: compiled kernels or the NumPy reference (identical counts).

    Returns
    -------
    pandas.DataFrame
        One row per unit: ``unit``; ``slidingrp_max_confidence`` (fraction: the highest
        confidence, over periods > 0.5 ms, that contamination is below the threshold;
        the reference's ``maxConfidenceAt10Cont`` / 100); ``slidingrp_min_contamination``
        (fraction: the lowest level reaching the confidence, NaN if none does; the
        reference's ``minContWith90Confidence`` / 100); ``slidingrp_rp_at_min`` (s, the
        reference's ``timeOfLowestCont``, NaN with it); ``slidingrp_n_below_2ms`` (pairs
        within 2 ms); ``slidingrp_pass`` (bool, the reference's ``value``).  Units
        without spikes get NaN, 0 and False.

    Notes
    -----
    The firing rate is the reference's: pairs with lags in the auto-correlogram's
    1-2 s bin divided by ``N`` (close to the mean rate for a stationary unit).  The
    reference's forced pass for silent-ACG units (``value_forced``: no pair within
    2 ms and rate > 0.5 Hz) is not applied; ``slidingrp_n_below_2ms == 0`` shows it.
    References: Roth N, Steinmetz N, Winter O et al. / IBL, "slidingRefractory"
    (2022, https://github.com/SteinmetzLab/slidingRefractory); IBL spike sorting white
    paper (2022).

    Examples
    --------
    >>> import numpy as np, cortexkit as ck
    >>> rng = np.random.default_rng(0)
    >>> isi = 0.002 + rng.exponential(0.1, 20000)           # 2 ms dead time, ~10 Hz
    >>> st = ck.SpikeTrains.from_list([np.cumsum(isi)])
    >>> row = ck.quality.sliding_rp(st).iloc[0]
    >>> bool(row.slidingrp_pass), float(row.slidingrp_min_contamination)
    (True, 0.005)
    """
    check_spikes(st)
    sample_rate = check_number("sample_rate", sample_rate, low=0, low_open=True, unit="Hz")
    if bin_size_corr is not None:
        bin_size_corr = check_number("bin_size_corr", bin_size_corr, low=0, low_open=True,
                                     unit="s")
    confidence = check_number("confidence", confidence, low=0, high=1, low_open=True,
                              high_open=True)
    contamination = check_number("contamination", contamination, low=0.005, high=0.345)
    engine = check_engine(engine)
    grid = sliding_rp_grid(sample_rate, bin_size_corr)
    acg, rate, counts = _acg_and_rate(st, grid, sample_rate, engine)
    table = _sliding_table(acg, rate, counts, grid, confidence, contamination)
    table.insert(0, "unit", st.unit_ids)
    return table
