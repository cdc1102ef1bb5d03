"""One switch between compiled (numba) and NumPy code paths.

Every function with both paths takes ``engine="auto" | "numba" | "numpy"`` and resolves
it with :func:`choose`.  The NumPy path is the reference the parity tests compare the
kernels against; both give the same results.  ``"auto"`` picks numba from a size on,
and all those sizes live in :data:`THRESHOLDS` (tests and benchmarks patch this one
table).

Importing and initialising numba costs 0.5-1.5 s in a fresh process, more than the
NumPy path takes on small inputs.  So ``"auto"`` uses numba from ``min_size`` on when
numba is already imported, and from ``cold_min_size`` on otherwise.
"""

from __future__ import annotations

import sys
from typing import NamedTuple

from cortexkit._lib.validation import check_choice

__all__ = ["ENGINES", "Threshold", "THRESHOLDS", "check_engine", "choose"]

ENGINES = ("auto", "numba", "numpy")


class Threshold(NamedTuple):
    """Input sizes from which ``engine="auto"`` picks numba."""

    min_size: int  #: when numba is already imported
    cold_min_size: int  #: when numba would have to be imported first


#: Sizes are in the unit the task counts (spikes, intervals, ...), per task.
#:
#: Why NumPy by default for construction and the per-unit statistics (issue 15,
#: benchmarks/results/spikes.md): a fresh process pays ~0.15-0.3 s for ``import numba``
#: and 0.2-0.8 s more to initialise it and load a kernel's cache, while NumPy over
#: cache-sized pieces (each unit's ISIs in a scratch buffer; chunks of 2^16 events with
#: packed sort keys) is within 1.1-2.5x of the warm kernels: on 10^7 spikes of 1000
#: units, isi.stats 0.066 s CPU vs 0.060 s, isi_counts 0.09 s vs 0.04 s, grouping
#: ~0.2 s vs 0.1 s.  So "auto" takes those kernels only once numba is loaded anyway
#: (cold_min_size NEVER: never worth importing it for them).
NEVER = 1 << 62

THRESHOLDS: dict[str, Threshold] = {
    # SpikeTrains construction (group by unit + validation scan), in spikes: the NumPy
    # chunked counting sort (core/_grouping_numpy.py) costs ~2x the warm kernel and
    # nothing to import.
    "spikes.construct": Threshold(50_000, NEVER),
    # ck.isi.stats, in spikes: NumPy at every size.  Its per-unit NumPy path (one
    # partition with a single kth for the median) is faster than the kernel even when
    # numba is loaded: 0.051 s vs 0.076 s on 10^7 spikes / 1000 units, fresh process,
    # quiet machine (benchmarks/results/isi.md); engine="numba" still selects it.
    "isi.stats": Threshold(NEVER, NEVER),
    # ck.information.isi_counts (per-unit ISI histograms), in spikes.
    "information.isi_counts": Threshold(100_000, NEVER),
    # ck.lif.simulate: always the kernels (the NumPy reference is a Python time loop).
    "lif.simulate": Threshold(0, 0),
    # ck.quality.metrics / sliding_rp pair counts, in spikes.
    "quality.pairs": Threshold(200_000, 2_000_000),
    # ck.correlograms, in expected spike pairs inside the window.
    "quality.correlograms": Threshold(2_000_000, 20_000_000),
}


def check_engine(engine: object, param: str = "engine") -> str:
    """``engine`` if it is one of :data:`ENGINES`, else a ValidationError naming it."""
    return check_choice(param, engine, ENGINES)


def choose(task: str, size: int, engine: str = "auto") -> str:
    """``"numba"`` or ``"numpy"`` for ``size`` items of ``task`` (a :data:`THRESHOLDS` key).

    >>> choose("isi.stats", 10)
    'numpy'
    >>> choose("isi.stats", 10, engine="numba")
    'numba'
    """
    engine = check_engine(engine)
    if engine != "auto":
        return engine
    th = THRESHOLDS[task]
    if size >= th.cold_min_size or (size >= th.min_size and "numba" in sys.modules):
        return "numba"
    return "numpy"
