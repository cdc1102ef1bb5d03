"""Fuzz every loader with >= 20,000 mutated real files and print the outcome counts.

Seeds are real recordings from ``../shared/data/real`` (small real subsets, written in the
loaders' own formats where a format has no real file); each case is one mutation (byte
flips, truncation, insertion, size-like overwrites) read in a watched worker process, so
hangs and crashes are counted, not suffered.  See ``tests/_fuzz.py``.  Results go to
``benchmarks/results/fuzz_loaders.md``; failing cases are kept in ``--keep`` for triage.

Usage::

    python benchmarks/fuzz_loaders.py [--per-loader 1500] [--seed 0] [--keep /tmp/fuzz-fail]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE))

import _fuzz  # noqa: E402
from _common import cpu_model  # noqa: E402

RESULTS = HERE / "results" / "fuzz_loaders.md"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--per-loader", type=int, default=1500)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--keep", default=None, help="folder for the failing cases")
    ap.add_argument("--no-write", action="store_true", help="do not write the results file")
    args = ap.parse_args()
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="cortexkit-fuzz-") as tmp:
        seeds = _fuzz.build_seeds(Path(tmp) / "seeds")
        counts, failures = _fuzz.fuzz(seeds, args.per_loader, Path(tmp) / "work",
                                      seed=args.seed, keep_failures=None if args.keep is None
                                      else Path(args.keep), progress=True)
    total = sum(sum(c.values()) for c in counts.values())
    bad = {o: sum(c[o] for c in counts.values()) for o in ("other", "hang", "crash")}
    elapsed = time.monotonic() - t0
    print(f"{total} cases in {elapsed:.0f} s; other={bad['other']} hang={bad['hang']} "
          f"crash={bad['crash']}")
    for f in failures[:20]:
        print("FAILURE", f)
    if not args.no_write:
        lines = [
            "## Loader fuzzing (`benchmarks/fuzz_loaders.py`)", "",
            f"Machine: {cpu_model()}, {os.cpu_count()} cores; Python "
            f"{platform.python_version()}. {total:,} mutated files ({args.per_loader} per "
            f"loader seed, seed {args.seed}) in {elapsed / 60:.1f} min, each read in a watched "
            "worker process (case timeout 60 s, NWB reader timeout 20 s, read limit "
            "256 MiB).", "",
            "| loader (seed) | loaded | CortexkitError | other exception | hang | crash |",
            "|---|---|---|---|---|---|",
        ]
        for name, c in sorted(counts.items()):
            lines.append(f"| {name} | {c['loaded']} | {c['cortexkit']} | {c['other']} | "
                         f"{c['hang']} | {c['crash']} |")
        lines.append(f"| **total** | {sum(c['loaded'] for c in counts.values())} | "
                     f"{sum(c['cortexkit'] for c in counts.values())} | {bad['other']} | "
                     f"{bad['hang']} | {bad['crash']} |")
        RESULTS.parent.mkdir(exist_ok=True)
        RESULTS.write_text("\n".join(lines) + "\n")
        print(f"wrote {RESULTS}")
    return 1 if any(bad.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
