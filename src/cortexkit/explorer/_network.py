"""The network perturbation view: simulate, estimate on growing prefixes, score."""

from __future__ import annotations

import dataclasses
from typing import Any, cast

import numpy as np

from cortexkit._lib.validation import check_choice
from cortexkit.errors import ValidationError

PROTOCOLS = ("none", "all", "fraction", "units")
METHODS = ("perturbation", "perturbation_corr", "iv", "correlation", "regression")
PERTURBATION_METHODS = ("perturbation", "perturbation_corr", "iv")
SCORES = ("correlation", "auroc", "sign_accuracy", "rel_error")
MAX_NEURONS = 80
MAX_TIMESTEPS = 40_000


def _checkpoints(timesteps: int, n: int = 12, first: int = 20) -> list[int]:
    """Even, increasing prefix lengths from ``first`` up to ``timesteps`` (geometric)."""
    lo = min(first, timesteps)
    pts = np.unique(np.geomspace(lo, timesteps, n).astype(int) // 2 * 2)
    pts = pts[pts >= 4]
    if pts.size == 0 or pts[-1] != timesteps:
        pts = np.append(pts, timesteps)
    return [int(p) for p in pts]


def _prefix(run: Any, k: int) -> Any:
    """The first ``k`` timesteps of a NetworkRun (a new object; the run is not modified)."""
    return dataclasses.replace(run, activity=run.activity[:, :k], clamped=run.clamped[:, :k])


def network_view(
    n_neurons: int = 12,
    p: float = 0.25,
    timesteps: int = 4000,
    protocol: str = "all",
    method: str = "perturbation",
    fraction: float = 0.5,
    units: list[int] | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """Simulate a random network under a perturbation protocol and track the estimate.

    Returns the true connectivity, the final estimate, and the score
    (:func:`cortexkit.causality.score`) of the estimate made from the first ``k`` steps for
    growing ``k`` — so one sees whether and how fast the estimate converges to the truth.
    """
    from cortexkit import causality

    if not 2 <= n_neurons <= MAX_NEURONS:
        raise ValidationError(f"n_neurons must be between 2 and {MAX_NEURONS}; got {n_neurons}",
                              param="n_neurons")
    if not 20 <= timesteps <= MAX_TIMESTEPS:
        raise ValidationError(
            f"timesteps must be between 20 and {MAX_TIMESTEPS}; got {timesteps}", param="timesteps"
        )
    check_choice("protocol", protocol, PROTOCOLS)
    check_choice("method", method, METHODS)
    # regression needs more transitions than neurons + 1: its first prefix is longer
    first = max(20, n_neurons + 4) if method == "regression" else 20
    if timesteps < first:
        raise ValidationError(
            f"timesteps must be at least {first} for method 'regression' with {n_neurons} "
            f"neurons (more transitions than neurons + 1); got {timesteps}", param="timesteps")
    if method in PERTURBATION_METHODS and protocol == "none":
        raise ValidationError(
            f"method {method!r} needs perturbed data; choose protocol 'all', 'fraction' or "
            "'units', or an observational method ('correlation', 'regression')", param="method"
        )
    if protocol == "units":
        units = [0] if not units else [int(u) for u in units]
        bad = [u for u in units if not 0 <= u < n_neurons]
        if bad:
            raise ValidationError(f"units {bad} are outside 0 .. {n_neurons - 1}", param="units")
    rng = np.random.default_rng(seed)
    seed_a, seed_sim = (int(s) for s in rng.integers(0, 2**31 - 1, size=2))
    A = causality.make_connectivity(n_neurons, p=p, seed=seed_a)
    kwargs: dict[str, Any] = {"seed": seed_sim}
    if protocol != "none":
        kwargs["perturb"] = protocol
    if protocol == "fraction":
        kwargs["fraction"] = fraction
    if protocol == "units":
        kwargs["units"] = units
    run = causality.simulate(A, timesteps, **kwargs)
    curve = []
    estimate = np.full(np.shape(A), np.nan)
    for k in _checkpoints(timesteps, first=first):
        sub = _prefix(run, k)
        data = sub if method in PERTURBATION_METHODS else sub.activity
        estimate = np.asarray(causality.estimate(data, method), dtype=float)
        s = causality.score(estimate, A).to_dict()
        curve.append({"steps": k, **{key: _num(s[key]) for key in SCORES}})
    return {
        "n_neurons": n_neurons,
        "timesteps": timesteps,
        "protocol": protocol,
        "method": method,
        "A": np.asarray(A, dtype=float).round(5).tolist(),
        "estimate": np.nan_to_num(estimate, nan=0.0).round(5).tolist(),
        "curve": curve,
        "score": curve[-1],
        "clamped_fraction": float(np.mean(cast(np.ndarray, run.clamped))),
    }


def _num(v: Any) -> float | None:
    try:
        v = float(v)
    except (TypeError, ValueError):
        return None
    return v if np.isfinite(v) else None
