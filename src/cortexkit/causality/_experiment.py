"""Experiments: every estimator on the same network, swept over size, length and recording.

Each method sees the kind of run it is made for (:data:`METHOD_PROTOCOL`): the
interventional estimators a perturbed run, the observational ones an unperturbed run of
the same network and length.  Seeds are derived from ``(seed, n_neurons, ...)`` so a
configuration gives the same numbers whatever else is in the sweep.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cortexkit._lib.reprs import Summarized
from cortexkit._lib.validation import check_choice
from cortexkit.causality._estimate import METHODS, estimate, observed_indices
from cortexkit.causality._network import (
    NetworkRun,
    _check_int,
    check_connectivity,
    check_fraction,
    make_connectivity,
    simulate,
)
from cortexkit.causality._score import score
from cortexkit.errors import ValidationError

__all__ = ["METHOD_PROTOCOL", "IV_FRACTION", "Comparison", "compare_methods", "run_experiment",
           "confounded_network"]

#: The run each method is given: perturbation protocol (None = unperturbed).
METHOD_PROTOCOL: dict[str, str | None] = {
    "perturbation": "all",
    "perturbation_corr": "all",
    "iv": "fraction",
    "correlation": None,
    "regression": None,
}
#: Fraction of neurons stimulated per even step in the run given to ``"iv"``.
IV_FRACTION = 0.5
SCORE_COLUMNS = ["correlation", "auroc", "sign_accuracy", "rel_error", "n_pairs"]


@dataclass(frozen=True, eq=False, repr=False)
class Comparison(Summarized):
    """All methods on one network: the truth, the runs, the estimates and their scores.

    Attributes
    ----------
    A : ndarray
        True connectivity.
    observed : ndarray of int
        Indices of the recorded neurons.
    runs : dict
        Protocol (None, "all", "fraction") -> :class:`NetworkRun`.
    estimates : dict
        Method -> (n x n) estimate (NaN outside the observed block).
    scores : DataFrame
        One row per method with :class:`~cortexkit.causality.Score` columns.
    """

    A: np.ndarray
    observed: np.ndarray
    runs: dict[str | None, NetworkRun]
    estimates: dict[str, np.ndarray]
    scores: pd.DataFrame

    _repr_rows = 3

    def _summary(self) -> list[tuple[str, Any]]:
        n = self.A.shape[0]
        rows: list[tuple[str, Any]] = [("neurons", n), ("observed", self.observed.size),
                                       ("methods", len(self.estimates))]
        rows += [(f"method {r.method}", f"r = {r.correlation:.3f}, AUROC {r.auroc:.3f}")
                 for r in self.scores.itertuples()] if "method" in self.scores else []
        return rows


def compare_methods(n_neurons: int = 20, timesteps: int = 10_000, observed: Any = 1.0,
                    methods: Sequence[str] = METHODS, *, p: float = 0.1,
                    A: Any = None, seed: int = 0) -> Comparison:
    """Run every requested method on one network and score it.

    Parameters
    ----------
    n_neurons : int
        Network size (ignored when ``A`` is given).
    timesteps : int
        Length of each run.
    observed : float or sequence of int
        Fraction of neurons recorded (random subset) or their indices.
    methods : sequence of str
        Estimators from :data:`cortexkit.causality.METHODS`.
    p : float
        Connection probability of the random network.
    A : array_like, optional
        Use this connectivity instead of drawing one.
    seed : int
        Seed of the network, the runs and the observed subset.

    Returns
    -------
    Comparison

    Examples
    --------
    >>> from cortexkit.causality import compare_methods
    >>> cmp = compare_methods(6, 2000, methods=("perturbation", "correlation"), p=0.3)
    >>> sorted(cmp.estimates)
    ['correlation', 'perturbation']
    """
    methods = _check_methods(methods)
    seed = _check_seed(seed)
    if A is None:
        n_neurons = _check_int(n_neurons, "n_neurons", 1)  # before it seeds the RNG
        A = _network(n_neurons, p, (seed, int(n_neurons)))
    else:
        A = check_connectivity(A)
    n = A.shape[0]
    runs = _runs(A, timesteps, methods, (seed, n, int(timesteps)))
    obs = _observed(observed, n, (seed, n))
    estimates = {m: estimate(runs[METHOD_PROTOCOL[m]], m, observed=obs) for m in methods}
    rows = [{"method": m, **score(est, A).to_dict()} for m, est in estimates.items()]
    return Comparison(A=A, observed=obs, runs=runs, estimates=estimates,
                      scores=pd.DataFrame(rows, columns=["method", *SCORE_COLUMNS]))


def run_experiment(n_neurons: Iterable[int] = (10, 20, 50), timesteps: Iterable[int] = (5000,),
                   observed: Iterable[float] = (1.0,), methods: Sequence[str] = METHODS, *,
                   p: float = 0.1, repeats: int = 1,
                   seed: int = 0) -> pd.DataFrame:
    """Score every method over a grid of network sizes, run lengths and observed fractions.

    For each size and repeat one network is drawn; for each length the runs each method
    needs (:data:`METHOD_PROTOCOL`) are simulated once; for each observed fraction a random
    subset of neurons is "recorded" and every method estimates the observed block.

    Parameters
    ----------
    n_neurons, timesteps, observed : iterables
        Grid of network sizes, run lengths and observed fractions in (0, 1].
    methods : sequence of str
        Estimators to compare.
    p : float
        Connection probability.
    repeats : int
        Independent networks per size.
    seed : int
        Base seed.

    Returns
    -------
    DataFrame
        Tidy table: ``n_neurons, timesteps, observed, n_observed, repeat, method``
        and the score columns ``correlation, auroc, sign_accuracy, rel_error, n_pairs``.

    Examples
    --------
    >>> from cortexkit.causality import run_experiment
    >>> df = run_experiment((6, 12), (2000,), methods=("perturbation", "correlation"))
    >>> df.shape
    (4, 11)
    """
    methods = _check_methods(methods)
    seed = _check_seed(seed)
    sizes = [int(v) for v in n_neurons]
    lengths = [int(v) for v in timesteps]
    fracs = [check_fraction(f, "observed") for f in observed]
    if not sizes or not lengths or not fracs:
        raise ValidationError("n_neurons, timesteps and observed must each hold at least one value")
    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 1:
        raise ValidationError(f"repeats must be an integer >= 1; got {repeats!r}", param="repeats")
    rows = []
    for n in sizes:
        for rep in range(repeats):
            A = _network(n, p, (seed, n, rep))
            for T in lengths:
                runs = _runs(A, T, methods, (seed, n, rep, T))
                for f in fracs:
                    obs = _observed(f, n, (seed, n, rep, int(round(f * 1e6))))
                    for m in methods:
                        s = score(estimate(runs[METHOD_PROTOCOL[m]], m, observed=obs), A)
                        rows.append({"n_neurons": n, "timesteps": T,
                                     "observed": f, "n_observed": int(obs.size),
                                     "repeat": rep, "method": m, **s.to_dict()})
    return pd.DataFrame(rows)


def confounded_network(n_motifs: int = 2, weight: float = 3.0) -> tuple[np.ndarray, np.ndarray]:
    """The textbook omitted-variable-bias network: hidden common inputs between recorded cells.

    Each motif k has four neurons ``g, h, j, i`` (indices ``4k .. 4k+3``): a common input
    ``g`` drives ``h`` and ``j``, and ``h`` drives ``i``; ``j`` does **not** drive ``i``.
    Recorded neuron ``j`` of motif k+1 drives ``i`` of motif k (a real edge between recorded
    cells).  When only the ``j`` and ``i`` cells are recorded, ``x_j[t]`` is correlated with
    the hidden ``x_h[t]`` through ``g``, so observational estimates report a spurious
    ``j -> i`` edge; stimulating ``j`` (perturbation, IV) reveals there is none.  The network
    is feed-forward (all eigenvalues 0), hence stable for any ``weight``.

    Parameters
    ----------
    n_motifs : int
        Number of motifs (>= 2); the network has ``4 * n_motifs`` neurons.
    weight : float
        Weight of every connection.

    Returns
    -------
    A : ndarray, shape (4 n_motifs, 4 n_motifs)
        Connectivity (row = effect, column = cause).
    recorded : ndarray of int
        Indices of the ``j`` and ``i`` neurons (half of the network).

    Examples
    --------
    >>> from cortexkit.causality import confounded_network
    >>> A, recorded = confounded_network(2)
    >>> A.shape, recorded.tolist(), float(A[3, 2])
    ((8, 8), [2, 3, 6, 7], 0.0)
    """
    if isinstance(n_motifs, bool) or not isinstance(n_motifs, int) or n_motifs < 2:
        raise ValidationError(f"n_motifs must be an integer >= 2; got {n_motifs!r}",
                              param="n_motifs")
    if not np.isfinite(weight):
        raise ValidationError(f"weight must be finite; got {weight!r}", param="weight")
    A = np.zeros((4 * n_motifs, 4 * n_motifs))
    for k in range(n_motifs):
        g, h, j, i = 4 * k + np.arange(4)
        A[h, g] = A[j, g] = A[i, h] = weight
        A[i, 4 * ((k + 1) % n_motifs) + 2] = weight
    recorded = np.sort(np.concatenate([4 * np.arange(n_motifs) + 2, 4 * np.arange(n_motifs) + 3]))
    return A, recorded


def _network(n: Any, p: float, key: tuple) -> np.ndarray:
    return make_connectivity(n, p, seed=np.random.default_rng([*key, 0]))


def _runs(A: np.ndarray, T: int, methods: list[str], key: tuple) -> dict:
    codes = {None: 1, "all": 2, "fraction": 3}
    runs: dict[str | None, NetworkRun] = {}
    for m in methods:
        proto = METHOD_PROTOCOL[m]
        if proto not in runs:
            rng = np.random.default_rng([*key, codes[proto]])
            frac = IV_FRACTION if proto == "fraction" else None
            runs[proto] = simulate(A, T, perturb=proto, fraction=frac, seed=rng)
    return runs


def _observed(observed: Any, n: int, key: tuple) -> np.ndarray:
    return observed_indices(observed, n, seed=np.random.default_rng([*key, 4]))


def _check_methods(methods: Any) -> list[str]:
    if isinstance(methods, str):
        methods = [methods]
    out = list(methods)
    if not out:
        raise ValidationError(f"methods must name at least one of {METHODS}", param="methods")
    for m in out:
        check_choice("method", m, METHODS)
    return list(dict.fromkeys(out))


def _check_seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValidationError(f"seed must be a non-negative integer; got {seed!r}", param="seed")
    return int(seed)
