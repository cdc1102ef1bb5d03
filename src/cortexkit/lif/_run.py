"""The LIF-run workflow: build an input of a named kind, simulate, summarise.

The CLI (``cortexkit lif``) and the report's LIF section call :func:`run_input` and only
format its :class:`InputRun`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cortexkit._lib.memory import check_alloc
from cortexkit._lib.validation import check_choice, check_int, check_number
from cortexkit.lif._analytic import rate
from cortexkit.lif._currents import ou_current, poisson_current, sine_current
from cortexkit.lif._params import LIFParams
from cortexkit.lif._simulate import LIFResult, simulate
from cortexkit.lif._stats import MembraneStats, isi_cv, membrane_stats

__all__ = ["INPUT_KINDS", "DEFAULT_I_MEAN", "InputRun", "input_current", "run_input"]

INPUT_KINDS = ("sine", "constant", "noise", "ou", "poisson")
# 150 pA drives the default neuron above its rheobase (100 pA); the balanced Poisson input
# needs no bias: its fluctuations make the neuron fire.
DEFAULT_I_MEAN = {"sine": 1.5e-10, "constant": 1.5e-10, "noise": 1.5e-10, "ou": 1.5e-10,
                  "poisson": 0.0}


def input_current(
    kind: str, params: LIFParams, n_neurons: int = 1, *, i_mean: float | None = None,
    sd: float = 1e-10, period: float = 0.01,
    seed: int | np.random.Generator | None = None,
) -> tuple[Any, float]:
    """The ``current`` and ``noise_sd`` arguments of :func:`simulate` for an input kind.

    Parameters
    ----------
    kind : {"sine", "constant", "noise", "ou", "poisson"}
        ``sine``: :func:`sine_current`; ``constant``: ``i_mean``; ``noise``: ``i_mean``
        plus white noise of standard deviation ``sd`` per step, drawn inside the
        simulation; ``ou``: :func:`ou_current` with stationary std ``sd``; ``poisson``:
        balanced excitatory/inhibitory :func:`poisson_current` plus ``i_mean``.
    params : LIFParams
        Gives the time grid.
    n_neurons : int, default 1
        Independent inputs for ``ou`` and ``poisson``.
    i_mean : float, optional
        Mean current (A); default :data:`DEFAULT_I_MEAN` of the kind.
    sd : float, default 1e-10
        Noise standard deviation (A) of ``noise`` and ``ou``.
    period : float, default 0.01
        Period of the sine (s).
    seed : int, Generator or None
        Seed of the ``ou`` and ``poisson`` inputs.

    Returns
    -------
    current : float or numpy.ndarray
        A number, shape (steps,) or (n_neurons, steps).
    noise_sd : float
        White-noise standard deviation for :func:`simulate`.

    Examples
    --------
    >>> from cortexkit.lif import LIFParams, input_current
    >>> cur, noise_sd = input_current("noise", LIFParams(), i_mean=2e-10, sd=5e-11)
    >>> cur, noise_sd
    (2e-10, 5e-11)
    >>> input_current("sine", LIFParams())[0].shape
    (150,)
    """
    check_choice("kind", kind, INPUT_KINDS)
    mean = DEFAULT_I_MEAN[kind] if i_mean is None else float(i_mean)
    t = params.times()
    if kind == "sine":
        return sine_current(t, mean, period=period), 0.0
    if kind == "constant":
        return mean, 0.0
    if kind == "noise":
        # white noise drawn inside the simulation loop
        return mean, check_number("sd", sd, low=0.0, unit="A")
    rng = np.random.default_rng(seed)
    if kind == "ou":
        return ou_current(t, mean, sd, n_neurons=n_neurons, seed=rng), 0.0
    return poisson_current(t, i_mean=mean, n_neurons=n_neurons, seed=rng), 0.0


@dataclass(frozen=True)
class InputRun:
    """Result of :func:`run_input`.

    Attributes
    ----------
    kind : str
        The input kind.
    i_mean : float
        Mean input current (A).
    result : LIFResult
        The simulation (``result.spikes``, ``result.v`` when recorded, ``result.current``).
    cv : numpy.ndarray
        ISI coefficient of variation of every neuron (:func:`isi_cv`).
    membrane : MembraneStats or None
        Statistics of V (after ``t_skip`` steps) when it was recorded.
    """

    kind: str
    i_mean: float
    result: LIFResult = field(repr=False)
    cv: np.ndarray = field(repr=False)
    membrane: MembraneStats | None = field(repr=False)

    @property
    def params(self) -> LIFParams:
        """The parameters of the run."""
        return self.result.params

    @property
    def n_spikes(self) -> int:
        """Spikes of all neurons."""
        return int(self.result.spikes.n_spikes)

    @property
    def mean_rate_hz(self) -> float:
        """Mean firing rate over the neurons (Hz)."""
        return float(self.result.spikes.rates.mean())

    @property
    def cv_mean(self) -> float | None:
        """Mean ISI CV over the neurons with one (None if no neuron has 2 ISIs)."""
        return float(np.nanmean(self.cv)) if np.isfinite(self.cv).any() else None

    @property
    def analytic_rate_hz(self) -> float:
        """Analytic rate (:func:`rate`) of a neuron under a constant ``i_mean``."""
        return float(rate(self.i_mean, self.result.params))

    @property
    def isis(self) -> np.ndarray:
        """The ISIs of all neurons pooled (s)."""
        from cortexkit.isi import intervals

        return np.asarray(intervals(self.result.spikes).values)


def run_input(
    kind: str, params: LIFParams | None = None, n_neurons: int = 1, *,
    i_mean: float | None = None, sd: float = 1e-10, period: float = 0.01,
    method: str = "exact", record_v: bool = True, t_skip: int = 0,
    seed: int | np.random.Generator | None = None,
) -> InputRun:
    """Simulate LIF neurons driven by an input of a named kind and summarise the run.

    Parameters
    ----------
    kind : {"sine", "constant", "noise", "ou", "poisson"}
        Input kind (see :func:`input_current`).
    params : LIFParams, optional
        Neuron and grid (default ``LIFParams()``).
    n_neurons : int, default 1
        Neurons simulated.
    i_mean, sd, period
        As in :func:`input_current`.
    method : {"exact", "euler"}
        Integration (see :func:`simulate`).
    record_v : bool, default True
        Record V (needed for :attr:`InputRun.membrane`).
    t_skip : int, default 0
        Leading steps left out of the membrane statistics.
    seed : int, Generator or None
        Seed of the input and of the white noise.

    Returns
    -------
    InputRun

    See Also
    --------
    simulate, input_current

    Examples
    --------
    >>> from cortexkit.lif import LIFParams, run_input
    >>> run = run_input("constant", LIFParams(dt=1e-4, t_max=1.0), 2, i_mean=2e-10)
    >>> run.n_spikes, round(run.mean_rate_hz), round(run.analytic_rate_hz)
    (90, 45, 46)
    >>> round(run.cv_mean, 6)
    0.0
    """
    n_neurons = check_int("n_neurons", n_neurons, low=1)
    params = LIFParams() if params is None else params
    _check_memory(kind, int(n_neurons), int(params.n_steps), record_v)
    mean = DEFAULT_I_MEAN.get(kind, 0.0) if i_mean is None else float(i_mean)
    current, noise_sd = input_current(kind, params, n_neurons, i_mean=mean, sd=sd,
                                      period=period, seed=seed)
    res = simulate(params, current, n_neurons, noise_sd=noise_sd, method=method,
                   record_v=record_v, seed=seed)
    membrane = membrane_stats(res, t_skip=t_skip) if res.v is not None else None
    return InputRun(kind=kind, i_mean=mean, result=res, cv=isi_cv(res.spikes),
                    membrane=membrane)


def _check_memory(kind: str, n_neurons: int, n_steps: int, record_v: bool) -> None:
    """Refuse, before allocating, a run whose arrays alone exceed half the memory."""
    per_neuron = 64  # state, spike bookkeeping and the result's offsets
    if kind in ("ou", "poisson"):
        per_neuron += 8 * n_steps  # one input current per neuron
    if record_v:
        per_neuron += 8 * n_steps
    check_alloc("n_neurons", n_neurons * per_neuron,
                f"n_neurons={n_neurons:,} with {n_steps:,} steps of {kind!r} input",
                "use fewer neurons or a shorter t_max / larger dt")
