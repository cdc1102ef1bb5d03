"""Per-unit ISI entropy with each unit's max-entropy bound, and population references.

Shared by the ``cortexkit entropy`` command and the report section.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cortexkit.errors import ValidationError
from cortexkit.information._entropy import entropy, log_base
from cortexkit.information._isi import bin_edges, isi_entropy
from cortexkit.information._reference import (
    deterministic_pmf,
    max_entropy_pmf,
    reference_pmfs,
)

__all__ = ["max_entropy_bound", "entropy_summary"]


def max_entropy_bound(mean_isi: Any, bins: Any = 50,
                      range: tuple[float, float] | None = (0.0, 0.25),
                      base: float = 2) -> np.ndarray:
    """Entropy of :func:`max_entropy_pmf` at each mean (NaN where the mean is NaN).

    Parameters
    ----------
    mean_isi : array_like
        Means in seconds over the bin centres (e.g. ``isi_entropy(st)["mean_isi"]``).
    bins, range
        As in :func:`~cortexkit.information.isi_entropy`.
    base : float, default 2

    Returns
    -------
    numpy.ndarray
        The upper bound on the entropy of any PMF on these bins with that mean.

    Examples
    --------
    >>> max_entropy_bound([0.125, np.nan], bins=4, range=(0, 0.25)).round(6).tolist()
    [2.0, nan]
    """
    m = np.asarray(mean_isi, dtype=np.float64)
    edges = bin_edges(bins, range)
    out = np.full(m.shape, np.nan)
    ok = np.isfinite(m)
    vals, inv = np.unique(m[ok], return_inverse=True)
    h = np.array([entropy(max_entropy_pmf(v, edges), base=base) for v in vals])
    out[ok] = h[inv] if vals.size else np.empty(0)
    return out


def entropy_summary(st: Any, bins: Any = 50, range: tuple[float, float] | None = (0.0, 0.25),
                    estimator: str = "plugin", base: float = 2) -> dict[str, Any]:
    """Per-unit ISI entropy with each unit's max-entropy bound, and population references.

    Parameters
    ----------
    st : SpikeTrains
        The recording.
    bins, range, estimator, base
        As in :func:`~cortexkit.information.isi_entropy`.

    Returns
    -------
    dict
        ``units``: DataFrame with columns unit, n_isi, rate_hz, mean_isi, entropy,
        max_entropy (bound at the unit's mean ISI) and gap (``max_entropy - entropy``,
        never negative for the plug-in estimator); ``edges``; ``population_mean_isi`` (mean
        of all in-range ISIs over the bin centres, s); ``references`` (name -> PMF at the
        population mean: deterministic, uniform, exponential and ``max_entropy``);
        ``reference_entropies``; ``note`` (why some references are missing, else None).

    Examples
    --------
    >>> import cortexkit as ck
    >>> st = ck.SpikeTrains.from_list([[0.0, 0.5, 0.75, 1.0, 1.75]], t_stop=2.0)
    >>> s = entropy_summary(st, bins=4, range=(0, 1))
    >>> s["units"][["n_isi", "entropy", "max_entropy"]].round(3).to_dict("records")
    [{'n_isi': 4, 'entropy': 1.5, 'max_entropy': 1.964}]
    """
    log_base(base)
    edges = bin_edges(bins, range)
    table = isi_entropy(st, edges, estimator=estimator, base=base)
    table.insert(2, "rate_hz", st.rates)
    table["max_entropy"] = max_entropy_bound(table["mean_isi"], edges, base=base)
    table["gap"] = table["max_entropy"] - table["entropy"]
    has = table["n_isi"].to_numpy() > 0
    refs: dict[str, np.ndarray] = {}
    note = None
    pop_mean = float("nan")
    if has.any():
        n = table["n_isi"].to_numpy()[has]
        pop_mean = float(np.sum(n * table["mean_isi"].to_numpy()[has]) / n.sum())
        try:
            refs.update(reference_pmfs(pop_mean, edges))
        except ValidationError as exc:
            note = f"uniform/exponential references not shown: {exc}"
            refs["deterministic"] = deterministic_pmf(pop_mean, edges)
        refs["max_entropy"] = max_entropy_pmf(pop_mean, edges)
    else:
        note = "no unit has ISIs inside the range; widen range"
    return {
        "units": table,
        "edges": edges,
        "population_mean_isi": pop_mean,
        "references": refs,
        "reference_entropies": {k: entropy(v, base=base) for k, v in refs.items()},
        "note": note,
    }


def closest_farthest(units: pd.DataFrame, k: int = 5,
                     min_isi: int = 100) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``k`` units with the smallest and the largest gap to the max-entropy bound.

    Only units with at least ``min_isi`` ISIs in range are ranked (a handful of ISIs
    gives a low plug-in entropy whatever the unit does); if fewer than ``k`` qualify, all
    units with ISIs are ranked.
    """
    ok = units.dropna(subset=["gap"])
    big = ok[ok["n_isi"] >= min_isi]
    if len(big) >= k:
        ok = big
    ok = ok.sort_values(["gap", "n_isi"], ascending=[True, False], kind="stable")
    return ok.head(k), ok.tail(k).iloc[::-1]
