"""Import time of cortexkit (and of its first-used submodules) beside its peers' imports.

Every import runs in its own fresh process (``_common.py``'s harness and ``clean_env``:
bytecode cached as for a user), ``--rounds`` interleaved rounds; reported are the best and
the median of the rounds (wall), and the CPU time of the best.  A second import in the
same process is a dictionary lookup, so there is no *warm* column here.  The case process
has imported only the standard library (``_common.py``) before the timed import, so
``import cortexkit`` includes NumPy's import, as in a user's script.

Also: the whole interpreter (``python -c pass`` against ``python -c "import cortexkit"``,
median of fresh processes), the heavy modules ``import cortexkit`` must not load, and
where the import time of ``import cortexkit`` goes (``-X importtime``, self time summed
by top-level package).

Usage::

    .venv-peers/bin/python benchmarks/bench_import.py [--quick] [--rounds K]
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

from _common import Case, child_main, clean_env, machine_line, run_cases, write_results

RESULTS = Path(__file__).resolve().parent / "results" / "import.md"
SUBMODULES = ("io", "isi", "information", "quality", "lif", "rsa")
PEERS = ("numpy", "neo", "elephant.statistics", "pynapple", "spikeinterface.core",
         "brian2", "rsatoolbox")
HEAVY = ("torch", "dask", "numba", "matplotlib", "pynwb", "pandas", "scipy")


def _import(name: str) -> Case:
    return Case(lambda a: None, lambda s: importlib.import_module(name), memory=False)


def _submodule(sub: str) -> Case:
    def call(s):
        import cortexkit as ck

        return getattr(ck, sub)

    return Case(lambda a: None, call, memory=False)


CASES = {"import cortexkit": _import("cortexkit"),
         **{f"import cortexkit; ck.{m}": _submodule(m) for m in SUBMODULES},
         **{f"import {p}": _import(p) for p in PEERS}}


def parse(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="one round, fewer processes")
    ap.add_argument("--rounds", type=int, default=None)
    ap.add_argument("--out", type=Path, default=None, help="write the markdown here")
    args = ap.parse_args(argv)
    args.rounds = args.rounds or (1 if args.quick else 7)
    return args


def _interpreter(code: str, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=clean_env())
        out.append(time.perf_counter() - t0)
    return out


def _self_time_by_package() -> list[tuple[str, float]]:
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", "import cortexkit"],
                          capture_output=True, text=True, check=True, env=clean_env())
    acc: dict[str, float] = defaultdict(float)
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _, name = line[len("import time:"):].split("|")
        acc[name.strip().split(".")[0]] += float(self_us) / 1e6
    return sorted(acc.items(), key=lambda kv: -kv[1])


def main() -> int:
    args = parse(sys.argv[1:])
    names = list(CASES)
    r = run_cases(__file__, names, [], rounds=args.rounds, repeat=0)
    runs = 3 if args.quick else 10
    base, ck = [], []
    for _ in range(runs):  # interleaved
        base += _interpreter("pass", 1)
        ck += _interpreter("import cortexkit", 1)
    b, c = statistics.median(base), statistics.median(ck)
    heavy = subprocess.run(
        [sys.executable, "-c", "import sys, cortexkit; print(sorted(m for m in "
         f"{HEAVY!r} if m in sys.modules))"],
        capture_output=True, text=True, check=True, env=clean_env()).stdout.strip()
    by_pkg = _self_time_by_package()
    ref = r["import cortexkit"]["fresh_s"]
    lines = [
        "## Import time (`benchmarks/bench_import.py`)", "",
        machine_line(), "",
        f"Each import in its own fresh process, {args.rounds} interleaved rounds (the "
        "process has imported only the standard library before; NumPy's import is part "
        "of `import cortexkit`).", "",
        "| import | best (s) | median (s) | CPU of the best (s) | best / `import cortexkit` |",
        "|---|---:|---:|---:|---:|",
        *[f"| `{k}` | {v['fresh_s']:.3f} | {statistics.median(v['fresh_all']):.3f} | "
          f"{v['fresh_cpu_s']:.3f} | {v['fresh_s'] / ref:.2f}x |" for k, v in r.items()], "",
        f"Whole interpreter, median of {runs} fresh processes: `python -c pass` {b:.3f} s, "
        f"`python -c 'import cortexkit'` {c:.3f} s: import cost **{c - b:.3f} s**.", "",
        f"Heavy modules loaded by `import cortexkit` (of {', '.join(HEAVY)}): {heavy}", "",
        "Where `import cortexkit` spends its time (`-X importtime`, self time by top-level "
        "package, one process): " + ", ".join(f"{k} {v * 1e3:.0f} ms"
                                               for k, v in by_pkg[:6]), "",
    ]
    text = "\n".join(lines)
    print(text)
    if args.out or not args.quick:
        write_results(args.out or RESULTS, text)
    return 0


if __name__ == "__main__":
    if not child_main(CASES, parse):
        sys.exit(main())
