"""Cost of the loaders' safety checks: real files and a 10^7-spike ALF session, before/after.

Two tables: (1) ``load_spikes`` / ``load_responses`` end to end with the code before the
safety work and after (the "after" tree also holds other helpers' changes of the same
period); (2) the safety's own cost isolated: the previous reader call (``np.load``,
``scipy.io.loadmat``, in-process pynwb) against the safe one, in the same process.

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
if opts.pop("numba_first", False):  # a process that has loaded numba for other work
    import numba  # noqa: F401
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


READERS = r"""
import json, sys, time, warnings
from pathlib import Path
warnings.simplefilter("ignore")
case, path, repeat = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
import numpy as np
import cortexkit as ck
from cortexkit.io import _safe_pickle, _matv5, _child, _nwb
if case == "npy":
    files = sorted(path.glob("*.npy")) if path.is_dir() else [path]
    old = lambda: [np.load(f, allow_pickle=False) for f in files]
    new = lambda: [_safe_pickle.read_npy_file(f) for f in files]
elif case == "mat":
    import scipy.io
    old = lambda: scipy.io.loadmat(path, squeeze_me=False, struct_as_record=True)
    new = lambda: _matv5.read_mat_file(path)
else:
    old = lambda: _nwb.extract(path, 1 << 40)
    new = lambda: _child.run("nwb", path, 1 << 40, 120.0)
out = {}
for name, fn in (("old", old), ("new", new)) * 1:
    t0 = time.perf_counter(); fn(); out[name + "_cold"] = time.perf_counter() - t0
best = {"old": 1e9, "new": 1e9}
for _ in range(repeat):
    for name, fn in (("old", old), ("new", new)):
        t0 = time.perf_counter(); fn(); best[name] = min(best[name], time.perf_counter() - t0)
out.update(best)
print(json.dumps(out))
"""


def case_env(src: str) -> dict[str, str]:
    """The case process's environment: ``src`` first on the path; bytecode cached as a
    user's Python does (this machine sets PYTHONDONTWRITEBYTECODE)."""
    env = {**os.environ, "PYTHONPATH": src}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run_readers(src: str, case: str, path: Path, repeat: int) -> dict:
    env = case_env(src)
    res = subprocess.run([sys.executable, "-c", READERS, case, str(path), str(repeat)],
                         capture_output=True, text=True, env=env)
    if res.returncode:
        raise SystemExit(f"readers {case} {path} failed:\n{res.stderr}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def run(src: str, kind: str, path: Path, opts: dict, repeat: int) -> dict:
    env = case_env(src)
    res = subprocess.run([sys.executable, "-c", CHILD, kind, str(path), json.dumps(opts),
                          str(repeat)], capture_output=True, text=True, env=env)
    if res.returncode:
        raise SystemExit(f"{kind} {path} failed with {src}:\n{res.stderr}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def explain(rows: list, reader_rows: list) -> list[str]:
    """The paragraph under the tables, with this run's numbers."""
    by = {name: (bc, ac, bw, aw) for name, bc, ac, bw, aw in rows}
    rd = dict(reader_rows)
    alf, alf_nb = by["ALF 10^7 spikes"], by["ALF 10^7 spikes, numba imported first"]
    npy, nwb = rd["ALF 10^7 .npy files"], rd["phy .nwb (in-process vs child)"]
    return [
        "Reading the tables: \"before\" is commit 9d3fed2 (before the safety work); the "
        "\"after\" tree also holds the other changes since, among them issue 15's engine "
        "choice: `SpikeTrains` construction runs NumPy code unless numba is already loaded, "
        "where before it always imported numba (0.3-0.5 s in a fresh process).  That is why "
        f"the 10^7-spike ALF session loads {alf[0] / alf[1]:.1f}x faster cold "
        f"({alf[0]:.2f} -> {alf[1]:.2f} s) but is slower on later calls in the same process "
        f"({alf[2]:.3f} -> {alf[3]:.3f} s, NumPy grouping instead of the warm kernel); in a "
        f"process that has imported numba the later calls take {alf_nb[3]:.3f} s against "
        f"{alf_nb[2]:.3f} s before ({alf_nb[3] / alf_nb[2]:.2f}x).  The safety itself: the "
        f"safe `.npy` reader takes {npy['new'] / npy['old']:.2f}x the time of `np.load` on "
        "the same 10^7-spike files (second table).  The MATLAB reader is a few tenths of a "
        "millisecond slower warm than `scipy.io.loadmat` but faster cold (no `scipy.io` "
        "import).  NWB is read in a child process (h5py/pynwb can hang or crash on a "
        f"damaged file): +{(nwb['new'] - nwb['old']) * 1e3:.0f} ms warm (pipe and `.npy` "
        f"framing) and +{nwb['new_cold'] - nwb['old_cold']:.2f} s on a process's first NWB "
        "read (the child starts and imports pynwb) — the price chosen for the caller's "
        "survival (docs/io.md).",
    ]


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
        ("ALF 10^7 spikes, numba imported first", "spikes", alf, {"numba_first": True}),
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
    # The safety's own cost: the old reader call and the new one in the same process.
    reader_cases = [
        ("phy .npy files (np.load vs safe reader)", "npy", REAL / "phy-neuropixels-120s"),
        ("IBL .npy files", "npy", REAL / "ibl-slidingrp-3units"),
        ("ALF 10^7 .npy files", "npy", alf),
        ("Allen epochs .npy files", "npy", REAL / "allen-vcnp-gratings-pseudopop"),
        ("nelpy .mat (loadmat vs own reader)", "mat", REAL / "nelpy-linear-track" / "spikes.mat"),
        ("phy .nwb (in-process vs child)", "nwb", conv[".nwb"]),
    ]
    reader_rows = []
    for name, case, path in reader_cases:
        best = None
        for _ in range(args.rounds):
            r = run_readers(args.after, case, path, args.repeat)
            best = r if best is None else {k: min(best[k], r[k]) for k in r}
        reader_rows.append((name, best))
        print(f"{name:40s} old {best['old']:.4f} s new {best['new']:.4f} s "
              f"({best['new'] / best['old']:.2f}x)", flush=True)
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
    lines += [
        "", "The safety's own cost, isolated: the previous reader call and the new one in "
        f"the same fresh process, warm best of {args.repeat} (min over {args.rounds} "
        "processes); the first timed call includes the NWB child's start.", "",
        "| reader | previous (s) | safe (s) | safe/previous | previous cold (s) | safe cold (s) |",
        "|---|---|---|---|---|---|",
    ]
    for name, r in reader_rows:
        lines.append(f"| {name} | {r['old']:.4f} | {r['new']:.4f} | {r['new'] / r['old']:.2f}x "
                     f"| {r['old_cold']:.3f} | {r['new_cold']:.3f} |")
    lines += ["", *explain(rows, reader_rows)]
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
