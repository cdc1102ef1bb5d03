"""Simulation of LIF neurons: :func:`simulate` (compiled) and its NumPy reference."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from cortexkit._lib._util import offsets_from_counts, unit_index
from cortexkit._lib.engine import choose
from cortexkit._lib.reprs import Summarized
from cortexkit._lib.validation import check_choice
from cortexkit.core import SpikeTrains, from_trusted_parts
from cortexkit.errors import ValidationError
from cortexkit.lif._params import LIFParams

__all__ = ["LIFResult", "simulate", "simulate_reference", "coefficients",
           "fires_once_per_block"]

_METHODS = ("exact", "euler")
_INPUT_AT = ("start", "end")
# below this many neurons per core, threads cost more than they save
_MIN_NEURONS_PER_THREAD = 256
# neurons per chunk (state in L1 cache) and steps per block of the kernels' time loop
_CHUNK = 512
_BLOCK = 32
# the fast path takes the longest of these blocks in which no neuron can fire twice
_ONCE_BLOCKS = (64, 32, 16)
# size of the per-thread block of noise samples (steps x neurons of the thread)
_NOISE_BLOCK_BYTES = 1 << 19


def _n_threads() -> int:
    """Cores to use: NUMBA_NUM_THREADS if set, else the CPUs available to this process."""
    import os

    env = os.environ.get("NUMBA_NUM_THREADS")
    if env and env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


@dataclass(frozen=True, repr=False)
class LIFResult(Summarized):
    """Result of :func:`simulate`.

    Attributes
    ----------
    t : ndarray, shape (steps,)
        Step start times ``t_k = k * dt`` (s).
    v : ndarray, shape (n_neurons, steps), or None
        Membrane potential at ``t_k`` (V), before the update of step k; None when not
        recorded. After a spike at ``t_{k+1}``, ``v[:, k + 1]`` is ``V_reset``.
    spikes : SpikeTrains
        Spike times of every neuron (unit ids ``0 .. n_neurons - 1``), ``t_start = 0``,
        ``t_stop = max(t_max, steps * dt)``.
    params : LIFParams
        The parameters used.
    current : ndarray, shape (steps,) or (n_neurons, steps)
        The deterministic input ``current[k]`` (without offset and noise), A.
    offset : ndarray, shape (n_neurons,)
        Per-neuron constant input (A).
    noise_sd : float
        Standard deviation of the white-noise current sample per step (A).
    method : str
        ``"exact"`` or ``"euler"``.
    input_at : str
        ``"start"`` (step k uses ``current[k]``) or ``"end"`` (step k uses
        ``current[k + 1]``, the Neuromatch W0D1 loops' convention); see :func:`simulate`.
    """

    t: np.ndarray
    v: np.ndarray | None
    spikes: SpikeTrains
    params: LIFParams
    current: np.ndarray
    offset: np.ndarray
    noise_sd: float
    method: str
    input_at: str = "start"

    @property
    def n_neurons(self) -> int:
        """Number of simulated neurons."""
        return self.spikes.n_units

    def _summary(self) -> list[tuple[str, Any]]:
        p = self.params
        n, steps = self.n_neurons, self.t.size
        rows: list[tuple[str, Any]] = [
            ("neurons", n), ("steps", steps), ("method", self.method),
            ("spikes", self.spikes.n_spikes),
            ("mean rate (Hz)", self.spikes.n_spikes / n / (steps * p.dt)),
            ("dt (s)", p.dt), ("t_max (s)", p.t_max), ("input_at", self.input_at),
            ("tau_m (s)", p.tau_m), ("V_th / V_reset (V)", (p.V_th, p.V_reset)),
            ("t_ref (s)", p.t_ref), ("noise_sd (A)", self.noise_sd)]
        if self.v is not None:
            rows.append(("V mean / min / max (V)", (float(self.v.mean()), float(self.v.min()),
                                                    float(self.v.max()))))
        else:
            rows.append(("V", "not recorded"))
        return rows


def _check_params(params: Any) -> LIFParams:
    if not isinstance(params, LIFParams):
        raise ValidationError(
            f"params must be a cortexkit.lif.LIFParams; got {type(params).__name__}; "
            "build one with LIFParams(dt=..., t_max=...)", param="params"
        )
    return params


def _check_input_at(input_at: Any, steps: int) -> bool:
    """True for the ``"end"`` convention (validated)."""
    if input_at not in _INPUT_AT:
        raise ValidationError(f"input_at must be 'start' or 'end'; got {input_at!r}",
                              param="input_at")
    if input_at == "end" and steps < 2:
        raise ValidationError("input_at='end' needs at least 2 steps (t_max >= 2 dt)")
    return input_at == "end"


def _end_convention(cur2: np.ndarray) -> np.ndarray:
    """Input of step k = sample k + 1; the last step (never recorded) repeats the last."""
    return np.ascontiguousarray(np.concatenate([cur2[:, 1:], cur2[:, -1:]], axis=1))


def _drop_last_step(times: np.ndarray, offsets: np.ndarray, steps: int, dt: float):
    """Remove spikes produced by the last step (at ``steps * dt``), for ``input_at="end"``."""
    keep = times < steps * dt  # kernels write (k + 1) * dt: only k = steps - 1 reaches it
    if keep.all():
        return times, offsets
    counts = np.bincount(unit_index(offsets)[keep], minlength=offsets.size - 1)
    return times[keep], offsets_from_counts(counts)


def _resolve_inputs(params, current, n_neurons, offset, noise_sd, method):
    """Validate everything and return (t, current 2-D view, current as given, offset)."""
    if isinstance(n_neurons, bool) or not isinstance(n_neurons, int | np.integer) \
            or n_neurons < 1:
        raise ValidationError(f"n_neurons must be a positive integer; got {n_neurons!r}",
                              param="n_neurons")
    n_neurons = int(n_neurons)
    check_choice("method", method, _METHODS)
    try:
        noise_sd = float(noise_sd)
    except (TypeError, ValueError):
        raise ValidationError(f"noise_sd must be a number (A); got {noise_sd!r}",
                              param="noise_sd") from None
    if not math.isfinite(noise_sd) or noise_sd < 0:
        raise ValidationError(f"noise_sd must be finite and >= 0 (A); got {noise_sd!r}",
                              param="noise_sd")
    steps = params.n_steps
    t = params.times()
    if callable(current):
        current = current(t)
        where = "current(t) (the callable's result)"
    else:
        where = "current"
    try:
        cur = np.asarray(current, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValidationError(
            f"{where} must be a number or an array of amperes, got {type(current).__name__}"
        ) from None
    if cur.ndim == 0:
        cur = np.full(steps, float(cur))
    ok = (cur.ndim == 1 and cur.shape[0] == steps) or \
         (cur.ndim == 2 and cur.shape == (n_neurons, steps))
    if not ok:
        raise ValidationError(
            f"{where} has shape {cur.shape}; expected a number, ({steps},) = (steps,) or "
            f"({n_neurons}, {steps}) = (n_neurons, steps) with steps = round(t_max/dt)"
        )
    if not np.isfinite(cur).all():
        bad = np.flatnonzero(~np.isfinite(cur.ravel()))[0]
        raise ValidationError(
            f"{where} contains {int((~np.isfinite(cur)).sum())} non-finite values "
            f"(NaN or inf), first at flat index {int(bad)}; give finite amperes"
        )
    if offset is None:
        off = np.zeros(n_neurons)
    else:
        off = np.asarray(offset, dtype=np.float64)
        if off.ndim == 0:
            off = np.full(n_neurons, float(off))
        if off.shape != (n_neurons,):
            raise ValidationError(
                f"offset has shape {off.shape}; expected ({n_neurons},) = (n_neurons,) "
                "or a number", param="offset"
            )
        if not np.isfinite(off).all():
            raise ValidationError("offset contains NaN or inf; give finite amperes", param="offset")
    cur2 = cur.reshape(1, steps) if cur.ndim == 1 else cur
    return t, np.ascontiguousarray(cur2), cur, np.ascontiguousarray(off), noise_sd, n_neurons


def coefficients(params: LIFParams, method: str) -> tuple[float, float, float]:
    """``(c1, c0, ci)`` of the one-step update ``V <- c1 V + c0 + ci I``.

    exact: ``c1 = exp(-dt/tau_m)``, ``c0 = (1 - c1) E_L``, ``ci = (1 - c1) R`` — the
    algebraic form of ``V_inf + (V - V_inf) exp(-dt/tau_m)`` with ``V_inf = E_L + R I``;
    euler: ``c1 = 1 - dt/tau_m``, ``c0 = dt/tau_m E_L``, ``ci = dt/tau_m R``. The kernel
    evaluates ``c1 V + ((ci current[k] + (c0 + ci offset[i])) + ci noise_sd xi)``; the
    NumPy reference uses the same order of operations, so they agree bit for bit.
    """
    if method == "exact":
        c1 = math.exp(-params.dt / params.tau_m)
        a = -math.expm1(-params.dt / params.tau_m)
    else:
        a = params.dt / params.tau_m
        c1 = 1.0 - a
    return c1, a * params.E_L, a * params.R


def fires_once_per_block(cur: np.ndarray, off: np.ndarray, params: LIFParams, method: str,
                         block: int) -> bool:
    """True if no neuron can fire twice within ``block`` steps (shared input, no noise).

    After a spike a neuron is held ``ref_steps`` steps, then climbs from ``V_reset``. The
    trajectory ``u <- c1 u + D`` under the largest drive ``D = max_k (ci cur[k]) +
    max_i (c0 + ci offset[i])``, evaluated in the kernel's own floating-point operations,
    bounds every neuron's from above: rounded addition, and multiplication by ``c1 > 0``,
    are monotone. If ``u`` stays at or below threshold for ``block - ref_steps - 1``
    steps, two spikes of one neuron are at least ``block`` steps apart.
    """
    c1, c0, ci = coefficients(params, method)
    if c1 <= 0.0:
        return False
    # ci > 0 and rounding is monotone: max(ci * x) == ci * max(x), with no temporary
    d = ci * float(cur.max()) + float((c0 + ci * off).max())
    u = params.V_reset
    for _ in range(block - params.ref_steps - 1):
        u = c1 * u + d
        if u > params.V_th:
            return False
    return True


def _group_spikes(spk_i, spk_k, n, dt):
    """Flat spike times grouped by neuron (stable: times stay sorted) and offsets.

    A least-significant-digit radix sort on 16-bit digits (NumPy's stable argsort of
    uint16 keys is a radix sort), linear in the number of spikes.
    """
    spk_i = np.asarray(spk_i, dtype=np.int64)
    order = np.argsort((spk_i & 0xFFFF).astype(np.uint16), kind="stable")
    if n > 0x10000:
        high = (spk_i[order] >> 16).astype(np.uint16)
        order = order[np.argsort(high, kind="stable")]
    offsets = offsets_from_counts(np.bincount(spk_i, minlength=n))
    return (spk_k[order].astype(np.int64) + 1) * dt, offsets


def _spike_trains(times, offsets, params, checked=False):
    """SpikeTrains of neurons ``0 .. n-1`` over ``[0, max(t_max, steps * dt))``.

    ``checked``: the times come from the kernels (sorted, at most one spike per neuron
    and step), so validation is skipped.
    """
    t_stop = max(params.t_max, params.n_steps * params.dt)
    if checked:
        return from_trusted_parts(times, offsets, np.arange(offsets.size - 1), 0.0, t_stop,
                                  n_duplicates=0)
    return SpikeTrains(times, offsets, t_start=0.0, t_stop=t_stop)


def simulate(
    params: LIFParams,
    current: float | np.ndarray | Callable[[np.ndarray], Any],
    n_neurons: int = 1,
    *,
    offset: Any = None,
    noise_sd: float = 0.0,
    method: str = "exact",
    record_v: bool = True,
    seed: int | np.random.Generator | None = None,
    input_at: str = "start",
    engine: str = "auto",
) -> LIFResult:
    """Simulate ``n_neurons`` leaky integrate-and-fire neurons.

    ``tau_m dV/dt = E_L - V + R I``. The input of neuron i at step k is
    ``current[k] + offset[i] + noise_sd * xi[i, k]`` with ``xi`` standard Gaussian white
    noise drawn inside the time loop (never stored as an n_neurons x steps array). Steps
    ``k = 0 .. round(t_max/dt) - 1`` start at ``t_k = k dt``; V starts at ``E_L``. Each
    step integrates with the input at ``t_k`` (``"exact"``: ``V = V_inf + (V - V_inf)
    exp(-dt/tau_m)`` with ``V_inf = E_L + R I``; ``"euler"``: ``V += dt/tau_m (E_L - V +
    R I)``; both evaluated in the equivalent affine form of :func:`coefficients`); a
    neuron with ``V > V_th`` then spikes at ``t_{k+1}``, is reset to ``V_reset`` and
    held there for ``t_ref`` (rounded to whole steps).

    Runs a compiled kernel (numba, one range of neurons per core, GIL released); the
    first call in a fresh environment compiles it (about 2-5 s, cached on disk after).

    Parameters
    ----------
    params : LIFParams
        Neuron and integration parameters.
    current : float, array or callable
        Deterministic input (A): a number, shape (steps,) shared by all neurons, shape
        (n_neurons, steps), or a callable ``f(t)`` of the step-time array returning one
        of these.
    n_neurons : int, default 1
        Number of independent neurons.
    offset : float or array of shape (n_neurons,), optional
        Constant per-neuron input added to ``current`` (A).
    noise_sd : float, default 0
        Standard deviation of the Gaussian current sample at each step (A).
    method : {"exact", "euler"}
        Integration scheme.
    record_v : bool, default True
        Keep the membrane potential (n_neurons x steps float64). Turn off for large
        populations: memory then grows with neurons and spikes only.
    seed : int, Generator or None
        Seed of the noise. The noise of neuron i at step k depends only on the seed,
        i and k, so results are identical on any number of threads.
    input_at : {"start", "end"}, default "start"
        Which input sample drives the step from ``t_k`` to ``t_{k+1}``: ``"start"`` uses
        ``current[k]`` (the input at ``t_k``, SPEC 4); ``"end"`` uses ``current[k + 1]``,
        the convention of the Neuromatch Python workshop (W0D1) array loops
        ``v[:, k] = v[:, k-1] + dt/tau * (el - v[:, k-1] + r * i[:, k])``, whose
        ``current[0]`` is never used. With ``"end"`` only ``steps - 1`` updates happen
        (the last step has no next sample), so spikes fall at ``t_1 .. t_{steps-1}``;
        ``v`` has the same shape and meaning in both. ``simulate(params, i, n,
        method="euler", input_at="end")`` reproduces the tutorial's ``v_n`` to rounding.
    engine : {"auto", "numba", "numpy"}, default "auto"
        ``"numba"`` (what ``"auto"`` picks): the compiled kernels. ``"numpy"``: the
        reference :func:`simulate_reference` (a vectorized time loop; same spikes and
        potentials, much slower). ``method`` is the integration scheme, not the engine.

    Returns
    -------
    LIFResult
        ``t``, ``v`` (or None), ``spikes`` (SpikeTrains), parameters and inputs.

    Raises
    ------
    ValidationError
        Wrong ``params`` type, wrong ``current`` / ``offset`` shape, non-finite input,
        negative ``noise_sd``, unknown ``method`` or ``engine``, bad ``seed``.

    Notes
    -----
    With input shared by all neurons and no noise, ``simulate`` first checks that no
    neuron can fire twice within a block of 64 (else 32, 16) steps, from a bound on the
    largest drive; it then takes a path that keeps only each neuron's last spike step per
    block. Otherwise (noise, one input row per neuron, very high rates) the kernel also
    counts spikes and replays the rare neuron that fired twice in a block. Both give the
    spikes of :func:`simulate_reference` exactly. On CPUs with AVX-512 the kernels use
    512-bit vectors (set per function; nothing changes for other numba code).

    Examples
    --------
    >>> import cortexkit as ck
    >>> p = ck.lif.LIFParams(dt=1e-4, t_max=1.0)
    >>> res = ck.lif.simulate(p, 2e-10, record_v=False)
    >>> int(res.spikes.counts[0]), round(float(ck.lif.rate(2e-10, p)), 2)
    (45, 45.51)
    """
    params = _check_params(params)
    if choose("lif.simulate", 0, engine) == "numpy":
        return simulate_reference(params, current, n_neurons, offset=offset,
                                  noise_sd=noise_sd, method=method, record_v=record_v,
                                  seed=seed, input_at=input_at)
    t, cur2, cur, off, noise_sd, n = _resolve_inputs(params, current, n_neurons, offset,
                                                     noise_sd, method)
    end = _check_input_at(input_at, params.n_steps)
    if end:
        cur2 = _end_convention(cur2)
    from cortexkit.lif import _kernels
    from cortexkit.lif._rng import seed_keys, ziggurat_tables
    from cortexkit.lif._vector_width import call

    steps = params.n_steps
    n_parts = max(1, min(_n_threads(), n // _MIN_NEURONS_PER_THREAD))
    bounds = np.linspace(0, n, n_parts + 1).round().astype(np.int64)
    v_rec = np.empty((n, steps)) if record_v else np.empty((0, 0))
    c1, c0, ci = coefficients(params, method)
    once = 0  # block length of the fast path, 0 if it cannot be used
    if noise_sd == 0 and cur2.shape[0] == 1:
        once = next((b for b in _ONCE_BLOCKS
                     if fires_once_per_block(cur2, off, params, method, b)), 0)
    upd = _kernels.Update(float(c1), float(c0), float(ci), float(params.V_reset),
                          float(params.V_th), int(params.ref_steps))
    grid = _kernels.Grid(int(min(_CHUNK, n)), int(min(steps, once or _BLOCK)), float(params.dt))
    rec = _kernels.Record(bool(record_v), v_rec)
    if not once:
        keys = [np.uint64(x) for x in seed_keys(seed)] if noise_sd > 0 else [np.uint64(0)] * 2
        tables = ziggurat_tables()

    def run(i0: int, i1: int):
        """Spike times of neurons i0..i1-1 grouped by neuron, and their offsets."""
        m = i1 - i0
        state = _kernels.State(np.full(m, params.E_L), np.full(m, -np.inf))  # V, last spike
        if once:
            return call(_kernels.simulate_once, i0, i1, cur2, off, state, upd, grid, rec)
        block = int(max(1, min(steps, _NOISE_BLOCK_BYTES // (8 * m)))) if noise_sd else steps
        noise = _kernels.Noise(float(ci * noise_sd), block, keys[0], keys[1], *tables)
        return call(_kernels.simulate_range, i0, i1, n, cur2, off, state, upd, grid, rec,
                    noise)

    if n_parts == 1:
        parts = [run(0, n)]
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=n_parts - 1) as pool:
            futures = [pool.submit(run, int(bounds[j]), int(bounds[j + 1]))
                       for j in range(1, n_parts)]
            parts = [run(0, int(bounds[1]))]  # the calling thread takes the first range
            parts += [f.result() for f in futures]
    times = np.concatenate([p[0] for p in parts])
    offsets = offsets_from_counts(np.concatenate([np.diff(p[1]) for p in parts]))
    if end:
        times, offsets = _drop_last_step(times, offsets, steps, params.dt)
    return LIFResult(t=t, v=v_rec if record_v else None,
                     spikes=_spike_trains(times, offsets, params, checked=True), params=params,
                     current=cur, offset=off, noise_sd=noise_sd, method=method,
                     input_at=input_at)


def simulate_reference(
    params: LIFParams,
    current: Any,
    n_neurons: int = 1,
    *,
    offset: Any = None,
    noise_sd: float = 0.0,
    method: str = "exact",
    record_v: bool = True,
    seed: int | np.random.Generator | None = None,
    input_at: str = "start",
) -> LIFResult:
    """Plain NumPy version of :func:`simulate` (vectorized over neurons, loop over time).

    Same arguments, same semantics and the same noise numbers; kept as the reference
    the compiled kernel is tested against. Slow with noise (its rare ziggurat
    rejections are handled in pure Python).

    Parameters
    ----------
    params : LIFParams
        Neuron parameters and time grid.
    current : float, array_like or callable
        Deterministic input (A), as in :func:`simulate`.
    n_neurons : int, default 1
        Neurons simulated.
    offset : array_like, optional
        Per-neuron constant input (A).
    noise_sd : float, default 0.0
        Standard deviation of the white-noise current per step (A).
    method : {"exact", "euler"}
        Integration of each step.
    record_v : bool, default True
        Keep V of every step.
    seed : int, Generator or None
        Seed of the noise.
    input_at : str, default "start"
        Where in a step the input is sampled, as in :func:`simulate`.

    Returns
    -------
    LIFResult
        Equal to :func:`simulate`'s result for the same arguments.

    Examples
    --------
    >>> import cortexkit as ck
    >>> p = ck.lif.LIFParams(dt=1e-4, t_max=1.0)
    >>> int(ck.lif.simulate_reference(p, 2e-10).spikes.counts[0])
    45
    """
    from cortexkit.lif._rng import normals_np, seed_keys, ziggurat_tables

    params = _check_params(params)
    t, cur2, cur, off, noise_sd, n = _resolve_inputs(params, current, n_neurons, offset,
                                                     noise_sd, method)
    steps = params.n_steps
    if _check_input_at(input_at, steps):
        cur2 = _end_convention(cur2)
    key, key2 = seed_keys(seed) if noise_sd > 0 else (0, 0)
    tables = ziggurat_tables()
    c1, c0, ci = coefficients(params, method)
    cn = ci * noise_sd
    g = c0 + ci * off
    V_th = params.V_th
    v = np.full(n, params.E_L)
    ref = np.zeros(n, dtype=np.int64)
    v_rec = np.empty((n, steps)) if record_v else None
    idx = np.arange(n, dtype=np.uint64)
    spk_i, spk_k = [], []
    for k in range(steps):
        if v_rec is not None:
            v_rec[:, k] = v
        d = ci * (cur2[0, k] if cur2.shape[0] == 1 else cur2[:, k]) + g
        if noise_sd > 0:
            d = d + cn * normals_np(key, key2, np.uint64(k * n) + idx, tables)
        v = np.where(ref == 0, c1 * v + d, v)
        ref = np.where(ref > 0, ref - 1, 0)
        fired = np.flatnonzero(v > V_th)
        if fired.size:
            v[fired] = params.V_reset
            ref[fired] = params.ref_steps
            spk_i.append(fired)
            spk_k.append(np.full(fired.size, k))
    ii = np.concatenate(spk_i) if spk_i else np.zeros(0, dtype=np.int64)
    kk = np.concatenate(spk_k) if spk_k else np.zeros(0, dtype=np.int64)
    times, offsets = _group_spikes(ii, kk, n, params.dt)
    if input_at == "end":
        times, offsets = _drop_last_step(times, offsets, steps, params.dt)
    return LIFResult(t=t, v=v_rec, spikes=_spike_trains(times, offsets, params), params=params,
                     current=cur, offset=off, noise_sd=noise_sd, method=method,
                     input_at=input_at)
