"""Analytic LIF results: rheobase, firing rate under constant input, f-I curve."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from cortexkit.errors import ValidationError
from cortexkit.lif._params import LIFParams

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["rate", "rheobase", "fi_curve"]


def rheobase(params: LIFParams) -> float:
    """Smallest constant current (A) that makes the neuron fire, ``(V_th - E_L) / R``.

    Parameters
    ----------
    params : LIFParams
        The neuron.

    Returns
    -------
    float
        The rheobase in amperes.

    Examples
    --------
    >>> from cortexkit.lif import LIFParams, rheobase
    >>> round(rheobase(LIFParams()) * 1e12, 6)
    100.0
    """
    return params.rheobase


def rate(I: Any, params: LIFParams) -> np.ndarray | float:
    """Analytic firing rate (Hz) of the LIF neuron under constant input current ``I`` (A).

    With ``V_inf = E_L + R I``: 0 when ``V_inf <= V_th`` (below rheobase), otherwise
    ``1 / (t_ref + tau_m ln((V_inf - V_reset) / (V_inf - V_th)))`` — the time from reset
    to threshold plus the refractory period (continuous time, so the simulated rate
    approaches it as ``dt -> 0``).

    Parameters
    ----------
    I : float or array_like
        Constant input current(s) in amperes.
    params : LIFParams
        Neuron parameters (``dt`` and ``t_max`` are not used).

    Returns
    -------
    float or ndarray
        Rate(s) in Hz, same shape as ``I``.

    Examples
    --------
    >>> from cortexkit.lif import LIFParams, rate
    >>> p = LIFParams()
    >>> float(rate(0.9e-10, p)), round(float(rate(2e-10, p)), 3)  # rheobase: 100 pA
    (0.0, 45.512)
    >>> rate([0.0, 3e-10], LIFParams(t_ref=0.002)).round(2).tolist()
    [0.0, 63.04]
    """
    if not isinstance(params, LIFParams):
        raise ValidationError(f"params must be a LIFParams; got {type(params).__name__}",
                              param="params")
    try:
        arr = np.asarray(I, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValidationError(f"I must be a number or array of amperes; got {I!r}",
                              param="I") from None
    if not np.isfinite(arr).all():
        raise ValidationError("I contains NaN or inf; give finite currents in amperes", param="I")
    v_inf = params.E_L + params.R * arr
    above = v_inf > params.V_th
    with np.errstate(divide="ignore", invalid="ignore"):
        period = params.t_ref + params.tau_m * np.log(
            (v_inf - params.V_reset) / (v_inf - params.V_th))
        out = np.where(above, 1.0 / period, 0.0)
    return float(out) if out.ndim == 0 else out


def fi_curve(currents: Any, params: LIFParams, *, method: str = "exact") -> pd.DataFrame:
    """Simulated and analytic f-I curve: one neuron per current, run in one population.

    The simulated rate is ``1 / mean ISI`` (the steady-state rate; the first interval,
    which starts at ``E_L`` rather than ``V_reset``, is excluded); neurons with fewer
    than two spikes get ``count / t_max``.

    Parameters
    ----------
    currents : array_like
        Constant input currents (A).
    params : LIFParams
        Neuron and integration parameters (``t_max`` sets the simulated time).
    method : {"exact", "euler"}
        Integration scheme.

    Returns
    -------
    pandas.DataFrame
        Columns ``current``, ``rate_sim``, ``rate_analytic``, ``n_spikes``.

    Examples
    --------
    >>> from cortexkit.lif import LIFParams, fi_curve
    >>> df = fi_curve([1.5e-10, 3e-10], LIFParams(dt=1e-5, t_max=0.5))
    >>> (df.rate_sim / df.rate_analytic).round(2).tolist()
    [1.0, 1.0]
    """
    import pandas as pd

    from cortexkit.lif._simulate import simulate

    cur = np.atleast_1d(np.asarray(currents, dtype=np.float64))
    if cur.ndim != 1 or cur.size == 0:
        raise ValidationError(f"currents must be a non-empty 1-D array; got shape {cur.shape}",
                              param="currents")
    res = simulate(params, 0.0, cur.size, offset=cur, method=method, record_v=False)
    st = res.spikes
    counts = st.counts
    t, off = st.times, st.offsets
    # sum of ISIs of a unit = last - first spike; number of ISIs = count - 1
    has2 = counts >= 2
    first = t[np.minimum(off[:-1], max(t.size - 1, 0))] if t.size else np.zeros(cur.size)
    last = t[np.maximum(off[1:] - 1, 0)] if t.size else np.zeros(cur.size)
    with np.errstate(divide="ignore", invalid="ignore"):
        steady = np.where(has2, (counts - 1) / (last - first), counts / params.t_max)
    return pd.DataFrame({"current": cur, "rate_sim": steady,
                         "rate_analytic": rate(cur, params), "n_spikes": counts})
