"""Synthetic mouse-V1-like population responses to oriented gratings (default of RSA)."""

from __future__ import annotations

import numpy as np

from cortexkit.core import Responses
from cortexkit.errors import ValidationError

__all__ = ["v1_orientation_like"]


def v1_orientation_like(
    seed: int | np.random.Generator | None = 0,
    n_neurons: int = 3000,
    n_stimuli: int = 720,
) -> Responses:
    """Synthetic responses of V1-like neurons to full-field gratings at 0-360 degrees.

    Modelled on the Stringer et al. (2021) recordings used by the Neuromatch tutorials:
    grating directions drawn uniformly on [0, 360) (90 deg = vertical, as there), one
    response per presentation. Each neuron's mean response is a baseline plus a von Mises
    orientation tuning curve

    ``b + A exp(k (cos 2(theta - theta_p) - 1)) (1 + d cos(theta - theta_p)) / (1 + d)``

    with preferred direction ``theta_p`` uniform, width ``k`` log-normal (half-widths of
    roughly 15-45 deg), amplitude ``A`` log-normal, 25% untuned neurons (A = 0),
    direction selectivity ``d`` > 0 for 20% of neurons, and a log-normal baseline.
    Each presentation has a shared multiplicative gain (s.d. about 15%, the
    stimulus-independent fluctuations seen in population recordings); responses are
    Poisson counts of the resulting rates (float32).

    Parameters
    ----------
    seed : int, Generator or None
        Same seed, same data.
    n_neurons, n_stimuli : int
        Size of the population and number of presentations.

    Returns
    -------
    Responses
        ``responses`` (n_stimuli x n_neurons, float32), ``stimuli`` in degrees (0-360).

    Examples
    --------
    >>> import cortexkit as ck
    >>> r = ck.datasets.v1_orientation_like(seed=0)
    >>> r.responses.shape
    (720, 3000)
    """
    for name, v in (("n_neurons", n_neurons), ("n_stimuli", n_stimuli)):
        if not (isinstance(v, int | np.integer) and v >= 2):
            raise ValidationError(f"{name} must be an integer >= 2, got {v!r}")
    rng = np.random.default_rng(seed)
    theta = np.sort(rng.uniform(0.0, 360.0, n_stimuli))
    pref = rng.uniform(0.0, 360.0, n_neurons)
    kappa = rng.lognormal(np.log(2.0), 0.5, n_neurons)
    amp = rng.lognormal(np.log(4.0), 0.6, n_neurons) * (rng.random(n_neurons) >= 0.25)
    dsel = np.where(rng.random(n_neurons) < 0.2, rng.uniform(0.3, 1.0, n_neurons), 0.0)
    base = rng.lognormal(np.log(0.5), 0.7, n_neurons)
    gain = rng.lognormal(0.0, 0.15, n_stimuli)
    f32 = np.float32
    c = np.cos(np.deg2rad(theta[:, None] - pref[None, :]).astype(f32))
    # cos 2d = 2 cos^2 d - 1, so the exponent is 2 k (cos^2 d - 1)
    tuning = np.exp((2 * kappa).astype(f32) * (c * c - 1)) * (1 + dsel.astype(f32) * c)
    tuning *= (amp / (1 + dsel)).astype(f32)
    rate = (tuning + base.astype(f32)) * gain[:, None].astype(f32)
    counts = rng.poisson(rate).astype(np.float32)
    return Responses(counts, theta, np.arange(n_neurons), "orientation", None,
                     f"cortexkit.datasets.v1_orientation_like(seed={seed!r})",
                     ("synthetic: von Mises tuning + Poisson noise",))
