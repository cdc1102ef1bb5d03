"""Batch on Dask over a brain-wide-like corpus: wall time, scaling, overhead, memory, faults.

Corpus: ``ck.datasets.brain_wide_like`` ALF sessions (about 300 units x 1 h, 1.4 M spikes
each), generated once and cached on disk (default ``/work/.cache/cortexkit-corpus``, or
``--cache DIR``; never in the repository).  ``--corpus full`` is 700 sessions (about 10^9
spikes, 12 GB), ``--corpus small`` their first 70 (a tenth), ``--quick`` 8 short ones.

Every case runs in a fresh process (``--case``), as a user would start it:

- ``cold``: ``ck.batch.run(corpus, out, workers=N)`` end to end (local cluster start-up,
  the workers' analysis processes and their imports included), default analyses; the RSS
  of the client, the workers and their analysis processes sampled every 0.2 s;
- ``warm``: a LocalCluster of N workers started and warmed up (one tiny session per
  worker), then ``ck.batch.run(corpus, out, scheduler=address)`` timed;
- ``loop``: a plain loop of ``ck.batch.analyze_recording`` over the sessions in one
  process (after one tiny warm-up call): the no-Dask baseline; run twice, as a user
  would (glibc malloc as it comes) and with the malloc settings the batch gives its
  analysis processes (``loop_malloc``): the like-for-like baseline, so the overhead
  check measures what Dask, the analysis-process pipe and the part writes cost.

Faults (small corpus, hard links to a scratch copy, analyses = the default + a probe that
hangs on one session; timeout 20 s): SIGKILL of the client mid-run, rerun with SIGKILL of
a worker mid-run, a corrupt session, a hanging session, a session changed before a third
run; the final table must equal a clean run's on the final corpus, every rerun must
compute exactly what was missing, failed or changed (counted), and every part file must
read whole at every point.  Usage::

    python benchmarks/bench_batch.py --corpus small|full [--cache DIR] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

HERE = Path(__file__).resolve().parent
CACHE = Path("/work/.cache/cortexkit-corpus")
SIZES = {"full": 700, "small": 70, "quick": 8}
TIMEOUT = 20.0


def hang_probe(st):
    """An analysis for the fault runs: hangs on a session with ``clusters.hang.npy``."""
    import pandas as pd

    if st.unit_info is not None and "hang" in st.unit_info.columns:
        time.sleep(3600)
    return pd.DataFrame({"unit": st.unit_ids, "probe": 0.0})


def _register_probe():
    import cortexkit as ck

    ck.batch.ANALYSES["hang_probe"] = ck.batch.Analysis(
        "hang_probe", "bench_batch:hang_probe", {"probe": "float64"})
    return [*ck.batch.DEFAULT_ANALYSES, "hang_probe"]


# ---------------------------------------------------------------------- corpus

def corpus(cache: Path, kind: str) -> tuple[Path, float | None]:
    """The corpus folder (sessions only) and the generation time (None when cached)."""
    import cortexkit as ck

    full = cache / ("brain_wide-quick" if kind == "quick" else "brain_wide-seed0")
    n = SIZES[kind]
    kwargs = {"n_units": 40, "duration": 300.0} if kind == "quick" else {}
    have = len(list(full.glob("session_*")))
    t0 = time.perf_counter()
    ck.datasets.brain_wide_like(full, max(n, have) if kind != "quick" else n, **kwargs)
    generated = time.perf_counter() - t0 if have < n else None
    if kind != "small":
        return full, generated
    view = cache / "brain_wide-seed0-first70"  # a folder of the first 70, as symlinks
    if not view.is_dir() or len(list(view.iterdir())) != n:
        shutil.rmtree(view, ignore_errors=True)
        view.mkdir(parents=True)
        for i in range(n):
            (view / f"session_{i:03d}").symlink_to(full / f"session_{i:03d}")
    return view, generated


def sessions_of(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name.startswith("session_"))


def spike_bytes(session: Path) -> int:
    return sum((session / f"spikes.{a}.npy").stat().st_size for a in ("times", "clusters"))


def n_spikes(folder: Path) -> int:
    import numpy as np

    return sum(np.load(s / "spikes.clusters.npy", mmap_mode="r").shape[0]
               for s in sessions_of(folder))


# ---------------------------------------------------------------------- cases

class _Sampler(threading.Thread):
    """RSS of this process and of every descendant, sampled every 0.2 s."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        import psutil

        self.me = psutil.Process()
        self.peak: dict[int, dict] = {}
        self.client: list[int] = []
        self.stop = threading.Event()

    def run(self) -> None:
        import psutil

        while not self.stop.is_set():
            self.client.append(self.me.memory_info().rss)
            for p in self.me.children(recursive=True):
                try:
                    rss = p.memory_info().rss
                    if p.pid not in self.peak:
                        cmd = " ".join(p.cmdline())
                        self.peak[p.pid] = {"ppid": p.ppid(), "rss": 0,
                                            "child": "batch._child" in cmd,
                                            "worker": "spawn_main" in cmd}
                    info = self.peak[p.pid]
                    info["rss"] = max(info["rss"], rss)
                except psutil.Error:
                    pass
            time.sleep(0.2)

    def report(self) -> dict:
        kids = {pid: i for pid, i in self.peak.items() if i["child"]}
        workers = {pid: i for pid, i in self.peak.items() if i["worker"]}
        pair = 0
        for pid, w in workers.items():
            own = max([k["rss"] for k in kids.values() if k["ppid"] == pid], default=0)
            pair = max(pair, w["rss"] + own)
        c = self.client
        return {"client_peak": max(c), "client_median": sorted(c)[len(c) // 2],
                "worker_peak": max([w["rss"] for w in workers.values()], default=0),
                "analysis_peak": max([k["rss"] for k in kids.values()], default=0),
                "worker_plus_analysis_peak": pair}


def case_cold(folder: str, out: str, workers: int, probe: bool = False) -> dict:
    import cortexkit as ck

    analyses = _register_probe() if probe else None
    sampler = _Sampler()
    sampler.start()
    t0 = time.perf_counter()
    s = ck.batch.run([folder], out, analyses=analyses, workers=workers,
                     timeout=TIMEOUT if probe else None)
    wall = time.perf_counter() - t0
    sampler.stop.set()
    sampler.join()
    return {"wall": wall, "done": s.done, "failed": s.failed, "skipped": s.skipped,
            "computed": s.computed, "errors": s.errors, "n_rows": s.n_rows,
            **sampler.report()}


def case_warm(folder: str, out: str, workers: int, tiny: str) -> dict:
    import logging

    from distributed import LocalCluster

    import cortexkit as ck

    t0 = time.perf_counter()
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      host="127.0.0.1", dashboard_address=None,
                      scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                      silence_logs=logging.ERROR) as cluster:
        startup = time.perf_counter() - t0
        t1 = time.perf_counter()
        from distributed import Client

        from cortexkit.batch._sandbox import prestart

        with Client(cluster) as client:  # every worker's analysis process up and warm
            client.run(prestart)
        # a new warm-up directory each time: a rerun into an old one would compute nothing
        warm = Path(out).with_name(f"{Path(out).name}-warmup")
        ck.batch.run([tiny], warm, scheduler=cluster.scheduler_address)
        warmup = time.perf_counter() - t1
        t2 = time.perf_counter()
        s = ck.batch.run([folder], out, scheduler=cluster.scheduler_address)
        wall = time.perf_counter() - t2
    return {"startup": startup, "warmup": warmup, "wall": wall, "done": s.done,
            "failed": s.failed}


def case_loop(folder: str, tiny: str) -> dict:
    import cortexkit as ck

    ck.batch.analyze_recording(sessions_of(Path(tiny))[0])  # warm-up: imports, numba
    paths = sessions_of(Path(folder))
    t0 = time.perf_counter()
    for p in paths:
        ck.batch.analyze_recording(p)
    return {"wall": time.perf_counter() - t0, "n": len(paths)}


def _fresh(case: str, env: dict | None = None, **kwargs) -> dict:
    """Run a case in a fresh process (``env``: extra environment); its JSON result."""
    cmd = [sys.executable, str(Path(__file__)), "--case", case, "--args", json.dumps(kwargs)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=HERE,
                          env={**os.environ, **(env or {})})
    if proc.returncode != 0:
        raise RuntimeError(f"case {case} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _spawn(case: str, **kwargs) -> subprocess.Popen:
    cmd = [sys.executable, str(Path(__file__)), "--case", case, "--args", json.dumps(kwargs)]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=HERE, start_new_session=True)


# ---------------------------------------------------------------------- faults

def _parts(out: Path) -> dict[str, dict]:
    """recording -> provenance of every part (each part read whole, else an error)."""
    import pyarrow.parquet as pq

    found = {}
    for p in out.glob("part-*.parquet"):
        table = pq.read_table(p)  # raises on a half-written file
        meta = json.loads(table.schema.metadata[b"cortexkit"])
        found[meta["recording"]] = dict(meta, mtime_ns=p.stat().st_mtime_ns)
    return found


def _wait_parts(proc, out: Path, n: int, since_ns: int = 0) -> None:
    deadline = time.monotonic() + 900
    while True:
        if out.is_dir():
            fresh = [p for p in out.glob("part-*.parquet") if p.stat().st_mtime_ns > since_ns]
            if len(fresh) >= n:
                return
        if proc.poll() is not None:
            raise RuntimeError(f"the batch ended early: {proc.communicate()}")
        if time.monotonic() > deadline:
            raise RuntimeError("no progress")
        time.sleep(0.05)


def _group_gone(pgid: int, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def _scratch(folder: Path, root: Path) -> tuple[Path, dict[str, str]]:
    """Hard-linked copy of the corpus plus a corrupt and a hanging session."""
    import numpy as np

    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    for s in sessions_of(folder):
        dst = root / s.name
        dst.mkdir()
        for f in s.resolve().iterdir():
            os.link(f, dst / f.name)
    first = sessions_of(root)[0]
    corrupt = root / "session_corrupt"
    corrupt.mkdir()
    for f in first.iterdir():
        os.link(f, corrupt / f.name)
    times = corrupt / "spikes.times.npy"
    data = times.read_bytes()
    times.unlink()  # a new file: the cached corpus is not touched
    times.write_bytes(data[: len(data) // 2])
    hang = root / "session_hang"
    hang.mkdir()
    for f in sessions_of(root)[1].iterdir():
        os.link(f, hang / f.name)
    n_units = np.load(hang / "clusters.depths.npy").size
    np.save(hang / "clusters.hang.npy", np.zeros(n_units))
    return root, {"corrupt": str(corrupt), "hang": str(hang)}


def _change(session: Path) -> None:
    """Drop the last 1000 spikes of a session (new files, links to the cache untouched)."""
    import numpy as np

    for name in ("spikes.times.npy", "spikes.clusters.npy"):
        arr = np.load(session / name)
        (session / name).unlink()
        np.save(session / name, arr[:-1000])


def faults(folder: Path, cache: Path) -> dict:
    import duckdb
    import pandas as pd

    import cortexkit as ck

    root, special = _scratch(folder, cache / f"scratch-{os.getpid()}")
    work = Path(tempfile.mkdtemp(prefix="bench-batch-", dir=cache))
    out, ref = work / "out", work / "reference"
    everything = {r for r, _ in ck.batch.find_recordings([root])}
    good = everything - set(special.values())
    res: dict = {"n_recordings": len(everything)}
    try:
        # 1. SIGKILL of the client after a third of the parts
        proc = _spawn("cold", folder=str(root), out=str(out), workers=2, probe=True)
        _wait_parts(proc, out, len(everything) // 3)
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate()
        res["client_kill_processes_gone"] = _group_gone(proc.pid)
        before = _parts(out)
        res["after_client_kill_parts"] = len(before)
        res["after_client_kill_temporaries"] = len(list(out.glob(".*.tmp")))
        done_before = {r for r, m in before.items() if m["error"] is None}

        # 2. rerun; SIGKILL of a worker process after 10 more parts
        t0 = time.time_ns()
        proc = _spawn("cold", folder=str(root), out=str(out), workers=2, probe=True)
        _wait_parts(proc, out, max(1, (len(everything) - len(before)) // 4), since_ns=t0)
        import psutil

        me = psutil.Process(proc.pid)
        workers = [p for p in me.children(recursive=True) if "spawn_main" in
                   " ".join(p.cmdline())]
        victim = workers[0]
        victim.kill()
        stdout, _ = proc.communicate()
        second = json.loads(stdout.strip().splitlines()[-1])
        res["worker_killed"] = victim.pid
        res["rerun_computed"] = len(second["computed"])
        res["rerun_expected"] = len(everything - done_before)
        res["rerun_exact"] = set(second["computed"]) == everything - done_before
        res["rerun_failed"] = sorted(second["errors"])
        _parts(out)

        # 3. a session changes; the third run computes it and the two failed ones only
        changed = sorted(good)[5]
        _change(Path(changed))
        third = _fresh("cold", folder=str(root), out=str(out), workers=2, probe=True)
        res["third_computed"] = sorted(third["computed"])
        res["third_exact"] = set(third["computed"]) == {changed, *special.values()}
        res["temporaries_left"] = len(list(out.glob(".*")))

        # 4. a clean run on the final corpus: the same table
        _fresh("cold", folder=str(root), out=str(ref), workers=2, probe=True)
        key = ["recording", "unit"]
        a = pd.read_parquet(out).sort_values(key).reset_index(drop=True)
        b = pd.read_parquet(ref).sort_values(key).reset_index(drop=True)
        pd.testing.assert_frame_equal(a, b)
        res["final_equals_clean"] = True
        errors = a[a["error"].notna()]
        res["error_rows"] = {r: m[:90] for r, m in zip(errors["recording"], errors["error"],
                                                       strict=True)}
        res["deliberate_errors_only"] = set(errors["recording"]) == set(special.values())

        # 5. DuckDB reads the dataset: per-recording median CV as in process
        t0 = time.perf_counter()
        med = duckdb.sql(f"SELECT recording, median(cv) AS m FROM read_parquet('{out}/*.parquet')"
                         " WHERE error IS NULL GROUP BY recording").df()
        res["duckdb_seconds"] = time.perf_counter() - t0
        med = med.set_index("recording")["m"]
        worst = 0.0
        for r in sorted(good)[:10]:
            want = ck.isi.stats(ck.io.load_spikes(r))["cv"].median()
            worst = max(worst, abs(med[r] - want) / abs(want))
        res["duckdb_median_cv_max_rel_diff"] = worst
    finally:
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    return res


# ---------------------------------------------------------------------- report

def _mb(b: float) -> str:
    return f"{b / 2**20:.0f} MB"


def render(results: dict) -> str:
    lines = ["# Batch on Dask over a brain-wide-like corpus (`ck.batch.run`) — benchmark", "",
             "`python benchmarks/bench_batch.py --corpus small|full`; corpus: "
             "`ck.datasets.brain_wide_like` ALF sessions (seed 0), cached under "
             f"`{CACHE}`. Default analyses (`isi_stats`, `isi_fits`, `entropy`); 1 thread "
             "per worker; every case in a fresh process.", ""]
    for kind in ("full", "small", "quick"):
        r = results.get(kind)
        if not r:
            continue
        lines += [f"## {kind} corpus: {r['n_sessions']} sessions, {r['n_spikes'] / 1e6:.0f} M "
                  f"spikes ({r['when']})", "",
                  f"Machine: {r['machine']}; load average at the end {r['load']}.",
                  *([f"**The machine was loaded (load average {r['load']} on 2 cores): wall "
                     "times, speed-up and overhead are not meaningful; memory, faults and "
                     "DuckDB are.**"] if float(r["load"].split(",")[0]) > 3.0 else []),
                  f"Generation: {r['generation']}.", ""]
        cold = r.get("cold")
        lines += ["| case | wall (s) | per session (ms) | M spikes/s |", "|---|---:|---:|---:|"]
        rows = [("cold end to end, 2 workers (cluster start included)"
                 + (f"; load {cold['load1']:.1f} after" if "load1" in cold else ""),
                 cold["wall"])] if cold else []
        for name in ("warm1", "warm2"):
            if name in r:
                rows.append((f"warm LocalCluster, {name[-1]} worker(s) (start-up "
                             f"{r[name]['startup']:.1f} s + warm-up {r[name]['warmup']:.1f} s "
                             "not included)", r[name]["wall"]))
        if "loop" in r:
            rows.append(("plain loop of analyze_recording, 1 process", r["loop"]["wall"]))
        if "loop_malloc" in r:
            rows.append(("the same loop with the analysis processes' malloc settings",
                         r["loop_malloc"]["wall"]))
        for name, wall in rows:
            lines.append(f"| {name} | {wall:.1f} | {1000 * wall / r['n_sessions']:.0f} | "
                         f"{r['n_spikes'] / wall / 1e6:.1f} |")
        if r.get("rounds", 1) > 1:
            lines += ["", f"Warm and loop rows: fastest of {r['rounds']} interleaved rounds "
                      "(fresh processes); all rounds (s): " + "; ".join(
                          f"{n} {', '.join(f'{w:.1f}' for w in r[n].get('walls', []))}"
                          for n in ("warm1", "warm2", "loop", "loop_malloc") if n in r),
                      "1-minute load average after each round: " + "; ".join(
                          f"{n} {', '.join(f'{x:.1f}' for x in r[n].get('loads', []))}"
                          for n in ("warm1", "warm2", "loop", "loop_malloc") if n in r)]
        lines.append("")
        if "warm1" in r and "warm2" in r:
            speedup = r["warm1"]["wall"] / r["warm2"]["wall"]
            lines.append(f"- **2 vs 1 workers (warm): {speedup:.2f}x**")
        if "warm1" in r and "loop" in r:
            over = (r["warm1"]["wall"] - r["loop"]["wall"]) / r["warm1"]["wall"]
            lines.append(f"- Dask overhead, 1 worker vs the plain loop: {100 * over:.1f} % of "
                         "the wall time")
        if "warm1" in r and "loop_malloc" in r:
            over = (r["warm1"]["wall"] - r["loop_malloc"]["wall"]) / r["warm1"]["wall"]
            lines.append(f"- **Dask overhead, 1 worker vs the like-for-like loop (same malloc "
                         f"settings): {100 * over:.1f} % of the wall time** (submission, "
                         "scheduling, the analysis process's pipe, writing the parts)")
        lines += [] if not cold else [f"- Peak RSS: client {_mb(cold['client_peak'])} (median "
                  f"{_mb(cold['client_median'])}); worker process {_mb(cold['worker_peak'])}, "
                  f"its analysis process {_mb(cold['analysis_peak'])}, the two together "
                  f"{_mb(cold['worker_plus_analysis_peak'])}; largest session's spike arrays "
                  f"{_mb(r['largest_spike_bytes'])}, so the budget 3x + 600 MB is "
                  f"{_mb(3 * r['largest_spike_bytes'] + 600 * 2**20)}", ""]
        checks = []
        if cold:
            budget = 3 * r["largest_spike_bytes"] + 600 * 2**20
            checks.append(("worker + its analysis process < 3x largest session + 600 MB",
                           cold["worker_plus_analysis_peak"] < budget))
            checks.append(("client < 600 MB", cold["client_peak"] < 600 * 2**20))
            if kind == "full":
                checks.append(("full corpus cold < 300 s", cold["wall"] < 300))
        if "warm1" in r and "warm2" in r:
            checks.append(("2 vs 1 workers >= 1.8x", r["warm1"]["wall"] / r["warm2"]["wall"]
                           >= 1.8))
        base = r.get("loop_malloc", r.get("loop"))
        if "warm1" in r and base:
            checks.append(("Dask overhead <= 10 % (like for like)",
                           r["warm1"]["wall"] <= base["wall"] / 0.9))
        if checks:
            lines += ["Checks: " + "; ".join(f"{n}: **{'yes' if ok else 'NO'}**"
                                             for n, ok in checks), ""]
        f = r.get("faults")
        if f:
            lines += ["Faults (scratch copy of this corpus + a corrupt and a hanging session, "
                      f"timeout {TIMEOUT:g} s):", "",
                      f"- SIGKILL of the client after a third: {f['after_client_kill_parts']} "
                      f"parts, all whole; {f['after_client_kill_temporaries']} temporary files "
                      f"left (removed by the next run); its cluster gone: "
                      f"{f['client_kill_processes_gone']}",
                      f"- rerun with SIGKILL of a worker mid-run: computed "
                      f"{f['rerun_computed']} (expected {f['rerun_expected']}: missing + "
                      f"failed), exactly those: {f['rerun_exact']}",
                      f"- a session changed, third run computed {len(f['third_computed'])} "
                      f"(the changed one and the two failed ones): exact {f['third_exact']}; "
                      f"temporary files left {f['temporaries_left']}",
                      f"- final table equals a clean run's on the final corpus: "
                      f"{f['final_equals_clean']}; error rows only the deliberate ones: "
                      f"{f['deliberate_errors_only']}",
                      *[f"  - `{Path(k).name}`: {v}" for k, v in f["error_rows"].items()],
                      f"- DuckDB `median(cv)` per recording over the dataset in "
                      f"{f['duckdb_seconds']:.2f} s; max relative difference to the in-process "
                      f"`ck.isi.stats` median: {f['duckdb_median_cv_max_rel_diff']:.1e}", ""]
    full, small = results.get("full"), results.get("small")
    if full and small and "cold" in full and "cold" in small:
        t_full, t_small = full["cold"]["wall"], small["cold"]["wall"]
        per_spike = (t_small / small["n_spikes"]) / (t_full / full["n_spikes"])
        lines += ["## Scaling small -> full", "",
                  f"- full corpus cold end to end: **{t_full:.0f} s** (budget 300 s)",
                  f"- small / (full / 10): {t_small / (t_full / 10):.2f} (by sessions); per "
                  f"spike small vs full: {per_spike:.2f} (1.00 is linear; the cold numbers "
                  "include the fixed cluster start-up)",
                  f"- client peak RSS small {_mb(small['cold']['client_peak'])}, full "
                  f"{_mb(full['cold']['client_peak'])} (flat: "
                  f"{full['cold']['client_peak'] < 1.1 * small['cold']['client_peak']})", ""]
        if "warm2" in full and "warm2" in small:
            w = (small["warm2"]["wall"] / small["n_spikes"]) / (full["warm2"]["wall"] /
                                                                 full["n_spikes"])
            lines.append(f"- warm, 2 workers, per spike small vs full: {w:.2f}")
            lines.append("")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", choices=("small", "full"), default="small")
    ap.add_argument("--cache", type=Path, default=CACHE)
    ap.add_argument("--quick", action="store_true", help="8 short sessions; no results file")
    ap.add_argument("--cases", default="cold,warm1,warm2,loop,faults",
                    help="comma-separated subset of cold,warm1,warm2,loop,faults "
                         "(faults run on the small and quick corpora only)")
    ap.add_argument("--rounds", type=int, default=None,
                    help="interleaved rounds of warm1/warm2/loop (default 3; full: 1)")
    ap.add_argument("--render", action="store_true",
                    help="rewrite results/batch.md from results/batch.json and stop")
    ap.add_argument("--case")
    ap.add_argument("--args")
    args = ap.parse_args()
    if args.case:
        fn = {"cold": case_cold, "warm": case_warm, "loop": case_loop}[args.case]
        print(json.dumps(fn(**json.loads(args.args))))
        return
    store = HERE / "results" / "batch.json"
    if args.render:
        (HERE / "results" / "batch.md").write_text(render(json.loads(store.read_text())))
        return
    import cortexkit as ck
    from _common import cpu_model

    kind = "quick" if args.quick else args.corpus
    folder, generated = corpus(args.cache, kind)
    tiny = args.cache / "brain_wide-tiny"
    ck.datasets.brain_wide_like(tiny, 6, n_units=20, duration=30.0)  # >= 2 per worker
    sessions = sessions_of(folder)
    r: dict = {"n_sessions": len(sessions), "n_spikes": n_spikes(folder),
               "largest_spike_bytes": max(spike_bytes(s) for s in sessions),
               "generation": "cached" if generated is None else f"{generated:.0f} s",
               "when": time.strftime("%Y-%m-%d %H:%M %Z"),
               "machine": f"{cpu_model()}, {os.cpu_count()} cores"}
    work = Path(tempfile.mkdtemp(prefix="bench-batch-out-", dir=args.cache))
    cases = set(args.cases.split(","))
    rounds = args.rounds or (1 if kind == "full" else 3)
    r["rounds"] = rounds
    try:
        if "cold" in cases:
            r["cold"] = _fresh("cold", folder=str(folder), out=str(work / "cold"), workers=2)
            r["cold"]["load1"] = os.getloadavg()[0]
            print(f"cold: {r['cold']['wall']:.1f} s", flush=True)
        # interleaved rounds, each case in a fresh process; the fastest round is kept
        for k in range(rounds):
            for name in ("warm1", "warm2", "loop", "loop_malloc"):
                if name.split("_")[0] not in cases:
                    continue
                if name == "loop":
                    got = _fresh("loop", folder=str(folder), tiny=str(tiny))
                elif name == "loop_malloc":
                    from cortexkit.batch._sandbox import _MALLOC_ENV

                    got = _fresh("loop", env=_MALLOC_ENV, folder=str(folder), tiny=str(tiny))
                else:
                    got = _fresh("warm", folder=str(folder), out=str(work / f"{name}-{k}"),
                                 workers=int(name[-1]), tiny=str(tiny))
                    shutil.rmtree(work / f"{name}-{k}", ignore_errors=True)
                    shutil.rmtree(work / f"{name}-{k}-warmup", ignore_errors=True)
                got["walls"] = r.get(name, {}).get("walls", []) + [got["wall"]]
                got["loads"] = r.get(name, {}).get("loads", []) + [os.getloadavg()[0]]
                if name not in r or got["wall"] < r[name]["wall"]:
                    r[name] = got
                else:
                    r[name]["walls"], r[name]["loads"] = got["walls"], got["loads"]
                print(f"round {k} {name}: {got['wall']:.1f} s", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if "faults" in cases and kind != "full":
        r["faults"] = faults(folder, args.cache)
    r["load"] = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    results = json.loads(store.read_text()) if store.exists() else {}
    results[kind] = {**results.get(kind, {}), **r}  # cases not run keep their last values
    text = render(results)
    print(text)
    if kind != "quick":
        store.write_text(json.dumps(results, indent=1))
        (HERE / "results" / "batch.md").write_text(text)


if __name__ == "__main__":
    main()
