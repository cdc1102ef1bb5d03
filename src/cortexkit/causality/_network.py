"""The simulated network: connectivity, dynamics with perturbation protocols, the 2-neuron RCT.

Model (row i = effect, column j = cause)::

    x[t+1] = sigmoid(A @ x[t] + eps[t]),   eps[t] ~ N(0, I),   x[0] = 0

Perturbation protocols clamp neurons on the even steps t = 0, 2, 4, ...: ``x[t]`` of the
clamped neurons is replaced by a random 0/1 pattern and ``x[t+1]`` is its outcome.

Performance design
------------------
* ``perturb="all"``: every even column is a fresh random pattern, so every odd column
  ``x[t+1] = sigmoid(A @ x[t] + eps)`` depends only on its own clamp pattern.  All outcomes
  come from one matrix product ``A @ X_clamped`` (done in column chunks to bound memory) —
  no time loop at all.
* The other protocols need the past, so they loop over steps with one matrix-vector product
  per step into a preallocated time-major buffer (each step's column is contiguous), an
  in-place sigmoid and noise drawn in ``(chunk, n)`` blocks.  This path is the same code
  whether or not the batched path exists, so it is not slowed down by it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import numpy as np
from scipy.special import expit

from cortexkit._lib import reprs
from cortexkit._lib.memory import check_alloc
from cortexkit._lib.validation import check_choice
from cortexkit.causality._moments import ClampMoments, MomentAccumulator
from cortexkit.errors import ValidationError

__all__ = ["NetworkRun", "make_connectivity", "simulate", "rct_two_neurons"]

PROTOCOLS = (None, "all", "units", "fraction")
_CHUNK = 4096  # time steps of noise (and of batched outcomes) drawn/computed at once


@dataclass(frozen=True, eq=False)
class NetworkRun:
    """Result of :func:`simulate` (all arrays read-only).

    Attributes
    ----------
    activity : ndarray, shape (n_neurons, timesteps)
        ``activity[:, t] = x[t]``; column 0 is ``x[0]``.  Stored time-major in memory
        (Fortran order), so one time step is contiguous.
    clamped : ndarray of bool, same shape
        True where a neuron was clamped to a random 0/1 value at that step.
    A : ndarray, shape (n_neurons, n_neurons)
        The connectivity that generated the run (a copy).
    perturb : str or None
        The protocol used (``None``, ``"all"``, ``"units"`` or ``"fraction"``).
    moments : ClampMoments or None
        Only for ``simulate(..., record="moments")``: the sums over the clamped
        transitions that the perturbation estimators need; ``activity`` and ``clamped``
        are None then.
    """

    activity: np.ndarray | None
    clamped: np.ndarray | None
    A: np.ndarray
    perturb: str | None = None
    moments: ClampMoments | None = None
    steps: int | None = None

    @property
    def n_neurons(self) -> int:
        """Number of neurons."""
        return int(self.A.shape[0])

    @property
    def timesteps(self) -> int:
        """Number of time steps (columns of ``activity``)."""
        return (int(self.activity.shape[1]) if self.activity is not None
                else int(cast(int, self.steps)))

    def __repr__(self) -> str:
        if self.activity is None:
            return (f"NetworkRun(n_neurons={self.n_neurons}, timesteps={self.timesteps}, "
                    f"perturb={self.perturb!r}, record='moments')")
        return (f"NetworkRun(n_neurons={self.n_neurons}, timesteps={self.timesteps}, "
                f"perturb={self.perturb!r}, "
                f"clamped_fraction={cast(np.ndarray, self.clamped).mean():.3g})")

    def _repr_html_(self) -> str:
        off = ~np.eye(self.n_neurons, dtype=bool)
        if self.activity is None or self.clamped is None:  # record="moments"
            return reprs.html("NetworkRun", [
                ("neurons", self.n_neurons), ("time steps", self.timesteps),
                ("perturbation", self.perturb or "none"), ("recorded", "clamp moments"),
                ("connections (off-diagonal)", int(np.count_nonzero(self.A[off])))])
        return reprs.html("NetworkRun", [
            ("neurons", self.n_neurons), ("time steps", self.timesteps),
            ("perturbation", self.perturb or "none"),
            ("clamped fraction", float(self.clamped.mean())),
            ("mean activity", float(self.activity.mean())),
            ("connections (off-diagonal)", int(np.count_nonzero(self.A[off]))),
            ("activity dtype", str(self.activity.dtype))])


def make_connectivity(n_neurons: int, p: float = 0.1,
                      seed: int | np.random.Generator | None = None) -> np.ndarray:
    """Random 0/1 connectivity of density ~``p``, scaled to be stable.

    Each entry (self-connections included) is 1 with probability ``p``; the matrix is
    divided by ``1.01 * largest singular value`` so every singular value (hence every
    eigenvalue) is below 1.  An all-zero draw is redrawn.

    Parameters
    ----------
    n_neurons : int
        Number of neurons (>= 1).
    p : float
        Connection probability in (0, 1].
    seed : int, Generator or None
        Random seed; the same seed gives the same matrix.

    Returns
    -------
    ndarray, shape (n_neurons, n_neurons)
        ``A[i, j]`` is the weight from neuron j (cause) to neuron i (effect).

    Examples
    --------
    >>> import numpy as np
    >>> from cortexkit.causality import make_connectivity
    >>> A = make_connectivity(6, p=0.3, seed=0)
    >>> bool(np.linalg.norm(A, 2) < 1)
    True
    """
    n = _check_int(n_neurons, "n_neurons", 1)
    check_alloc("n_neurons", 24.0 * n * n, f"a {n:,} x {n:,} connectivity matrix",
                "use fewer neurons")
    p = float(p)
    if not 0.0 < p <= 1.0:
        raise ValidationError(f"p must be a connection probability in (0, 1]; got {p!r}", param="p")
    rng = np.random.default_rng(seed)
    while True:
        A = (rng.random((n, n)) < p).astype(np.float64)
        if A.any():
            break
    A /= 1.01 * np.linalg.norm(A, 2)
    return A


def simulate(A: Any, timesteps: int, perturb: str | None = None, units: Any = None,
             fraction: float | None = None, seed: int | np.random.Generator | None = None,
             dtype: Any = np.float64, record: str = "activity") -> NetworkRun:
    """Simulate ``x[t+1] = sigmoid(A x[t] + eps)`` with an optional perturbation protocol.

    Parameters
    ----------
    A : array_like, shape (n, n)
        Connectivity (row = effect, column = cause) with spectral radius < 1.
    timesteps : int
        Number of time steps T >= 2 (including ``x[0] = 0``).
    perturb : {None, "all", "units", "fraction"}
        ``None``: no intervention.  ``"all"``: on every even step every neuron is clamped
        to a random 0/1.  ``"units"``: only the neurons in ``units`` are clamped (on every
        even step).  ``"fraction"``: on every even step a fresh random subset of
        ``round(fraction * n)`` neurons (at least one) is clamped.
    units : sequence of int, optional
        Neuron indices clamped by ``perturb="units"``.
    fraction : float, optional
        Fraction in (0, 1] of neurons clamped per even step by ``perturb="fraction"``.
    seed : int, Generator or None
        Random seed (noise, clamp patterns, random subsets).
    dtype : {np.float64, np.float32}
        Precision of the simulation and of ``activity`` (and of the matrix products
        behind ``record="moments"``; their sums are kept in float64).
    record : {"activity", "moments"}
        ``"activity"`` (default): store the full activity and clamp mask.  ``"moments"``
        (all-clamped protocol only): store only the sums over the clamped transitions
        that ``estimate(run, "perturbation")`` and ``"perturbation_corr"`` need (an
        n x n matrix and three vectors, see :class:`ClampMoments`), accumulated while
        simulating; ``activity`` and ``clamped`` are None and the other estimators
        refuse such a run.  Same random stream, so the same estimates as a full run.

    Returns
    -------
    NetworkRun
        ``activity`` (n x T), ``clamped`` (bool, n x T) and ``A``.

    Examples
    --------
    >>> from cortexkit.causality import make_connectivity, simulate
    >>> run = simulate(make_connectivity(5, p=0.3, seed=1), 100, perturb="all", seed=2)
    >>> run.activity.shape, bool(run.clamped[:, ::2].all())
    ((5, 100), True)
    """
    A = check_connectivity(A)
    n = A.shape[0]
    T = _check_int(timesteps, "timesteps", 2)
    check_alloc("timesteps", 16.0 * T * max(int(np.shape(A)[0]), 1),
                f"{T:,} time steps of {int(np.shape(A)[0]):,} neurons",
                "simulate fewer time steps or neurons")
    dt = np.dtype(dtype)
    if dt not in (np.dtype(np.float64), np.dtype(np.float32)):
        raise ValidationError(f"dtype must be np.float64 or np.float32; got {dtype!r}",
                              param="dtype")
    check_choice("perturb", perturb, PROTOCOLS)
    unit_idx = None
    n_frac = 0
    perturb_mode: str | None
    if perturb == "units":
        if units is None:
            raise ValidationError("perturb='units' needs units=[indices of clamped neurons]")
        unit_idx = check_indices(units, n, "units")
        if unit_idx.size == n:
            perturb_mode = "all"
        else:
            perturb_mode = "units"
    elif perturb == "fraction":
        if fraction is None:
            raise ValidationError("perturb='fraction' needs fraction= in (0, 1]")
        f = check_fraction(fraction, "fraction")
        n_frac = max(1, int(round(f * n)))
        perturb_mode = "all" if n_frac == n else "fraction"
    else:
        if units is not None or fraction is not None:
            raise ValidationError(
                f"units= and fraction= only apply to perturb='units' / 'fraction', "
                f"got perturb={perturb!r}")
        perturb_mode = perturb
    check_choice("record", record, ("activity", "moments"))
    if record == "moments" and perturb_mode != "all":
        raise ValidationError(
            "record='moments' needs the all-clamped protocol (perturb='all', or 'units' / "
            f"'fraction' covering every neuron); got perturb={perturb!r}: use "
            "record='activity'", param="record")
    rng = np.random.default_rng(seed)
    Ad = A.astype(dt, copy=False)
    if record == "moments":
        moments = _simulate_all(Ad, T, rng, moments=True)
        A.setflags(write=False)
        return NetworkRun(activity=None, clamped=None, A=A, perturb=perturb, moments=moments,
                          steps=T)
    if perturb_mode == "all":
        buf, mask = _simulate_all(Ad, T, rng)
    else:
        buf, mask = _simulate_loop(Ad, T, rng, perturb_mode, unit_idx, n_frac)
    activity, clamped = buf.T, mask.T
    for arr in (activity, clamped, A):
        arr.setflags(write=False)
    return NetworkRun(activity=activity, clamped=clamped, A=A, perturb=perturb)


def _simulate_all(A: np.ndarray, T: int, rng: np.random.Generator, moments: bool = False):
    """All neurons clamped on even steps: outcomes by chunked matrix products, no time loop.

    The patterns are written straight into the even rows of the time-major buffer and the
    product writes the odd rows (strided views that BLAS takes with a leading dimension
    of ``2 n``), so no chunk is copied.  ``moments=True``: nothing is stored; the chunks'
    clamp moments are accumulated instead (one more product per chunk) and returned as a
    :class:`ClampMoments`.
    """
    n = A.shape[0]
    dt = A.dtype
    n_even = (T + 1) // 2
    if moments:
        acc = MomentAccumulator(n, n)
        work = np.empty((2 * min(_CHUNK // 2, n_even), n), dtype=dt)
    else:
        buf = np.empty((T, n), dtype=dt)          # time-major: buf[t] = x[t]
        mask = np.zeros((T, n), dtype=bool)
        mask[0::2] = True
    odd_per_chunk = _CHUNK // 2
    AT = A.T
    for start in range(0, n_even, odd_per_chunk):
        k = min(odd_per_chunk, n_even - start)
        t0 = 2 * start
        rows = work[: 2 * k] if moments else buf[t0:t0 + 2 * k]
        pattern = rows[0::2]                        # x[t0], x[t0 + 2], ...
        pattern[...] = rng.integers(0, 2, size=(k, n), dtype=np.int8)
        k_out = min(k, (T - 1 - t0 + 1) // 2)        # even steps t with t + 1 < T
        if k_out == 0:
            continue
        drive = rows[1:2 * k_out:2]                  # x[t0 + 1], x[t0 + 3], ...
        np.matmul(pattern[:k_out], AT, out=drive)     # rows: (A @ x[t]).T
        drive += rng.standard_normal(drive.shape, dtype=dt)
        _sigmoid_inplace(drive)
        if moments:
            acc.add(pattern[:k_out], drive)
    if moments:
        return acc.result()
    return buf, mask


def _sigmoid_inplace(x: np.ndarray) -> None:
    """``x <- 1 / (1 + exp(-x))``: SciPy's ``expit`` in float64; in float32 as
    ``0.5 tanh(x / 2) + 0.5`` (NumPy's SIMD tanh, ~8x faster than float32 ``expit``; the
    same values to float32 rounding, ~3e-8 absolute)."""
    if x.dtype == np.float32:
        x *= 0.5
        np.tanh(x, out=x)
        x *= 0.5
        x += 0.5
    else:
        expit(x, out=x)


def _simulate_loop(A: np.ndarray, T: int, rng: np.random.Generator, mode: str | None,
                   unit_idx: np.ndarray | None, n_frac: int):
    """One matrix-vector product per step into a preallocated time-major buffer."""
    n = A.shape[0]
    dt = A.dtype
    buf = np.empty((T, n), dtype=dt)
    mask = np.zeros((T, n), dtype=bool)
    buf[0] = 0.0
    if mode == "units":
        mask[0::2, unit_idx] = True
    dot = np.dot
    for start in range(0, T - 1, _CHUNK):          # start is even (_CHUNK is even)
        stop = min(start + _CHUNK, T - 1)
        noise = rng.standard_normal((stop - start, n), dtype=dt)
        if mode == "fraction":
            mask[start:stop:2] = _random_subsets(rng, len(range(start, stop, 2)), n, n_frac)
        if mode is not None:
            clamp_block = mask[start:stop]
            values = rng.integers(0, 2, size=(stop - start, n), dtype=np.int8).astype(dt)
        for t in range(start, stop):
            x, nxt = buf[t], buf[t + 1]
            if mode is not None and not (t & 1):
                m = clamp_block[t - start]
                x[m] = values[t - start, m]
            dot(A, x, out=nxt)
            nxt += noise[t - start]
            expit(nxt, out=nxt)
    if mode is not None and not ((T - 1) & 1):   # clamp on the last (even) step too
        if mode == "fraction":
            mask[T - 1] = _random_subsets(rng, 1, n, n_frac)[0]
        m = mask[T - 1]
        buf[T - 1, m] = rng.integers(0, 2, size=int(m.sum())).astype(dt)
    return buf, mask


def _random_subsets(rng: np.random.Generator, rows: int, n: int, k: int) -> np.ndarray:
    """Boolean (rows, n) with k random True per row (the k smallest of n uniform keys)."""
    out = np.zeros((rows, n), dtype=bool)
    chosen = np.argpartition(rng.random((rows, n)), k - 1, axis=1)[:, :k]
    np.put_along_axis(out, chosen, True, axis=1)
    return out


def rct_two_neurons(n_trials: int, seed: int | np.random.Generator | None = None) -> float:
    """The two-neuron randomized controlled trial.

    Neuron A is set to 1 in ``n_trials`` trials and to 0 in ``n_trials`` trials (random
    order); neuron B = A + standard normal noise.  The difference in means of B between
    the two arms estimates the causal effect of A on B (true value 1).

    Parameters
    ----------
    n_trials : int
        Trials per arm (>= 1).
    seed : int, Generator or None
        Random seed.

    Returns
    -------
    float
        Estimated causal effect (standard error ``sqrt(2 / n_trials)``).

    Examples
    --------
    >>> from cortexkit.causality import rct_two_neurons
    >>> abs(rct_two_neurons(5000, seed=0) - 1) < 0.1
    True
    """
    n = _check_int(n_trials, "n_trials", 1)
    rng = np.random.default_rng(seed)
    a = rng.permutation(np.repeat([0.0, 1.0], n))
    b = a + rng.standard_normal(a.size)
    return float(b[a == 1].mean() - b[a == 0].mean())


# --- validation shared by the package -------------------------------------------------

def check_connectivity(A: Any) -> np.ndarray:
    """A float64 copy of ``A`` after checking it is square, finite and stable."""
    try:
        arr = np.array(A, dtype=np.float64, copy=True)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"A must be a numeric (n, n) matrix: {exc}", param="A") from exc
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or arr.shape[0] == 0:
        raise ValidationError(
            f"A must be a square (n, n) connectivity matrix; got shape {arr.shape}", param="A")
    if not np.isfinite(arr).all():
        raise ValidationError("A contains NaN or inf; give finite connection weights", param="A")
    radius = _spectral_radius(arr)
    if radius >= 1.0:
        raise ValidationError(
            f"A is unstable: its largest |eigenvalue| is {radius:.4g} >= 1; scale it down, "
            "e.g. A / (1.01 * np.linalg.norm(A, 2)) as make_connectivity does", param="A")
    return arr


def _spectral_radius(A: np.ndarray) -> float:
    """The spectral radius, or an upper bound on it that is already below 1.

    Cheap rigorous bounds first: rho(A) <= rho(|A|) <= max_i (|A| v)_i / v_i for any
    positive v (Collatz-Wielandt), with v refined by a few power iterations (30 mat-vecs
    instead of an O(n^3) decomposition for a 1000-neuron network); then the largest
    singular value; only then the eigenvalues.
    """
    B = np.abs(A)
    v = np.ones(A.shape[0])
    best = np.inf
    for _ in range(30):
        w = B @ v
        best = min(best, float((w / v).max()))
        if best < 1.0:
            return best
        v = w + 1e-3 * w.mean() + 1e-300     # keep v strictly positive
        v /= v.max()
    sigma = float(np.linalg.norm(A, 2))
    if sigma < 1.0:
        return sigma
    return float(np.abs(np.linalg.eigvals(A)).max())


def check_indices(idx: Any, n: int, name: str) -> np.ndarray:
    """Sorted unique int indices into ``range(n)`` (non-empty)."""
    arr = np.asarray(idx)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.size == 0 or arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer):
        raise ValidationError(
            f"{name} must be a non-empty 1-D sequence of neuron indices, got {idx!r}", param=name)
    if arr.min() < 0 or arr.max() >= n:
        raise ValidationError(
            f"{name} must hold neuron indices in [0, {n - 1}], got values "
            f"{arr.min()}..{arr.max()}", param=name)
    out = np.unique(arr)
    if out.size != arr.size:
        raise ValidationError(f"{name} contains repeated neuron indices: {idx!r}", param=name)
    return out


def check_fraction(value: Any, name: str) -> float:
    """A float in (0, 1]."""
    try:
        f = float(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"{name} must be a fraction in (0, 1], got {value!r}",
                              param=name) from exc
    if not 0.0 < f <= 1.0:
        raise ValidationError(f"{name} must be a fraction in (0, 1], got {value!r}", param=name)
    return f


def _check_int(value: Any, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValidationError(f"{name} must be an integer >= {minimum}, got {value!r}", param=name)
    if value < minimum:
        raise ValidationError(f"{name} must be an integer >= {minimum}, got {value}", param=name)
    return int(value)
