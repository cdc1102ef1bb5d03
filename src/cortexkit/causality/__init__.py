"""Network causality (SPEC section 5): who causes whom in a simulated network.

A random stable network ``x[t+1] = sigmoid(A x[t] + eps)`` (:func:`make_connectivity`,
:func:`simulate`) is observed with or without perturbations (clamping neurons to random
0/1 on every other step), and its connectivity is estimated by intervention
(``"perturbation"``, ``"perturbation_corr"``, ``"iv"``) or from observation alone
(``"correlation"``, ``"regression"``) with :func:`estimate`, then compared with the truth by
:func:`score`.  :func:`run_experiment` sweeps network size, run length and the fraction of
neurons recorded, showing where the observational methods fail (confounding by unobserved
neurons) and the interventional ones hold.
"""

from cortexkit.causality._estimate import METHODS, estimate, observed_indices
from cortexkit.causality._experiment import (
    METHOD_PROTOCOL,
    Comparison,
    compare_methods,
    confounded_network,
    run_experiment,
)
from cortexkit.causality._moments import ClampMoments
from cortexkit.causality._network import (
    NetworkRun,
    make_connectivity,
    rct_two_neurons,
    simulate,
)
from cortexkit.causality._score import Score, auroc, score

__all__ = [
    "ClampMoments",
    "METHODS",
    "METHOD_PROTOCOL",
    "Comparison",
    "NetworkRun",
    "Score",
    "auroc",
    "compare_methods",
    "confounded_network",
    "estimate",
    "make_connectivity",
    "observed_indices",
    "rct_two_neurons",
    "run_experiment",
    "score",
    "simulate",
]
