"""Seeded, bounded fuzzing of every loader (issue 14): mutated real files never give an
exception other than CortexkitError, a hang or a crash.

Each case runs in a watched worker process (see ``tests/_fuzz.py``), so a segfault or a
hang is recorded as a failure instead of taking the test run down.  The large run
(>= 20,000 cases) is ``benchmarks/fuzz_loaders.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _fuzz  # noqa: E402

N_PER_LOADER = 25


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    if not _fuzz.REAL.is_dir():
        pytest.skip(f"real-data folder {_fuzz.REAL} not found")
    pytest.importorskip("pynwb")
    return _fuzz.build_seeds(tmp_path_factory.mktemp("fuzz-seeds"))


def test_unmutated_seeds_load(seeds):
    """The fuzz starts from files that load: a failing case is caused by its mutation."""
    runner = _fuzz.Runner(case_timeout=120, nwb_timeout=60)
    try:
        for name, (kind, path, opts) in seeds.items():
            assert runner.run(kind, path, opts)["outcome"] == "loaded", name
    finally:
        runner.stop()


def test_mutated_files_give_result_or_cortexkit_error(seeds, tmp_path):
    counts, failures = _fuzz.fuzz(seeds, N_PER_LOADER, tmp_path / "work", seed=14,
                                  case_timeout=60, nwb_timeout=20)
    assert set(counts) == set(seeds)
    assert all(sum(c.values()) == N_PER_LOADER for c in counts.values())
    assert not failures, failures[:5]
    assert sum(c["loaded"] for c in counts.values()) > 0  # not every mutation is fatal
