"""Parameters of the leaky integrate-and-fire neuron (SI units)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from cortexkit.errors import ValidationError

__all__ = ["LIFParams"]


@dataclass(frozen=True)
class LIFParams:
    """Parameters of a leaky integrate-and-fire neuron, in SI units.

    ``tau_m * dV/dt = E_L - V + R * I``; when ``V > V_th`` the neuron spikes, V is reset
    to ``V_reset`` and held there for ``t_ref``. ``V_th=math.inf`` switches spiking off:
    the membrane then integrates its input freely (the "ODE integration without spikes"
    of the Neuromatch Python workshop, W0D1).

    Parameters
    ----------
    tau_m : float
        Membrane time constant in seconds (default 20 ms).
    E_L : float
        Leak (resting) potential in volts (default -60 mV).
    V_reset : float
        Reset potential in volts (default -70 mV).
    V_th : float
        Spike threshold in volts (default -50 mV); must exceed ``V_reset``. ``math.inf``
        (``float("inf")``): no spikes, a passive leaky membrane.
    R : float
        Membrane resistance in ohms (default 100 MOhm).
    dt : float
        Integration time step in seconds (default 1 ms).
    t_ref : float
        Absolute refractory period in seconds (default 0); rounded to whole steps.
    t_max : float
        Simulated duration in seconds (default 150 ms); at least one step.

    Raises
    ------
    ValidationError
        A parameter is not a finite number (``V_th`` may be ``+inf``), ``dt``, ``tau_m``
        or ``R`` is not positive,
        ``t_ref`` is negative, ``V_th <= V_reset`` or ``t_max < dt``.

    Examples
    --------
    >>> from cortexkit.lif import LIFParams
    >>> p = LIFParams(dt=1e-4)
    >>> p.n_steps, round(p.rheobase * 1e12, 6)  # rheobase in pA
    (1500, 100.0)
    """

    tau_m: float = 0.02
    E_L: float = -0.060
    V_reset: float = -0.070
    V_th: float = -0.050
    R: float = 1e8
    dt: float = 0.001
    t_ref: float = 0.0
    t_max: float = 0.150

    def __post_init__(self) -> None:
        for name in ("tau_m", "E_L", "V_reset", "V_th", "R", "dt", "t_ref", "t_max"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                try:
                    value = float(value)  # numpy scalars
                except (TypeError, ValueError):
                    raise ValidationError(
                        f"LIFParams.{name} must be a number in SI units, got {value!r}"
                    ) from None
                object.__setattr__(self, name, value)
            if not math.isfinite(value) and not (name == "V_th" and value == math.inf):
                hint = " (V_th may be inf: no spiking)" if name == "V_th" else ""
                raise ValidationError(f"LIFParams.{name} must be finite{hint}, got {value!r}")
            object.__setattr__(self, name, float(value))
        for name, unit in (("dt", "s"), ("tau_m", "s"), ("R", "ohm")):
            if getattr(self, name) <= 0:
                raise ValidationError(
                    f"LIFParams.{name} must be > 0 {unit}, got {getattr(self, name)!r}"
                )
        if self.t_ref < 0:
            raise ValidationError(f"LIFParams.t_ref must be >= 0 s, got {self.t_ref!r}")
        if self.V_th <= self.V_reset:
            raise ValidationError(
                f"LIFParams.V_th ({self.V_th!r} V) must be above V_reset ({self.V_reset!r} V); "
                "raise V_th or lower V_reset"
            )
        if self.t_max < self.dt:
            raise ValidationError(
                f"LIFParams.t_max ({self.t_max!r} s) must be at least one step dt ({self.dt!r} s)"
            )

    @property
    def spiking(self) -> bool:
        """False when ``V_th`` is infinite (a passive membrane that never spikes)."""
        return math.isfinite(self.V_th)

    @property
    def n_steps(self) -> int:
        """Number of integration steps, ``round(t_max / dt)``."""
        return int(round(self.t_max / self.dt))

    @property
    def ref_steps(self) -> int:
        """Refractory period in whole steps, ``round(t_ref / dt)``."""
        return int(round(self.t_ref / self.dt))

    @property
    def rheobase(self) -> float:
        """Smallest constant current (A) that makes the neuron fire: ``(V_th - E_L) / R``."""
        return (self.V_th - self.E_L) / self.R

    def times(self):
        """Step start times ``t_k = k * dt``, k = 0 .. n_steps - 1 (float64 array)."""
        import numpy as np

        return np.arange(self.n_steps, dtype=np.float64) * self.dt
