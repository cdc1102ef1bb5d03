"""Leaky integrate-and-fire neurons — ``ck.lif`` (mechanistic "how" models).

``simulate`` integrates one neuron or a population (compiled, parallel kernel; numba is
imported only when it runs), ``rate`` is the analytic firing rate under constant input,
``*_current`` build input currents and ``membrane_stats`` summarises V.
``run_input`` is the workflow of the CLI and the report: an input of a named kind
(:data:`INPUT_KINDS`), the simulation and its summary (:class:`InputRun`).
"""

from cortexkit.lif._analytic import fi_curve, rate, rheobase
from cortexkit.lif._currents import (
    constant_current,
    noise_current,
    ou_current,
    poisson_current,
    sine_current,
    uniform_noise_current,
)
from cortexkit.lif._params import LIFParams
from cortexkit.lif._run import DEFAULT_I_MEAN, INPUT_KINDS, InputRun, input_current, run_input
from cortexkit.lif._simulate import LIFResult, simulate, simulate_reference
from cortexkit.lif._stats import MembraneStats, isi_cv, membrane_stats

__all__ = [
    "LIFParams",
    "LIFResult",
    "simulate",
    "simulate_reference",
    "rate",
    "rheobase",
    "fi_curve",
    "sine_current",
    "constant_current",
    "noise_current",
    "uniform_noise_current",
    "ou_current",
    "poisson_current",
    "membrane_stats",
    "MembraneStats",
    "isi_cv",
    "INPUT_KINDS",
    "DEFAULT_I_MEAN",
    "InputRun",
    "input_current",
    "run_input",
]
