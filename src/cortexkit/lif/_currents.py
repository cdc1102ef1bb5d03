"""Input currents for LIF simulations (amperes, sampled at the step times ``t``)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from cortexkit.errors import ValidationError

__all__ = ["sine_current", "constant_current", "noise_current", "uniform_noise_current",
           "ou_current", "poisson_current"]


def _times(t: Any) -> np.ndarray:
    arr = np.asarray(t, dtype=np.float64)
    if arr.ndim == 0:
        arr = arr[None]
    if arr.ndim != 1 or not np.isfinite(arr).all():
        raise ValidationError(f"t must be a 1-D array of finite times (s); got shape "
                              f"{arr.shape}", param="t")
    return arr


def _number(value: Any, name: str, *, positive: bool = False, nonneg: bool = False) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{name} must be a number, got {value!r}", param=name) from None
    if not math.isfinite(x) or (positive and x <= 0) or (nonneg and x < 0):
        cond = " > 0" if positive else " >= 0" if nonneg else ""
        raise ValidationError(f"{name} must be finite{cond}, got {value!r}", param=name)
    return x


def _dt(t: np.ndarray) -> float:
    if t.size < 2:
        raise ValidationError("t needs at least 2 equally spaced times to define dt", param="t")
    d = np.diff(t)
    dt = float(d.mean())
    if dt <= 0 or np.abs(d - dt).max() > 1e-6 * dt:
        raise ValidationError("t must be equally spaced and increasing (e.g. params.times())",
                              param="t")
    return dt


def _shape(t: np.ndarray, n_neurons: int | None) -> tuple[int, ...]:
    if n_neurons is None:
        return (t.size,)
    if isinstance(n_neurons, bool) or not isinstance(n_neurons, int | np.integer) \
            or n_neurons < 1:
        raise ValidationError(f"n_neurons must be a positive integer or None; got {n_neurons!r}",
                              param="n_neurons")
    return (int(n_neurons), t.size)


def sine_current(t: Any, i_mean: float, period: float = 0.01) -> np.ndarray:
    """Sinusoidal current ``i_mean * (1 + sin(2 pi t / period))`` (A).

    Parameters
    ----------
    t : array_like
        Times (s), e.g. ``params.times()``.
    i_mean : float
        Mean current (A); the current oscillates between 0 and ``2 * i_mean``.
    period : float, default 0.01
        Period of the oscillation (s).

    Returns
    -------
    ndarray, same shape as ``t``

    Examples
    --------
    >>> from cortexkit.lif import sine_current
    >>> sine_current([0.0, 0.0025, 0.005], 1e-10).round(16).tolist()
    [1e-10, 2e-10, 1e-10]
    """
    t = _times(t)
    i_mean = _number(i_mean, "i_mean")
    period = _number(period, "period", positive=True)
    return i_mean * (1.0 + np.sin(2.0 * np.pi * t / period))


def constant_current(t: Any, i_mean: float) -> np.ndarray:
    """Constant current ``i_mean`` (A) at every time of ``t``.

    Parameters
    ----------
    t : array_like
        Step times (s).
    i_mean : float
        The current (A).

    Returns
    -------
    numpy.ndarray
        ``i_mean`` at every time, same shape as ``t``.

    Examples
    --------
    >>> from cortexkit.lif import constant_current
    >>> constant_current([0.0, 0.001], 2e-10).tolist()
    [2e-10, 2e-10]
    """
    t = _times(t)
    return np.full(t.shape, _number(i_mean, "i_mean"))


def noise_current(t: Any, i_mean: float, sd: float, *, n_neurons: int | None = None,
                  seed: int | np.random.Generator | None = None) -> np.ndarray:
    """Gaussian white-noise current: independent ``N(i_mean, sd**2)`` samples per step.

    Parameters
    ----------
    t : array_like
        Step times (s).
    i_mean, sd : float
        Mean and standard deviation of each sample (A).
    n_neurons : int, optional
        Independent noise per neuron: shape (n_neurons, len(t)); default shape (len(t),).
    seed : int, Generator or None
        Random seed.

    Returns
    -------
    ndarray

    Examples
    --------
    >>> from cortexkit.lif import noise_current
    >>> x = noise_current(range(10000), 1e-10, 5e-11, seed=0)
    >>> round(x.mean() * 1e12), round(x.std() * 1e12)
    (100, 50)
    """
    t = _times(t)
    i_mean = _number(i_mean, "i_mean")
    sd = _number(sd, "sd", nonneg=True)
    rng = np.random.default_rng(seed)
    return i_mean + sd * rng.standard_normal(_shape(t, n_neurons))


def uniform_noise_current(t: Any, i_mean: float, amplitude: float, *,
                          n_neurons: int | None = None,
                          seed: int | np.random.Generator | None = None) -> np.ndarray:
    """Uniform-noise current ``i_mean * (1 + amplitude * u)``, ``u ~ U(-1, 1)`` per step.

    The random synaptic input of the Neuromatch Python workshop (W0D1):
    ``i_mean * (1 + 0.1 * (t_max / dt) ** 0.5 * (2 * np.random.random(...) - 1))``, i.e.
    ``amplitude = 0.1 * sqrt(t_max / dt)``. Samples are independent across steps (and
    neurons); the mean is ``i_mean`` and the standard deviation ``|i_mean| amplitude /
    sqrt(3)``. The draws come from ``numpy.random.default_rng(seed)``, so they differ
    from the tutorial's legacy ``np.random.seed(2020)`` stream (pass that array to
    :func:`cortexkit.lif.simulate` as ``current`` to reuse it).

    Parameters
    ----------
    t : array_like
        Step times (s).
    i_mean : float
        Mean current (A).
    amplitude : float
        Relative half-width of the uniform distribution (>= 0).
    n_neurons : int, optional
        Independent noise per neuron: shape (n_neurons, len(t)); default shape (len(t),).
    seed : int, Generator or None
        Random seed.

    Returns
    -------
    ndarray

    Examples
    --------
    >>> import numpy as np
    >>> from cortexkit.lif import LIFParams, uniform_noise_current
    >>> p = LIFParams()
    >>> x = uniform_noise_current(p.times(), 25e-11, 0.1 * (p.t_max / p.dt) ** 0.5,
    ...                           n_neurons=200, seed=0)
    >>> x.shape, round(x.mean() * 1e12), round(x.std() * 1e12)
    ((200, 150), 251, 176)
    """
    t = _times(t)
    i_mean = _number(i_mean, "i_mean")
    amplitude = _number(amplitude, "amplitude", nonneg=True)
    u = np.random.default_rng(seed).random(_shape(t, n_neurons))
    return i_mean * (1 + amplitude * (2 * u - 1))


def ou_current(t: Any, i_mean: float, sd: float, tau: float = 0.005, *,
               n_neurons: int | None = None,
               seed: int | np.random.Generator | None = None) -> np.ndarray:
    """Ornstein-Uhlenbeck current: mean ``i_mean``, stationary std ``sd``, time constant ``tau``.

    Sampled exactly on the grid: ``x[k+1] = a x[k] + sd sqrt(1 - a**2) xi[k]`` with
    ``a = exp(-dt / tau)``, started from the stationary distribution.

    Parameters
    ----------
    t : array_like
        Equally spaced step times (s).
    i_mean, sd : float
        Mean and stationary standard deviation (A).
    tau : float, default 0.005
        Correlation time (s).
    n_neurons : int, optional
        Independent processes per neuron: shape (n_neurons, len(t)).
    seed : int, Generator or None
        Random seed.

    Returns
    -------
    ndarray

    Examples
    --------
    >>> import numpy as np
    >>> from cortexkit.lif import ou_current
    >>> x = ou_current(np.arange(200000) * 1e-4, 0.0, 1.0, tau=0.005, seed=1)
    >>> round(float(x.std()), 1), round(float(np.corrcoef(x[:-50], x[50:])[0, 1]), 2)
    (1.0, 0.37)
    """
    t = _times(t)
    dt = _dt(t)
    i_mean = _number(i_mean, "i_mean")
    sd = _number(sd, "sd", nonneg=True)
    tau = _number(tau, "tau", positive=True)
    rng = np.random.default_rng(seed)
    shape = _shape(t, n_neurons)
    a = math.exp(-dt / tau)
    xi = rng.standard_normal(shape)
    drive = sd * math.sqrt(1.0 - a * a) * xi
    drive[..., 0] = sd * xi[..., 0]  # stationary start
    from scipy.signal import lfilter

    return i_mean + lfilter([1.0], [1.0, -a], drive, axis=-1)


def poisson_current(t: Any, *, rate_exc: float = 8000.0, rate_inh: float = 2000.0,
                    w_exc: float = 6e-11, w_inh: float | None = None,
                    tau_syn: float = 0.002, i_mean: float = 0.0,
                    n_neurons: int | None = None,
                    seed: int | np.random.Generator | None = None) -> np.ndarray:
    """Synaptic current from Poisson excitatory and inhibitory input spikes.

    Every input spike adds an exponentially decaying current (amplitude ``w_exc`` for
    excitation, ``-w_inh`` for inhibition, time constant ``tau_syn``) on top of a
    constant ``i_mean``. With the default ``w_inh`` the inhibition cancels the mean
    excitation (``rate_exc * w_exc == rate_inh * w_inh``): a *balanced* drive whose mean
    keeps V at rest, far below threshold, so spikes are triggered by fluctuations at
    random times — the mechanism behind the irregular, near-exponential ISIs (CV ~ 1) of
    cortical neurons. The defaults (800 excitatory and 200 inhibitory synapses at 10 Hz,
    60 pA excitatory PSCs, inhibition 4x stronger, no bias) give about 14 Hz with an ISI
    CV of about 0.95 for the default :class:`LIFParams` at ``dt = 0.1 ms``.

    Parameters
    ----------
    t : array_like
        Equally spaced step times (s).
    rate_exc, rate_inh : float
        Total rate (Hz) of excitatory / inhibitory input spikes (synapses x rate).
    w_exc : float, default 6e-11
        Peak excitatory synaptic current (A).
    w_inh : float, optional
        Peak inhibitory synaptic current (A, positive); default balances excitation.
    tau_syn : float, default 0.002
        Synaptic decay time constant (s).
    i_mean : float, default 0
        Constant bias current (A).
    n_neurons : int, optional
        Independent input per neuron: shape (n_neurons, len(t)).
    seed : int, Generator or None
        Random seed.

    Returns
    -------
    ndarray

    Examples
    --------
    >>> import numpy as np
    >>> from cortexkit.lif import poisson_current
    >>> x = poisson_current(np.arange(100000) * 1e-4, i_mean=5e-11, seed=0)
    >>> bool(abs(x.mean() - 5e-11) < 2e-11)  # balanced: mean = bias, up to shot noise
    True
    """
    t = _times(t)
    dt = _dt(t)
    rate_exc = _number(rate_exc, "rate_exc", nonneg=True)
    rate_inh = _number(rate_inh, "rate_inh", nonneg=True)
    w_exc = _number(w_exc, "w_exc", nonneg=True)
    if w_inh is None:
        w_inh = w_exc * rate_exc / rate_inh if rate_inh > 0 else 0.0
    w_inh = _number(w_inh, "w_inh", nonneg=True)
    tau_syn = _number(tau_syn, "tau_syn", positive=True)
    i_mean = _number(i_mean, "i_mean")
    rng = np.random.default_rng(seed)
    shape = _shape(t, n_neurons)
    jumps = w_exc * rng.poisson(rate_exc * dt, shape) - w_inh * rng.poisson(rate_inh * dt, shape)
    a = math.exp(-dt / tau_syn)
    # each PSC has unit peak and decays by a per step; mean = rate * w * dt / (1 - a)
    from scipy.signal import lfilter

    syn = lfilter([1.0], [1.0, -a], jumps, axis=-1)
    return i_mean + syn
