"""End-to-end CLI on a 10^7-spike ALF folder, fresh process: ``cortexkit isi DATA --json``
and ``cortexkit entropy DATA --json``.

The folder (``spikes.times.npy`` float64 seconds, ``spikes.clusters.npy`` int64, time
sorted: 1000 units, gamma renewal trains) is written once to ``--data`` (default under
/tmp).  Each command runs as its own new process (``python -m cortexkit ...``, output
to a file) and is timed from outside, wall clock, best of ``--rounds``; a second process
per command times its parts with the library calls the command makes: import (the CLI
and what the command imports), load (``load_spike_data``), compute, output (JSON).

Usage: python benchmarks/bench_cli.py [--quick] [--rounds K] [--data DIR]
"""

from __future__ import annotations

import argparse
import importlib
import io
import json
import resource
import subprocess
import sys
import time
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np

from _common import clean_env, machine_line

RESULTS = Path(__file__).resolve().parent / "results" / "cli.md"

# modules that cortexkit imports inside the calls the command makes (not at import)
ON_FIRST_USE = {"isi": ("pandas", "scipy.special", "scipy.optimize"), "entropy": ()}
# heavy modules whose (late) import the parts report
WATCH = ("pandas", "scipy.special", "scipy.optimize", "scipy.stats", "numba", "matplotlib")


def write_alf(path: Path, n_units: int, n_spikes: int, seed: int = 0) -> None:
    """Time-sorted (time, cluster) events of renewal trains, as ALF .npy files."""
    if (path / "spikes.times.npy").exists():
        t = np.load(path / "spikes.times.npy", mmap_mode="r")
        if t.size == n_spikes:
            return
    rng = np.random.default_rng(seed)
    w = rng.lognormal(0.0, 1.0, n_units)
    counts = rng.multinomial(n_spikes - 3 * n_units, w / w.sum()) + 3
    uidx = np.repeat(np.arange(n_units), counts)
    shape = rng.uniform(0.5, 4.0, n_units)
    mean_isi = 3600.0 / counts - 0.002
    isi = 0.002 + rng.gamma(shape[uidx], (mean_isi / shape)[uidx])
    csum = np.cumsum(isi)
    ends = np.cumsum(counts)
    start = np.r_[0.0, csum[ends[:-1] - 1]]
    times = csum - start[uidx]
    order = np.argsort(times, kind="stable")
    path.mkdir(parents=True, exist_ok=True)
    np.save(path / "spikes.times.npy", times[order])
    np.save(path / "spikes.clusters.npy", uidx[order].astype(np.int64))


def parts(command: str, data: str) -> dict[str, float]:
    """Time the command's steps with the library calls it makes (one fresh process):
    wall seconds (CPU seconds of the whole process under "cpu total")."""
    out = {}
    marks = [(time.perf_counter(), time.process_time())]

    def mark(name):
        marks.append((time.perf_counter(), time.process_time()))
        out[name] = (marks[-1][0] - marks[-2][0], marks[-1][1] - marks[-2][1])

    from cortexkit.cli._common import load_spike_data, print_json

    if command == "isi":
        from cortexkit import isi
        from cortexkit.cli.cmd_isi import _choose_unit, _unit_fits
    else:
        from cortexkit import information
    mark("import")
    # what the library imports on first use (the command's own process imports the same,
    # inside the calls); timed apart so that the compute rows are computation only
    for mod in ON_FIRST_USE[command]:
        importlib.import_module(mod)
    if ON_FIRST_USE[command]:
        mark(f"import on first use: {', '.join(ON_FIRST_USE[command])}")
    seen = set(sys.modules)
    st = load_spike_data(Path(data), seed=0, sample_rate=None, sort=False)
    mark("load")
    if command == "isi":
        table = isi.stats(st)
        mark("compute: isi.stats")
        fits = isi.fit_all(st)
        mark("compute: isi.fit_all")
        table = table.merge(fits[["unit", "best_model"]], on="unit", how="left")
        unit_result, _ = _unit_fits(st, _choose_unit(st, None), 50, None, False)
        mark("compute: one unit's curve and ML fits")
        result = {"units": table, "unit": unit_result}
    else:
        s = information.entropy_summary(st, 50, (0.0, 0.25), estimator="plugin")
        mark("compute: entropy_summary")
        result = {"units": s.units, "references": s.reference_entropies}
    buf = io.StringIO()
    with redirect_stdout(buf):
        print_json(result)
    mark("output (JSON)")
    late = sorted(m for m in set(sys.modules) - seen if m in WATCH)
    return {"parts": out, "late_imports": late,
            "not_imported": sorted(m for m in WATCH if m not in sys.modules)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--data", type=Path, default=None)
    ap.add_argument("--parts", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    n = 200_000 if args.quick else 10_000_000
    data = args.data or Path(f"/tmp/cortexkit-bench-alf-{n}")
    if args.parts:
        print(json.dumps(parts(args.parts, str(data))))
        return
    write_alf(data, 1000, n)
    env = clean_env()
    wall, cpu = {}, {}
    for _ in range(args.rounds):
        for cmd in ("isi", "entropy"):
            r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            with open(f"/tmp/cortexkit-bench-{cmd}.json", "w") as fh:
                subprocess.run([sys.executable, "-m", "cortexkit", cmd, str(data), "--json"],
                               stdout=fh, check=True, env=env)
            wall[cmd] = min(wall.get(cmd, np.inf), time.perf_counter() - t0)
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            c = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
            cpu[cmd] = min(cpu.get(cmd, np.inf), c)
    split: dict = {}
    for _ in range(args.rounds):      # each part: its best over the rounds' processes
        for cmd in ("isi", "entropy"):
            res = subprocess.run([sys.executable, __file__, "--data", str(data), "--parts",
                                  cmd] + (["--quick"] if args.quick else []),
                                 capture_output=True, text=True, check=True, env=env)
            got = json.loads(res.stdout.strip().splitlines()[-1])
            if cmd not in split:
                split[cmd] = got
            else:
                best = split[cmd]["parts"]
                for k, (w, c) in got["parts"].items():
                    best[k] = (min(best[k][0], w), min(best[k][1], c))
    lines = ["## End-to-end CLI, fresh process (`benchmarks/bench_cli.py`)", "",
             machine_line(), "",
             f"ALF folder of {n:,} spikes, 1000 units (time-sorted `spikes.times.npy` + "
             "`spikes.clusters.npy`). Wall time of `python -m cortexkit CMD DATA --json` "
             f"(its own process, output to a file), best of {args.rounds}:", "",
             "| command | wall (s) | CPU, user + sys (s) | goal (wall) |",
             "|---|---:|---:|---:|"]
    for cmd in ("isi", "entropy"):
        lines.append(f"| `cortexkit {cmd} DATA --json` | **{wall[cmd]:.2f}** | "
                     f"{cpu[cmd]:.2f} | < 2 s |")
    for cmd in ("isi", "entropy"):
        p = split[cmd]["parts"]
        lines += ["", f"Parts of `cortexkit {cmd}` (separate fresh processes making the same "
                  f"library calls, each part's best of {args.rounds}; interpreter start-up not "
                  "included):", "",
                  "| part | wall (s) | CPU (s) |", "|---|---:|---:|"]
        lines += [f"| {k} | {w:.3f} | {c:.3f} |" for k, (w, c) in p.items()]
        lines.append(f"| sum | {sum(w for w, _ in p.values()):.3f} | "
                     f"{sum(c for _, c in p.values()):.3f} |")
        lines.append(f"| whole command (best wall above) minus the parts: interpreter "
                     f"start-up, NumPy's import (made before the parts here), typer's "
                     f"parsing of the arguments, exit | "
                     f"{wall[cmd] - sum(w for w, _ in p.values()):.3f} | |")
        late = split[cmd]["late_imports"]
        lines += ["", f"Imported inside the compute rows: {', '.join(late) or 'nothing heavy'}; "
                  f"never imported: {', '.join(split[cmd]['not_imported']) or '-'}."]
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.quick:
        RESULTS.write_text(text)


if __name__ == "__main__":
    main()
