"""Where the NumPy validation scan of grouped spike times switches from the flat scan to
the unit-by-unit one (``cortexkit/core/_grouping.py``, ``scan``): both on synthetic sorted
trains of several sizes and units, best of 15 calls each, one process.

Usage: python benchmarks/scan_crossover.py
"""

from __future__ import annotations

import time

import numpy as np

from _common import machine_line
from cortexkit.core._grouping import scan_numpy
from cortexkit.core._grouping_numpy import scan_by_unit


def best_ms(fn, times, offsets, repeat: int = 15) -> float:
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(times, offsets)
        best = min(best, time.perf_counter() - t0)
    return best * 1e3


def main() -> None:
    rng = np.random.default_rng(0)
    print(machine_line())
    print("| spikes | units | per unit | flat (ms) | by unit (ms) |")
    print("|---:|---:|---:|---:|---:|")
    for n, u in [(150_000, 1000), (379_000, 404), (400_000, 100), (1_000_000, 1000),
                 (2_000_000, 1000), (4_000_000, 1000)]:
        counts = rng.multinomial(n, np.ones(u) / u)
        off = np.r_[0, np.cumsum(counts)]
        t = np.concatenate([np.sort(rng.uniform(0, 3600, c)) for c in counts])
        print(f"| {n:,} | {u} | {n // u} | {best_ms(scan_numpy, t, off):.2f} | "
              f"{best_ms(scan_by_unit, t, off):.2f} |")


if __name__ == "__main__":
    main()
