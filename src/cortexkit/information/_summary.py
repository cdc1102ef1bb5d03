"""Per-unit ISI entropy with each unit's max-entropy bound, and population references.

The workflow :func:`entropy_summary` is what the ``cortexkit entropy`` command and the
report's information section show; they call it and only format its result.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cortexkit.errors import CortexkitWarning, ValidationError
from cortexkit.information._entropy import entropy, log_base
from cortexkit.information._isi import bin_edges, isi_entropy
from cortexkit.information._reference import (
    deterministic_pmf,
    max_entropy_pmf,
    reference_pmfs,
)

__all__ = ["max_entropy_bound", "entropy_summary", "EntropySummary", "closest_farthest"]


def max_entropy_bound(mean_isi: Any, bins: Any = 50,
                      range: tuple[float, float] | None = (0.0, 0.25),
                      base: float = 2, *, warn_nan: bool = True) -> np.ndarray:
    """Entropy of :func:`max_entropy_pmf` at each mean (NaN where the mean is NaN).

    A NaN mean (a unit without ISIs) gives NaN, with a CortexkitWarning unless
    ``warn_nan=False``; an infinite or complex mean is refused.

    Parameters
    ----------
    mean_isi : array_like
        Means in seconds over the bin centres (e.g. ``isi_entropy(st)["mean_isi"]``).
    bins, range
        As in :func:`~cortexkit.information.isi_entropy`.
    base : float, default 2
        Logarithm base (2: bits).
    warn_nan : bool, default True
        Warn (CortexkitWarning) when some means are NaN.

    Returns
    -------
    numpy.ndarray
        The upper bound on the entropy of any PMF on these bins with that mean.

    Examples
    --------
    >>> max_entropy_bound([0.125, np.nan], bins=4, range=(0, 0.25),
    ...                   warn_nan=False).round(6).tolist()
    [2.0, nan]
    """
    m = np.asarray(mean_isi)
    if m.dtype.kind not in "biuf":
        raise ValidationError(f"mean_isi must be real numbers (s); got dtype {m.dtype}",
                              param="mean_isi")
    m = m.astype(np.float64)
    if np.isinf(m).any():
        raise ValidationError(f"mean_isi must be finite seconds (NaN for no ISIs); got "
                              f"{m[np.isinf(m)][0]}", param="mean_isi")
    edges = bin_edges(bins, range)
    out = np.full(m.shape, np.nan)
    ok = np.isfinite(m)
    if not ok.all() and warn_nan:
        warnings.warn(
            f"max_entropy_bound: {int((~ok).sum())} of {m.size} means are NaN (no ISIs); "
            "their bound is NaN", CortexkitWarning, stacklevel=2)
    vals, inv = np.unique(m[ok], return_inverse=True)
    h = np.array([entropy(max_entropy_pmf(v, edges), base=base) for v in vals])
    out[ok] = h[inv] if vals.size else np.empty(0)
    return out


@dataclass(frozen=True)
class EntropySummary:
    """Result of :func:`entropy_summary`.

    Attributes
    ----------
    units : pandas.DataFrame
        One row per unit: ``unit``, ``n_isi``, ``rate_hz``, ``mean_isi``, ``entropy``,
        ``max_entropy`` (bound at the unit's mean ISI) and ``gap``
        (``max_entropy - entropy``, never negative for the plug-in estimator).
    edges : numpy.ndarray
        The ISI bin edges (s).
    estimator : str
        Entropy estimator.
    base : float
        Logarithm base (2: bits).
    population_mean_isi : float
        Mean of all in-range ISIs over the bin centres (s); NaN without ISIs.
    references : dict
        Name -> PMF at the population mean: ``deterministic``, ``uniform``,
        ``exponential`` and ``max_entropy`` (those that exist at that mean).
    reference_entropies : dict
        Name -> entropy of each reference PMF.
    note : str or None
        Why some references are missing, else None.
    closest, farthest : pandas.DataFrame
        The units nearest to and farthest from their bound (:func:`closest_farthest`).

    Notes
    -----
    ``summary["units"]`` works as well as ``summary.units`` (the function returned a dict
    before).
    """

    units: pd.DataFrame = field(repr=False)
    edges: np.ndarray = field(repr=False)
    estimator: str
    base: float
    population_mean_isi: float
    references: dict[str, np.ndarray] = field(repr=False)
    reference_entropies: dict[str, float]
    note: str | None
    closest: pd.DataFrame = field(repr=False)
    farthest: pd.DataFrame = field(repr=False)

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)

    @property
    def n_units_with_isis(self) -> int:
        """Units with at least one ISI in the range."""
        return int(self.units["entropy"].notna().sum())

    @property
    def mean_entropy(self) -> float | None:
        """Mean entropy over the units with ISIs in range (None if there are none)."""
        h = self.units["entropy"].dropna()
        return float(h.mean()) if h.size else None

    @property
    def median_entropy(self) -> float | None:
        """Median entropy over the units with ISIs in range (None if there are none)."""
        h = self.units["entropy"].dropna()
        return float(h.median()) if h.size else None

    @property
    def median_gap(self) -> float | None:
        """Median gap to the max-entropy bound (None without units with ISIs)."""
        g = self.units["gap"].dropna()
        return float(g.median()) if g.size else None


def entropy_summary(st: Any, bins: Any = 50, range: tuple[float, float] | None = (0.0, 0.25),
                    estimator: str = "plugin", base: float = 2, *, k: int = 5,
                    min_isi: int = 100) -> EntropySummary:
    """Per-unit ISI entropy with each unit's max-entropy bound, population references, ranking.

    Parameters
    ----------
    st : SpikeTrains
        The recording.
    bins, range, estimator, base
        As in :func:`~cortexkit.information.isi_entropy`.
    k, min_isi : int
        Ranking of the units closest to / farthest from the bound (:func:`closest_farthest`).

    Returns
    -------
    EntropySummary
        The per-unit table, the reference PMFs at the population mean ISI with their
        entropies, and the ranking.

    See Also
    --------
    isi_entropy, max_entropy_bound, reference_pmfs

    Examples
    --------
    >>> import cortexkit as ck
    >>> st = ck.SpikeTrains.from_list([[0.0, 0.5, 0.75, 1.0, 1.75]], t_stop=2.0)
    >>> s = entropy_summary(st, bins=4, range=(0, 1))
    >>> s.units[["n_isi", "entropy", "max_entropy"]].round(3).to_dict("records")
    [{'n_isi': 4, 'entropy': 1.5, 'max_entropy': 1.964}]
    >>> s.closest["unit"].tolist(), round(s.population_mean_isi, 4)
    ([0], 0.5625)
    """
    log_base(base)
    edges = bin_edges(bins, range)
    table = isi_entropy(st, edges, estimator=estimator, base=base)
    table.insert(2, "rate_hz", st.rates)
    table["max_entropy"] = max_entropy_bound(table["mean_isi"], edges, base=base,
                                             warn_nan=False)  # units without ISIs: NaN
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
    closest, farthest = closest_farthest(table, k=k, min_isi=min_isi)
    return EntropySummary(
        units=table, edges=edges, estimator=estimator, base=base,
        population_mean_isi=pop_mean, references=refs,
        reference_entropies={name: float(entropy(p, base=base)) for name, p in refs.items()},
        note=note, closest=closest, farthest=farthest,
    )


def closest_farthest(units: pd.DataFrame, k: int = 5,
                     min_isi: int = 100) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``k`` units with the smallest and the largest gap to the max-entropy bound.

    Only units with at least ``min_isi`` ISIs in range are ranked (a handful of ISIs
    gives a low plug-in entropy whatever the unit does); if fewer than ``k`` qualify, all
    units with ISIs are ranked.

    Parameters
    ----------
    units : pandas.DataFrame
        The ``units`` table of :func:`entropy_summary` (columns ``gap`` and ``n_isi``).
    k : int, default 5
        How many units on each side.
    min_isi : int, default 100
        ISIs in range a unit needs to be ranked (unless fewer than ``k`` units have them).

    Returns
    -------
    closest, farthest : pandas.DataFrame
        Closest first, and farthest first.

    Examples
    --------
    >>> import pandas as pd
    >>> u = pd.DataFrame({"unit": [0, 1, 2], "n_isi": [200, 300, 5], "gap": [0.5, 0.1, 0.0]})
    >>> [t["unit"].tolist() for t in closest_farthest(u, k=1)]
    [[1], [0]]
    """
    ok = units.dropna(subset=["gap"])
    big = ok[ok["n_isi"] >= min_isi]
    if len(big) >= k:
        ok = big
    ok = ok.sort_values(["gap", "n_isi"], ascending=[True, False], kind="stable")
    return ok.head(k), ok.tail(k).iloc[::-1]
