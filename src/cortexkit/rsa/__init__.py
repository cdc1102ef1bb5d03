"""Representational similarity analysis (NumPy / SciPy only; never imports torch).

- :func:`rdm` — stimulus x stimulus dissimilarity (correlation, euclidean, cosine);
- :func:`compare` — RDM similarity on the upper off-diagonal triangle (pearson, spearman,
  kendall_tau_a); :func:`cka` — linear CKA between response matrices;
- :func:`bootstrap_compare` — confidence intervals by resampling stimuli;
  :func:`permutation_test` — p-values by permuting stimulus labels;
- :func:`tuning_curves`, :func:`embed` — describe population responses.
"""

from __future__ import annotations

from cortexkit.rsa._describe import TuningCurves, embed, tuning_curves
from cortexkit.rsa._rdm import (
    METHODS,
    METRICS,
    Method,
    Metric,
    cka,
    compare,
    kendall_tau_a,
    rdm,
    upper_triangle,
)
from cortexkit.rsa._stats import (
    BootstrapResult,
    PermutationResult,
    bootstrap_compare,
    permutation_test,
)

__all__ = [
    "rdm", "compare", "cka", "kendall_tau_a", "upper_triangle", "bootstrap_compare",
    "permutation_test", "tuning_curves", "embed", "BootstrapResult", "PermutationResult",
    "TuningCurves", "METHODS", "METRICS", "Method", "Metric",
]
