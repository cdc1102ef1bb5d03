"""Per-unit ISI statistics: rate, mean/median ISI, CV, LV, CV2, refractory violations."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from cortexkit._lib._util import grouped_median, within_unit_mask
from cortexkit._lib.engine import choose
from cortexkit.errors import ValidationError
from cortexkit.isi._intervals import Intervals, _flat, intervals

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["stats", "stats_numpy", "STATS_COLUMNS"]

STATS_COLUMNS = ("unit", "n_spikes", "rate_hz", "mean_isi", "median_isi", "cv", "lv", "cv2",
                 "refractory_count", "refractory_fraction")


def stats(st: Any, refractory: float = 0.0015, *, engine: str = "auto") -> pd.DataFrame:
    """ISI statistics of every unit, vectorized over units.

    Parameters
    ----------
    st : SpikeTrains
        The recording.
    refractory : float, default 0.0015
        Refractory limit in seconds: ISIs strictly below it count as violations.
    engine : {"auto", "numba", "numpy"}, default "auto"
        ``"numpy"``: each unit's ISIs once into a scratch buffer, then NumPy sums and one
        partition for the median (units of 64+ spikes on average; flat ``np.bincount``
        reductions and one grouped sort otherwise); faster than the compiled kernel on
        large units and free of numba's import and cache-loading cost in a fresh process.
        ``"numba"``: one compiled pass per unit over the spike times. ``"auto"`` takes
        NumPy (faster here, see ``cortexkit._lib.engine.THRESHOLDS``). Both give the
        same numbers.

    Returns
    -------
    pandas.DataFrame
        One row per unit with columns ``unit``, ``n_spikes``, ``rate_hz`` (spikes /
        duration), ``mean_isi``, ``median_isi`` (s), ``cv`` (population std / mean, ddof=0,
        as Elephant's ``cv``), ``lv`` (Shinomoto's local variation), ``cv2`` (Holt),
        ``refractory_count`` (ISIs < ``refractory``) and ``refractory_fraction`` (of the
        unit's ISIs).

    Notes
    -----
    Statistics a unit has too few ISIs for are NaN: mean/median need 1 ISI (2 spikes),
    cv, lv and cv2 need 2 ISIs (3 spikes); ``refractory_fraction`` is NaN without ISIs.
    Units with 0, 1 or 2 spikes get such rows, never an error.

    Zero ISIs (duplicate spike times, common in Kilosort output) enter every statistic
    as they are. LV and CV2 average ``(I[i+1] - I[i]) / (I[i] + I[i+1])`` over pairs of
    consecutive ISIs; a pair of two zero ISIs (a spike time present three times) makes
    this 0/0. Elephant returns NaN for the whole unit then; cortexkit leaves such pairs
    out of the average (they carry no information on local variability), so the value
    equals Elephant's wherever Elephant's is finite. A unit whose ISIs are all zero gets
    NaN cv/lv/cv2.

    Examples
    --------
    >>> import cortexkit as ck
    >>> st = ck.SpikeTrains.from_list([[0.0, 0.1, 0.3, 0.4], [0.5]], t_stop=1.0)
    >>> df = ck.isi.stats(st)
    >>> df[["unit", "n_spikes", "mean_isi", "cv2"]].round(4).to_dict("list")
    {'unit': [0, 1], 'n_spikes': [4, 1], 'mean_isi': [0.1333, nan], 'cv2': [0.6667, nan]}
    """
    refractory = _check_refractory(refractory)
    times, offsets = _flat(st)
    if choose("isi.stats", times.size, engine) == "numba":
        from cortexkit.isi._kernels import unit_stats

        arr = unit_stats(times, offsets, refractory)
        cols = {k: arr[:, i] for i, k in enumerate(
            ("mean_isi", "median_isi", "cv", "lv", "cv2", "refractory_count", "n_isi"))}
    elif np.diff(offsets).size * _MIN_MEAN_SPIKES <= times.size:
        cols = _columns_by_unit(times, offsets, refractory)
    else:
        cols = _columns_numpy(intervals(st), refractory)
    return _frame(st, cols)


def stats_numpy(st: Any, refractory: float = 0.0015) -> pd.DataFrame:
    """NumPy reference of :func:`stats` (same output; used for parity tests)."""
    return stats(st, refractory, engine="numpy")


def _check_refractory(refractory: Any) -> float:
    try:
        r = float(refractory)
    except (TypeError, ValueError):
        r = float("nan")
    if not np.isfinite(r) or r < 0:
        raise ValidationError(
            f"refractory must be a finite number of seconds >= 0 (e.g. 0.0015); got {refractory!r}",
            param="refractory"
        )
    return r


# Units with this many spikes on average take _columns_by_unit (a dozen NumPy calls per
# unit on its cache-resident ISIs: about a plain NumPy cv + lv loop, faster than the numba
# kernel, no numba import); below it, the per-call overhead makes the flat bincount
# reductions of _columns_numpy faster.  Both are NumPy; the numba kernel is there on
# request (engine="numba").
_MIN_MEAN_SPIKES = 64


def _columns_by_unit(times: np.ndarray, offsets: np.ndarray,
                     refractory: float) -> dict[str, np.ndarray]:
    """The statistics unit by unit: each unit's ISIs once into a scratch buffer, then
    sums and one partition on it.  The mean is the telescoped sum
    ``(t_last - t_first) / m`` (no pass), the variance two-pass around it as the
    references; results go to Python lists (cheaper per unit than NumPy item writes).

    The median takes ``partition(k)`` with one kth, plus the minimum of the upper part
    for even counts: with a tuple of kth NumPy leaves its SIMD selection for a scalar
    introselect, 3-4x slower; that was half of ``stats``' time on 10^7 spikes.
    """
    n_units = offsets.size - 1
    counts = np.diff(offsets)
    m_all = np.maximum(counts - 1, 0)
    size = max(int(m_all.max(initial=0)), 1)
    buf, w1, w2 = np.empty(size), np.empty(size), np.empty(size)
    below = np.empty(size, dtype=bool)
    nan = float("nan")
    mean_l, med_l, cv_l, lv_l, cv2_l, refr_l = ([nan] * n_units for _ in range(6))
    sub, add, div, square, absolute = (np.subtract, np.add, np.divide, np.square,
                                       np.absolute)
    less, count = np.less, np.count_nonzero
    sqrt = math.sqrt
    with np.errstate(invalid="ignore", divide="ignore"):
        for u, (a, b) in enumerate(zip(offsets[:-1].tolist(), offsets[1:].tolist(),
                                       strict=True)):
            m = b - a - 1
            if m < 1:
                refr_l[u] = 0.0
                continue
            d = buf[:m]
            sub(times[a + 1:b], times[a:b - 1], out=d)
            mean = float(times[b - 1] - times[a]) / m      # the telescoped sum
            mean_l[u] = mean
            refr_l[u] = (float(count(less(d, refractory, out=below[:m])))
                         if refractory > 0 else 0.0)
            if m >= 2:
                if mean > 0:
                    dev = sub(d, mean, out=w1[:m])
                    cv_l[u] = sqrt(float(square(dev, out=dev).sum()) / m) / mean
                d1, d0 = d[1:], d[:-1]
                tot = add(d1, d0, out=w1[:m - 1])
                r = sub(d1, d0, out=w2[:m - 1])
                r = div(absolute(r, out=r), tot, out=r)
                s_abs = float(r.sum())
                if s_abs == s_abs:
                    cv2_l[u] = 2.0 * s_abs / (m - 1)
                    lv_l[u] = 3.0 * float(square(r, out=r).sum()) / (m - 1)
                else:                               # 0/0: zero ISIs twice in a row
                    keep = tot > 0
                    if keep.any():
                        rr = (d1 - d0)[keep] / tot[keep]
                        cv2_l[u] = 2.0 * float(np.abs(rr).sum()) / rr.size
                        lv_l[u] = 3.0 * float((rr * rr).sum()) / rr.size
            k = (m - 1) // 2                  # the median last: partition reorders d
            d.partition(k)
            med_l[u] = float(d[k]) if m % 2 else 0.5 * (float(d[k]) + float(d[k + 1:].min()))
    return {"mean_isi": np.array(mean_l), "median_isi": np.array(med_l),
            "cv": np.array(cv_l), "lv": np.array(lv_l), "cv2": np.array(cv2_l),
            "refractory_count": np.array(refr_l, dtype=np.float64),
            "n_isi": m_all.astype(np.float64)}


def _columns_numpy(iv: Intervals, refractory: float) -> dict[str, np.ndarray]:
    x = iv.values
    n_units = iv.n_units
    m = iv.counts.astype(np.float64)
    uidx = iv.unit_index
    with np.errstate(divide="ignore", invalid="ignore"):
        total = np.bincount(uidx, weights=x, minlength=n_units)
        mean = np.where(m >= 1, total / m, np.nan)
        dev2 = (x - mean[uidx]) ** 2
        var = np.bincount(uidx, weights=dev2, minlength=n_units) / m
        cv = np.where((m >= 2) & (mean > 0), np.sqrt(var) / mean, np.nan)

        # consecutive ISI pairs within a unit: drop the pair that straddles a boundary
        pair_ok = within_unit_mask(iv.offsets)
        tot = x[:-1] + x[1:]
        pair_ok &= tot > 0
        r = np.diff(x)[pair_ok] / tot[pair_ok]
        puidx = uidx[:-1][pair_ok]
        npair = np.bincount(puidx, minlength=n_units).astype(np.float64)
        lv = 3.0 * np.bincount(puidx, weights=r * r, minlength=n_units) / npair
        cv2 = 2.0 * np.bincount(puidx, weights=np.abs(r), minlength=n_units) / npair
    lv[(m < 2) | (npair == 0)] = np.nan
    cv2[(m < 2) | (npair == 0)] = np.nan
    refr = np.bincount(uidx[x < refractory], minlength=n_units).astype(np.float64)
    return {"mean_isi": mean, "median_isi": grouped_median(x, iv.offsets), "cv": cv, "lv": lv,
            "cv2": cv2, "refractory_count": refr, "n_isi": m}


def _frame(st: Any, cols: dict[str, np.ndarray]) -> pd.DataFrame:
    import pandas as pd

    counts = np.asarray(st.counts, dtype=np.int64)
    m = cols["n_isi"]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(m > 0, cols["refractory_count"] / m, np.nan)
    return pd.DataFrame({
        "unit": np.asarray(st.unit_ids),
        "n_spikes": counts,
        "rate_hz": np.asarray(st.rates, dtype=np.float64),
        "mean_isi": cols["mean_isi"],
        "median_isi": cols["median_isi"],
        "cv": cols["cv"],
        "lv": cols["lv"],
        "cv2": cols["cv2"],
        "refractory_count": cols["refractory_count"].astype(np.int64),
        "refractory_fraction": frac,
    })
