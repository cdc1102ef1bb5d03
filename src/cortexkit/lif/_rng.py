"""Counter-based Gaussian random numbers shared by the compiled kernel and the reference.

The noise sample of neuron ``i`` at step ``k`` is a pure function of ``(seed, counter)``
with ``counter = k * n_neurons + i``: a SplitMix64 output ``mix(key + counter * GOLDEN)``
feeds a 256-layer ziggurat (Marsaglia & Tsang 2000, 52-bit variant).  Rejections (about
1.2 % of samples) continue on a second per-counter SplitMix64 stream keyed by ``key2``.
Because no generator state is shared between neurons, the numbers do not depend on how
neurons are split into chunks or threads: a seeded simulation is bit-for-bit reproducible
on any number of cores.  ``key`` and ``key2`` come from ``numpy.random.SeedSequence``.

This module has the NumPy / pure-Python versions (used by the reference simulator and the
tests); ``_kernels.py`` compiles the same arithmetic with numba.
"""

from __future__ import annotations

import math

import numpy as np

GOLDEN = 0x9E3779B97F4A7C15
MUL1 = 0xBF58476D1CE4E5B9
MUL2 = 0x94D049BB133111EB
MASK = (1 << 64) - 1
_R_TAIL = 3.6541528853610088   # start of the tail for 256 layers
_V_LAYER = 0.00492867323399    # area of each layer


def ziggurat_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Tables ``k`` (uint64 acceptance bounds), ``w`` (widths / 2**52) and ``f`` (densities)."""
    m = 2.0**52
    k = np.zeros(256, dtype=np.uint64)
    w = np.zeros(256)
    f = np.zeros(256)
    dn = tn = _R_TAIL
    q = _V_LAYER / math.exp(-0.5 * dn * dn)
    k[0] = np.uint64((dn / q) * m)
    w[0] = q / m
    w[255] = dn / m
    f[0] = 1.0
    f[255] = math.exp(-0.5 * dn * dn)
    for i in range(254, 0, -1):
        dn = math.sqrt(-2.0 * math.log(_V_LAYER / dn + math.exp(-0.5 * dn * dn)))
        k[i + 1] = np.uint64((dn / tn) * m)
        tn = dn
        f[i] = math.exp(-0.5 * dn * dn)
        w[i] = dn / m
    return k, w, f


def seed_keys(seed) -> tuple[int, int]:
    """Two 64-bit keys from ``seed`` (int, Generator or None) via SeedSequence."""
    if not (seed is None or isinstance(seed, np.random.Generator)
            or (isinstance(seed, int | np.integer) and not isinstance(seed, bool)
                and seed >= 0)):
        from cortexkit.errors import ValidationError

        raise ValidationError(f"seed must be a non-negative int, a numpy Generator or None; "
                              f"got {seed!r}", param="seed")
    if isinstance(seed, np.random.Generator):
        drawn = seed.integers(0, 2**63, size=2, dtype=np.int64)
        state = np.random.SeedSequence([int(x) for x in drawn]).generate_state(2, np.uint64)
    else:
        state = np.random.SeedSequence(seed).generate_state(2, np.uint64)
    return int(state[0]), int(state[1])


def _mix_py(z: int) -> int:
    z = ((z ^ (z >> 30)) * MUL1) & MASK
    z = ((z ^ (z >> 27)) * MUL2) & MASK
    return z ^ (z >> 31)


def mix_np(z: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser on a uint64 array (wrapping arithmetic)."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(MUL1)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(MUL2)
    return z ^ (z >> np.uint64(31))


def normal_py(key: int, key2: int, ctr: int, tables) -> float:
    """One standard normal sample for ``ctr`` (pure Python; the definition of the stream)."""
    kt, wt, ft = tables
    r = _mix_py((key + ctr * GOLDEN) & MASK)
    s = _mix_py((key2 + ctr * GOLDEN) & MASK)  # state of the rejection stream
    while True:
        idx = r & 0xFF
        neg = (r >> 8) & 1
        j = r >> 12
        x = j * float(wt[idx])
        if j < int(kt[idx]):
            return -x if neg else x
        if idx == 0:  # base layer beyond R: sample the tail
            while True:
                s = (s + GOLDEN) & MASK
                u1 = ((_mix_py(s) >> 11) + 1) * 2.0**-53
                s = (s + GOLDEN) & MASK
                u2 = ((_mix_py(s) >> 11) + 1) * 2.0**-53
                xx = -math.log(u1) / _R_TAIL
                yy = -math.log(u2)
                if yy + yy > xx * xx:
                    return -(_R_TAIL + xx) if neg else _R_TAIL + xx
        s = (s + GOLDEN) & MASK
        u = ((_mix_py(s) >> 11) + 1) * 2.0**-53
        if float(ft[idx]) + u * (float(ft[idx - 1]) - float(ft[idx])) < math.exp(-0.5 * x * x):
            return -x if neg else x
        s = (s + GOLDEN) & MASK
        r = _mix_py(s)


def normals_np(key: int, key2: int, ctr: np.ndarray, tables) -> np.ndarray:
    """Standard normal samples for the uint64 counters ``ctr`` (vectorized fast path)."""
    kt, wt, _ = tables
    r = mix_np(np.uint64(key) + ctr * np.uint64(GOLDEN))
    idx = (r & np.uint64(0xFF)).astype(np.intp)
    j = r >> np.uint64(12)
    x = j.astype(np.float64) * wt[idx]
    x = np.where((r >> np.uint64(8)) & np.uint64(1), -x, x)
    slow = np.flatnonzero(j >= kt[idx])
    for p in slow:
        x[p] = normal_py(key, key2, int(ctr[p]), tables)
    return x
