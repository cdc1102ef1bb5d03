"""Cost of the loaders' safety checks: real files and a 10^7-spike ALF session, before/after.

Each case runs in a fresh process (``python -c``) against two source trees side by side in
the same run: ``--before`` (a checkout of the code before the safety work, e.g. made with
``git archive 9d3fed2 src | tar -x -C /tmp/before``) and ``--after`` (default: this
checkout's ``src``).  In each process: the first call is timed (cold: imports, and for NWB
the reader child's start), then a tiny warm-up is not needed any more and the best of
``--repeat`` further calls is taken (warm).  Cases alternate before/after so that machine
load hits both sides alike; the ratio after / before is printed per case.

Usage::

    python benchmarks/bench_io_safety.py --before /tmp/before/src [--repeat 5] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REAL = HERE.parent.parent / "shared" / "data" / "real"
RESULTS = HERE / "results" / "io_safety.md"

CHILD = r"""
import json, sys, time, warnings
warnings.simplefilter("ignore")
kind, path, opts, repeat = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), int(sys.argv[4])
t0 = time.perf_counter()
import cortexkit as ck
fn = ck.io.load_spikes if kind == "spikes" else ck.io.load_responses
fn(path, **opts)
cold = time.perf_counter() - t0
warm = []
for _ in range(repeat):
    t0 = time.perf_counter(); fn(path, **opts); warm.append(time.perf_counter() - t0)
print(json.dumps({"cold": cold, "warm": min(warm)}))
"""


def make_alf(folder: Path, n: int = 10_000_000, n_units: int = 500, seed: int = 0) -> Path:
    """A time-sorted ALF session of ``n`` spikes (float64 s, int64 cluster ids)."""
    if (folder / "spikes.times.npy").is_file():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    rates = rng.lognormal(np.log(3.0), 1.0, n_units)
    np.save(folder / "spikes.times.npy", np.sort(rng.uniform(0.0, 3600.0, n)))
    np.save(folder / "spikes.clusters.npy",
            rng.choice(n_units, size=n, p=rates / rates.sum()).astype(np.int64))
    return folder


def make_converted(folder: Path, src: Path) -> dict[str, Path]:
    """The real phy session written as npz/csv/parquet/nwb (formats without a real file)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {s: folder / f"phy{s}" for s in (".npz", ".csv", ".parquet", ".nwb")}
    if all(p.is_file() for p in out.values()):
        return out
    code = ("import sys, cortexkit as ck\n"
            f"st = ck.io.load_spikes({str(REAL / 'phy-neuropixels-120s')!r}, sample_rate=30000)\n"
            "for p in sys.argv[1:]: ck.io.save_spikes(st, p)\n")
    subprocess.run([sys.executable, "-c", code, *map(str, out.values())], check=True,
                   env={**os.environ, "PYTHONPATH": str(src)})
    return out


def run(src: str, kind: str, path: Path, opts: dict, repeat: int) -> dict:
    env = {**os.environ, "PYTHONPATH": src}
    res = subprocess.run([sys.executable, "-c", CHILD, kind, str(path), json.dumps(opts),
                          str(repeat)], capture_output=True, text=True, env=env)
    if res.returncode:
        raise SystemExit(f"{kind} {path} failed with {src}:\n{res.stderr}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", required=True, help="src folder of the code before")
    ap.add_argument("--after", default=str(HERE.parent / "src"))
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--work", default="/tmp/cortexkit_bench_io")
    args = ap.parse_args()
    work = Path(args.work)
    alf = make_alf(work / "alf10m")
    conv = make_converted(work / "converted", Path(args.before))
    cases = [
        ("phy 379k spikes (npy)", "spikes", REAL / "phy-neuropixels-120s",
         {"sample_rate": 30000}),
        ("IBL ALF 48k spikes", "spikes", REAL / "ibl-slidingrp-3units", {}),
        ("nelpy .mat 29k spikes", "spikes", REAL / "nelpy-linear-track" / "spikes.mat", {}),
        ("Allen epochs folder", "spikes", REAL / "allen-vcnp-gratings-pseudopop", {}),
        ("Allen gratings responses", "responses", REAL / "allen-vcnp-gratings-pseudopop", {}),
        ("Allen 2p scenes responses", "responses", REAL / "allen-vc2p-natural-scenes", {}),
        ("ALF 10^7 spikes", "spikes", alf, {}),
        ("phy as .npz", "spikes", conv[".npz"], {}),
        ("phy as .csv", "spikes", conv[".csv"], {}),
        ("phy as .parquet", "spikes", conv[".parquet"], {}),
        ("phy as .nwb", "spikes", conv[".nwb"], {}),
    ]
    rows = []
    for name, kind, path, opts in cases:
        b_cold, b_warm, a_cold, a_warm = [], [], [], []
        for _ in range(args.rounds):
            b = run(args.before, kind, path, opts, args.repeat)
            a = run(args.after, kind, path, opts, args.repeat)
            b_cold.append(b["cold"]), b_warm.append(b["warm"])
            a_cold.append(a["cold"]), a_warm.append(a["warm"])
        row = (name, min(b_cold), min(a_cold), min(b_warm), min(a_warm))
        rows.append(row)
        print(f"{name:28s} cold {row[1]:.3f} -> {row[2]:.3f} s ({row[2] / row[1]:.2f}x)  "
              f"warm {row[3]:.4f} -> {row[4]:.4f} s ({row[4] / row[3]:.2f}x)", flush=True)
    load = os.getloadavg()[0]
    sys.path.insert(0, str(HERE))
    from _common import cpu_model

    lines = [
        "## Cost of the loaders' safety checks (`benchmarks/bench_io_safety.py`)", "",
        f"Machine: {cpu_model()}, {os.cpu_count()} cores; Python {platform.python_version()}, "
        f"numpy {np.__version__}. Fresh process per case and side; cold = first call "
        f"including imports (min of {args.rounds} processes), warm = best of {args.repeat} "
        f"later calls. Load average at the end: {load:.1f} (shared machine).", "",
        "| case | before cold (s) | after cold (s) | after/before | before warm (s) | "
        "after warm (s) | after/before |", "|---|---|---|---|---|---|---|",
    ]
    for name, bc, ac, bw, aw in rows:
        lines.append(f"| {name} | {bc:.3f} | {ac:.3f} | {ac / bc:.2f}x | {bw:.4f} | "
                     f"{aw:.4f} | {aw / bw:.2f}x |")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
