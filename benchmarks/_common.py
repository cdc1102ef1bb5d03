"""Helpers shared by the benchmark scripts (run as ``python benchmarks/bench_<topic>.py``).

The harness (:func:`run_cases`) measures every call the way a user runs it and, beside
it, the way a warm loop does:

* **fresh**: one new Python process per case; the case's data is built first (not
  timed), then one *tiny* warm-up call (the same function on a few spikes: imports and
  whatever the first call of the library loads, e.g. numba caches, happen here only if a
  tiny input triggers them), then the timed call on the real input;
* **warm**: in the same process, the best of ``repeat`` further calls;
* peak extra memory of one more call (tracemalloc: NumPy reports its buffers) and the
  process's max RSS.

A bench script declares ``CASES = {name: Case(setup, call, tiny)}`` and ends with
``child_main(CASES)`` (it answers ``--case NAME``); the parent calls
``run_cases(__file__, names, argv, ...)`` and formats the table with :func:`table`
(``warm_ratio=True`` adds the ratio of the warm times beside that of the fresh ones).
Cases of cortexkit and of its peers run interleaved in the same run, so their ratios are
comparable even on a loaded machine.
"""

from __future__ import annotations

import gc
import json
import os
import platform
import resource
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


def cpu_model() -> str:
    """The CPU model name reported by lscpu (for the results' machine line)."""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return platform.processor() or "unknown"
    for line in out.splitlines():
        if line.startswith("Model name:"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def machine_line() -> str:
    """One line describing the machine and its load (the machine is shared)."""
    import numpy as np

    la = os.getloadavg()
    return (f"Machine: {cpu_model()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, numpy {np.__version__}; load average "
            f"{la[0]:.1f} / {la[1]:.1f} / {la[2]:.1f} (1/5/15 min) when measured: the machine "
            "is shared with other jobs, so absolute times vary; ratios within one run are "
            "what counts.")


@dataclass
class Case:
    """A benchmark case: ``setup(args) -> state`` (not timed), ``call(state)`` (timed),
    ``tiny(state)`` (the warm-up call on a tiny input; default: none)."""

    setup: Callable[[Any], Any]
    call: Callable[[Any], Any]
    tiny: Callable[[Any], Any] | None = None
    memory: bool = True


def _measure(case: Case, args: Any, repeat: int) -> dict[str, Any]:
    state = case.setup(args)
    if case.tiny is not None:
        case.tiny(state)
    gc.collect()
    c0, t0 = time.process_time(), time.perf_counter()
    res = case.call(state)
    fresh, fresh_cpu = time.perf_counter() - t0, time.process_time() - c0
    del res
    warm, warm_cpu = [], []
    for _ in range(repeat):
        gc.collect()
        c0, t0 = time.process_time(), time.perf_counter()
        res = case.call(state)
        warm.append(time.perf_counter() - t0)
        warm_cpu.append(time.process_time() - c0)
        del res
    out = {"fresh_s": fresh, "fresh_cpu_s": fresh_cpu,
           "warm_s": min(warm) if warm else float("nan"),
           "warm_cpu_s": min(warm_cpu) if warm_cpu else float("nan")}
    if case.memory:
        gc.collect()
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        res = case.call(state)
        out["peak_extra_mb"] = (tracemalloc.get_traced_memory()[1] - base) / 2**20
        tracemalloc.stop()
        del res
    out["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    extra = getattr(state, "report", None)
    if callable(extra):
        out["info"] = extra()
    return out


def child_main(cases: dict[str, Case], parse_args: Callable[[list[str]], Any]) -> bool:
    """If this process was started for one case (``--case NAME``), run it, print its JSON
    line and return True; otherwise return False."""
    if "--case" not in sys.argv:
        return False
    i = sys.argv.index("--case")
    name = sys.argv[i + 1]
    repeat = int(os.environ.get("CK_BENCH_REPEAT", "3"))
    argv = sys.argv[1:i] + sys.argv[i + 2:]
    print(json.dumps({"case": name, **_measure(cases[name], parse_args(argv), repeat)}))
    return True


def clean_env(threads: int | None = None) -> dict[str, str]:
    """The environment for the case processes: OpenBLAS left at its own kernel choice
    (this machine's OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset, only for benchmarks),
    bytecode caching on as for a user,
    optionally a fixed number of BLAS threads."""
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("OPENBLAS_L2_SIZE", None)
    # a user's Python caches bytecode; without it every fresh process recompiles
    # cortexkit's (editable) sources and the imports cost several times more
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if threads is not None:
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env[var] = str(threads)
    return env


def run_cases(script: str, names: list[str], argv: list[str], *, rounds: int = 1,
              repeat: int = 3, threads: int | None = None,
              timeout: float = 1800,
              extra_env: dict[str, str] | None = None) -> dict[str, dict[str, Any]]:
    """Run every case of ``script`` in its own fresh process, ``rounds`` times
    interleaved (case order rotates), keep each case's best fresh and warm times.

    Every round's fresh wall time is kept too, in ``fresh_all`` (for a median or the
    spread); ``extra_env`` is added to the case processes' :func:`clean_env`."""
    env = clean_env(threads)
    env["CK_BENCH_REPEAT"] = str(repeat)
    env.update(extra_env or {})
    best: dict[str, dict[str, Any]] = {}
    for r in range(rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        for name in order:
            proc = subprocess.run([sys.executable, script, *argv, "--case", name],
                                  capture_output=True, text=True, env=env, timeout=timeout)
            if proc.returncode != 0:
                raise RuntimeError(f"case {name} failed:\n{proc.stderr[-3000:]}")
            res = json.loads(proc.stdout.strip().splitlines()[-1])
            prev = best.get(name)
            if prev is None:
                best[name] = res
                res["fresh_all"] = [res["fresh_s"]]
            else:
                prev["fresh_all"].append(res["fresh_s"])
                for key in ("fresh_s", "fresh_cpu_s", "warm_s", "warm_cpu_s"):
                    prev[key] = min(prev[key], res[key])
    return best


def threadpool_line(threads: int | None = None) -> str:
    """The BLAS library and kernel the case processes use (threadpoolctl, run in a process
    with :func:`clean_env`), for the results."""
    code = ("import numpy, json\n"
            "from threadpoolctl import threadpool_info\n"
            "print(json.dumps([f\"{i.get('internal_api')} {i.get('version')} "
            "({i.get('architecture')}, {i.get('num_threads')} threads)\" "
            "for i in threadpool_info()]))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=clean_env(threads))
    if proc.returncode != 0:
        return "BLAS: (threadpoolctl not available)"
    info = json.loads(proc.stdout.strip().splitlines()[-1])
    return "BLAS in the case processes: " + ("; ".join(info) if info else "none loaded")


def table(rows: list[tuple[str, dict[str, Any], str | None]], ref: str,
          results: dict[str, dict[str, Any]], *, warm_ratio: bool = False,
          ms: bool = False) -> list[str]:
    """Markdown rows: label, fresh and warm wall (CPU) seconds, ratio to ``ref``'s fresh
    time (and, with ``warm_ratio``, to its warm time and the warm CPU time) and peak
    extra memory.  ``rows``: (label, result, note).  ``ms``: times in milliseconds."""
    r = results[ref]
    u, k = ("ms", 1e3) if ms else ("s", 1.0)
    head = (f"| call | fresh process ({u}) | fresh CPU ({u}) | warm, best ({u}) | "
            f"fresh time / {ref} |")
    rule = "|---|---:|---:|---:|---:|"
    if warm_ratio:
        head += f" warm CPU ({u}) | warm time / {ref} |"
        rule += "---:|---:|"
    out = [head + " peak extra (MiB) |", rule + "---:|"]
    for label, res, note in rows:
        mem = res.get("peak_extra_mb")
        row = (f"| {label}{' ' + note if note else ''} | {k * res['fresh_s']:.3f} | "
               f"{k * res['fresh_cpu_s']:.3f} | {k * res['warm_s']:.3f} | "
               f"{res['fresh_s'] / r['fresh_s']:.2f}x |")
        if warm_ratio:
            row += (f" {k * res['warm_cpu_s']:.3f} | "
                    f"{res['warm_s'] / r['warm_s']:.2f}x |")
        out.append(row + f" {'' if mem is None else f'{mem:.0f}'} |")
    return out


NOTES_MARKER = "<!-- notes below: kept when the benchmark rewrites this file -->"


def ratio_line(r: dict[str, dict[str, Any]], peer: str, ck: str, what: str = "",
               goal: str = "") -> str:
    """One result line: ``peer`` / ``ck`` wall time fresh and warm, CPU beside them."""
    a, b = r[peer], r[ck]
    return (f"- {peer} / {ck}{what}: **{a['fresh_s'] / b['fresh_s']:.1f}x** fresh, "
            f"**{a['warm_s'] / b['warm_s']:.1f}x** warm (CPU "
            f"{a['fresh_cpu_s'] / b['fresh_cpu_s']:.1f}x fresh, "
            f"{a['warm_cpu_s'] / b['warm_cpu_s']:.1f}x warm){goal}")


def write_results(path: Any, text: str) -> None:
    """Write a benchmark's generated markdown to ``path``, keeping the hand-written part
    of the existing file from :data:`NOTES_MARKER` on (if it has one)."""
    from pathlib import Path

    path = Path(path)
    notes = ""
    if path.exists():
        old = path.read_text()
        i = old.find(NOTES_MARKER)
        if i >= 0:
            notes = old[i:]
    path.write_text(text.rstrip("\n") + "\n" + ("\n" + notes if notes else ""))
