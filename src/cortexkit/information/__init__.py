"""Information: entropy of PMFs and ISI distributions (SPEC section 3, normative models).

* :func:`entropy`, :func:`pmf_from_counts` — Shannon entropy of a PMF (any base).
* :func:`entropy_from_counts` — entropy from counts with the plug-in, Miller-Madow,
  jackknife and NSB (Bayesian) estimators.
* :func:`isi_entropy` — entropy of every unit's binned ISI distribution, all units at once.
* :func:`reference_pmfs`, :func:`max_entropy_pmf` — deterministic / uniform / exponential
  ISI distributions at a fixed mean, and the maximum-entropy distribution under that mean
  constraint, so that "at a fixed mean rate, exponential ISIs carry the most information"
  is computed, not asserted.
* :func:`entropy_summary` — the workflow of the CLI and the report: every unit's ISI
  entropy against its max-entropy bound, the population references and the ranking.

See ``docs/information.md`` for the estimator bias table and the normative result.
"""

from cortexkit.information._entropy import (
    ESTIMATORS,
    entropy,
    entropy_from_counts,
    pmf_from_counts,
)
from cortexkit.information._isi import bin_edges, isi_counts, isi_entropy
from cortexkit.information._reference import max_entropy_pmf, reference_pmfs
from cortexkit.information._summary import (
    EntropySummary,
    closest_farthest,
    entropy_summary,
    max_entropy_bound,
)

__all__ = [
    "ESTIMATORS",
    "entropy",
    "pmf_from_counts",
    "entropy_from_counts",
    "isi_entropy",
    "isi_counts",
    "bin_edges",
    "reference_pmfs",
    "max_entropy_pmf",
    "max_entropy_bound",
    "entropy_summary",
    "EntropySummary",
    "closest_farthest",
]
