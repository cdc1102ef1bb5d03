"""Per-unit quality metrics, vectorized over units: refractory-period violations (Hill,
Llobet), presence ratio, firing range, and the sliding refractory-period test."""

from __future__ import annotations

from typing import Any

import numpy as np

from cortexkit.quality import _pairs
from cortexkit.quality._checks import check_engine, check_number, check_spikes, invalid
from cortexkit.quality._sliding import _acg_and_rate, _sliding_table, sliding_rp_grid

__all__ = ["metrics", "hill_contamination", "llobet_contamination", "METRIC_COLUMNS"]

METRIC_COLUMNS = (
    "unit", "n_spikes", "rate_hz", "isi_violations_count", "isi_violations_ratio",
    "isi_violations_contamination", "rp_violations", "rp_contamination", "presence_ratio",
    "firing_range", "slidingrp_max_confidence", "slidingrp_min_contamination",
    "slidingrp_rp_at_min", "slidingrp_n_below_2ms", "slidingrp_pass",
)

# Lags within this of the refractory period count as equal to it: spike times on a
# sample grid (samples / rate) differ from exact multiples by float rounding only.
_LAG_TOL = 1e-9


def hill_contamination(ratio: Any) -> np.ndarray:
    """Contamination fraction from Hill's violation ratio, by the exact quadratic.

    With ``N`` spikes in ``T`` seconds of which a fraction ``c`` come from contaminating
    sources firing independently (Poisson) of the unit, violations occur between a unit
    spike and a contaminating one and between two contaminating ones; the expected count
    of intervals shorter than ``tau`` (censored ``tau_c``) is
    ``2 (tau - tau_c) N**2 / T * (c (1 - c) + c**2 / 2)``, so Hill's ratio
    ``q = violations * T / (2 N**2 (tau - tau_c))`` is ``c - c**2 / 2`` and
    ``c = 1 - sqrt(1 - 2 q)``, clipped to [0, 1] (``q >= 0.5`` means 1).  The usual reading
    of ``q`` itself as the contamination is the first-order Taylor term: it tends to 0.5
    as contamination tends to 1.

    Parameters
    ----------
    ratio : array_like
        Hill's ISI-violation ratio (``isi_violations_ratio``); NaN stays NaN.

    Returns
    -------
    numpy.ndarray
        Contamination fraction in [0, 1].

    Examples
    --------
    >>> from cortexkit.quality import hill_contamination
    >>> c = 0.75
    >>> float(hill_contamination(c - c**2 / 2))
    0.75
    """
    q = np.asarray(ratio, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        c = 1 - np.sqrt(np.clip(1 - 2 * q, 0, None))
    return np.where(np.isnan(q), np.nan, np.clip(c, 0, 1))


def llobet_contamination(n_violations: Any, n_spikes: Any, duration: float,
                         refractory: float, censored: float = 0.0) -> np.ndarray:
    """Llobet et al. (2022) contamination from counts of refractory-period violations.

    ``n_violations`` counts all pairs of spikes closer than ``refractory`` (three spikes
    inside it are three violations, not two).  For ``N`` spikes in ``T`` seconds the
    estimate is ``1 - sqrt(1 - n_v (T - 2 N tau_c) / (N**2 (tau_r - tau_c)))``, 1 where
    the root's argument is negative, NaN for fewer than two spikes.

    Parameters
    ----------
    n_violations : array_like
        Violating spike pairs of each unit.
    n_spikes : array_like
        Spikes of each unit.
    duration : float
        Recording duration ``T`` (s).
    refractory : float
        Refractory period ``tau_r`` (s).
    censored : float, default 0.0
        Censored period ``tau_c`` (s) after each spike.

    Returns
    -------
    numpy.ndarray
        Contamination fraction of each unit.

    Examples
    --------
    >>> from cortexkit.quality import llobet_contamination
    >>> float(llobet_contamination(0, 1000, 100.0, 0.0015))
    0.0
    """
    nv = np.asarray(n_violations, dtype=np.float64)
    n = np.asarray(n_spikes, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        arg = 1 - nv * (duration - 2 * n * censored) / (n**2 * (refractory - censored))
        c = np.where(arg < 0, 1.0, 1 - np.sqrt(np.clip(arg, 0, None)))
    return np.where(n > 1, c, np.nan)


def _binned_rates(st: Any, bin_size: float) -> np.ndarray | None:
    """Units x full bins spike counts over [t_start, t_start + k bin_size); None if no bin."""
    n_bins = int(np.floor(st.duration / bin_size * (1 + 1e-12)))
    if n_bins < 1:
        return None
    k = np.floor((st.times - st.t_start) / bin_size).astype(np.int64)
    keep = (k >= 0) & (k < n_bins)
    unit = _pairs.unit_of(st.offsets)
    flat = np.bincount(unit[keep] * n_bins + k[keep], minlength=st.n_units * n_bins)
    return flat.reshape(st.n_units, n_bins)


def metrics(st: Any, refractory: float = 0.0015, censored: float = 0.0, *,
            presence_bin: float = 60.0, firing_range_bin: float = 5.0,
            firing_range_percentiles: tuple[float, float] = (5.0, 95.0),
            sample_rate: float = 30000, bin_size_corr: float | None = None,
            engine: str = "auto") -> Any:
    """Quality metrics of every unit, one row per unit (vectorized over units).

    Parameters
    ----------
    st : SpikeTrains
        The recording; its duration ``T = t_stop - t_start`` enters the rates.
    refractory : float
        Refractory period ``tau_r`` (s) of the ISI/RP-violation metrics (1.5 ms, the
        usual choice for cortical units; SpikeInterface's default for ``isi_violation``).
    censored : float
        Censored period ``tau_c`` (s, < ``refractory``): the dead time after a spike in
        which the sorter could not detect another (0 unless the sorter enforces one,
        e.g. Kilosort's duplicate removal).
    presence_bin : float
        Bin (s) of the presence ratio (60 s, as in SpikeInterface / Allen).
    firing_range_bin : float
        Bin (s) of the firing range (5 s, as in SpikeInterface / IBL).
    firing_range_percentiles : (float, float)
        Percentiles of the binned rates whose difference is the firing range.
    sample_rate : float
        Sampling rate (Hz) of the sliding refractory-period test (see :func:`sliding_rp`).
    bin_size_corr : float, optional
        Auto-correlogram bin of the sliding-RP test (default one sample).
    engine : {"auto", "numba", "numpy"}
        Pair counting: compiled kernels or the NumPy reference (identical results).

    Returns
    -------
    pandas.DataFrame
        Columns (``METRIC_COLUMNS``):

        - ``unit``, ``n_spikes``, ``rate_hz`` (``n / T``).
        - ``isi_violations_count``: consecutive ISIs below ``refractory``.
        - ``isi_violations_ratio``: Hill et al. (2011) ratio
          ``count * T / (2 n**2 (tau_r - tau_c))``, the rate of violations relative to
          what a unit firing at its own rate with no refractory period would produce
          (same as SpikeInterface's ``isi_violations_ratio``).  It is *not* the
          contamination fraction: it tends to 0.5 for a fully contaminated unit.
        - ``isi_violations_contamination``: the contamination fraction from the exact
          solution of the quadratic behind that ratio (:func:`hill_contamination`).
        - ``rp_violations``: all spike pairs within ``refractory``.
        - ``rp_contamination``: Llobet et al. (2022) estimate
          (:func:`llobet_contamination`; same as SpikeInterface's ``rp_contamination``).
        - ``presence_ratio``: fraction of full ``presence_bin`` bins with a spike.
        - ``firing_range``: difference of the ``firing_range_percentiles`` of the rates in
          full ``firing_range_bin`` bins (Hz).
        - the sliding refractory-period columns of :func:`sliding_rp`.

        Units without spikes get ``n_spikes`` 0 and NaN metrics (``slidingrp_pass``
        False); presence ratio and firing range are NaN when the recording is shorter
        than one bin; ``rp_contamination`` is NaN below two spikes.

    Notes
    -----
    All three refractory estimates assume contaminating spikes arrive independently of
    the unit's (Poisson) and that the unit itself never fires within ``refractory``; a
    bursting unit with a shorter true refractory period looks contaminated.  Common
    thresholds: ``isi_violations_ratio < 0.5`` (Allen Institute quality control),
    contamination ``< 0.1`` (IBL; the sliding-RP pass), ``presence_ratio > 0.9`` (Allen).
    See docs/quality.md for sources and how the estimates differ.

    Examples
    --------
    >>> import numpy as np, cortexkit as ck
    >>> rng = np.random.default_rng(0)
    >>> clean = np.cumsum(0.002 + rng.exponential(0.1, 5000))   # 2 ms refractory
    >>> noisy = np.sort(np.concatenate([clean, rng.uniform(0, clean[-1], 5000)]))
    >>> st = ck.SpikeTrains.from_list([clean, noisy], unit_ids=["clean", "noisy"])
    >>> m = ck.quality.metrics(st)
    >>> m[["unit", "isi_violations_count", "slidingrp_pass"]]
        unit  isi_violations_count  slidingrp_pass
    0  clean                     0            True
    1  noisy                   196           False
    >>> [round(float(c), 2) for c in m["isi_violations_contamination"]]
    [0.0, 0.43]
    """
    import pandas as pd

    check_spikes(st)
    refractory = check_number("refractory", refractory, low=0, low_open=True, unit="s")
    censored = check_number("censored", censored, low=0, unit="s")
    if not censored < refractory:
        raise invalid("censored", f"smaller than refractory ({refractory:g} s)", censored,
                      "the censored period is the sorter's dead time inside the refractory "
                      "period")
    presence_bin = check_number("presence_bin", presence_bin, low=0, low_open=True, unit="s")
    firing_range_bin = check_number("firing_range_bin", firing_range_bin, low=0,
                                    low_open=True, unit="s")
    p_lo, p_hi = _percentiles(firing_range_percentiles)
    sample_rate = check_number("sample_rate", sample_rate, low=0, low_open=True, unit="Hz")
    if bin_size_corr is not None:
        bin_size_corr = check_number("bin_size_corr", bin_size_corr, low=0, low_open=True,
                                     unit="s")
    engine = check_engine(engine)

    times, offsets = st.times, st.offsets
    n = np.diff(offsets)
    nf = n.astype(np.float64)
    T = float(st.duration)
    has = n > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = nf / T if T > 0 else np.full(n.size, np.nan)
        isi_count = _pairs.isi_counts(times, offsets, refractory)
        ratio = np.where(has, isi_count * T / (2 * nf**2 * (refractory - censored)), np.nan)
    eng = _pairs.choose_engine(engine, times.size)
    rp_count = _pairs.pairs_within(times, offsets, refractory + _LAG_TOL, engine=eng)
    presence = _presence(st, presence_bin, has)
    frange = _firing_range(st, firing_range_bin, p_lo, p_hi, has)
    grid = sliding_rp_grid(sample_rate, bin_size_corr)
    acg, acg_rate, counts = _acg_and_rate(st, grid, sample_rate, engine)
    sliding = _sliding_table(acg, acg_rate, counts, grid, 0.9, 0.1)
    table = pd.DataFrame({
        "unit": st.unit_ids,
        "n_spikes": n.astype(np.int64),
        "rate_hz": rate,
        "isi_violations_count": isi_count,
        "isi_violations_ratio": ratio,
        "isi_violations_contamination": hill_contamination(ratio),
        "rp_violations": rp_count,
        "rp_contamination": llobet_contamination(rp_count, n, T, refractory, censored),
        "presence_ratio": presence,
        "firing_range": frange,
    })
    return pd.concat([table, sliding], axis=1)


def _percentiles(p: Any) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in p)
    except (TypeError, ValueError):
        raise invalid("firing_range_percentiles", "two numbers (low, high)", p) from None
    if not 0 <= lo < hi <= 100:
        raise invalid("firing_range_percentiles", "(low, high) with 0 <= low < high <= 100", p)
    return lo, hi


def _presence(st: Any, bin_size: float, has: np.ndarray) -> np.ndarray:
    counts = _binned_rates(st, bin_size)
    if counts is None:
        return np.full(st.n_units, np.nan)
    return np.where(has, (counts > 0).mean(axis=1), np.nan)


def _firing_range(st: Any, bin_size: float, lo: float, hi: float,
                  has: np.ndarray) -> np.ndarray:
    counts = _binned_rates(st, bin_size)
    if counts is None:
        return np.full(st.n_units, np.nan)
    rates = counts / bin_size
    pr = np.percentile(rates, [lo, hi], axis=1)
    return np.where(has, pr[1] - pr[0], np.nan)
