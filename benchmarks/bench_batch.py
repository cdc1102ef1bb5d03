"""Batch of recordings: Dask with 1 vs 2 local workers, against plain in-process loops.

Timed on the same recordings (synthetic Steinmetz-like sessions saved as .npz), for a set
of realistic recordings (the speed-up) and a set of tiny ones (where the per-recording
overhead of Dask dominates):

- plain loop: ``ck.batch.analyze_recording`` over the files in this process, no Dask;
- ProcessPoolExecutor(2): the same function in two processes, no Dask (the no-framework
  parallel baseline);
- ``ck.batch.run`` on an already running LocalCluster with 1 and with 2 worker processes
  (one thread each): the speed-up 2 vs 1, and the Dask overhead per recording
  ``(t_dask_1_worker - t_plain_loop) / n_recordings``;
- ``ck.batch.run(workers=2)`` end to end with its own local cluster (start-up included).

Workers are warmed up (imports, numba caches) before timing, and every process runs
single-threaded BLAS (as Dask's worker processes do) so the loops compare like with like.
The configurations are timed in interleaved rounds and the fastest round of each is
reported, which is what survives best on a shared machine.  CPU time (user + system of
this process and of the pool / worker and nanny processes of that configuration, best
round) is reported too: unlike wall time it is not inflated by other load on the machine,
so the CPU overhead per recording of Dask stays meaningful on a busy machine.  Usage::

    python benchmarks/bench_batch.py [--quick] [--recordings N] [--rounds R]
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import cortexkit as ck  # noqa: E402

HERE = Path(__file__).resolve().parent
IDLE_SECONDS = 4.0
METHOD = (
    "Job per recording (the same function everywhere, `ck.batch.analyze_recording`): load "
    "the .npz (`ck.io.load_spikes`), `ck.isi.stats`, `ck.isi.fit_all` (5 ML distribution "
    "fits per unit, best by AIC), `ck.information.isi_entropy`, on synthetic "
    "`ck.datasets.steinmetz_like` sessions. Contenders: a plain in-process loop, a "
    "`ProcessPoolExecutor(2)` (no Dask), `ck.batch.run` on an already running `LocalCluster` "
    "with 1 and 2 worker processes (1 thread each), and `ck.batch.run(workers=2)` end to end. "
    "Configurations are timed in interleaved rounds (fastest kept, median shown); BLAS is "
    "pinned to 1 thread in every process (as in Dask's workers); workers are warmed up first "
    "(imports, numba caches). CPU time = user + system of this process and of the pool / "
    "worker + nanny processes of that configuration (its least-CPU round).")
READING = (
    "Reading: Dask adds a per-recording cost (submission, scheduling round trips, shipping "
    "the per-unit result columns, and the worker's own event loop, heartbeats and memory "
    "monitor running beside the task) and a fixed cost for starting a local cluster, so on "
    "one machine a plain "
    "process pool is faster; the relative cost per recording is in the bullets above. Dask "
    "earns its place with many recordings on several machines (`--scheduler`) and with the "
    "fault tolerance the tests check: a killed worker's tasks are rerun, a bad file becomes "
    "one error row, an interrupted run resumes where it stopped.")
CONFIGS = ("plain loop, in process (no Dask)", "ProcessPoolExecutor, 2 processes (no Dask)",
           "ck.batch.run, Dask 1 worker", "ck.batch.run, Dask 2 workers")


from _common import cpu_model as _cpu_model  # noqa: E402


def _make_recordings(folder: Path, n: int, n_units: int, duration: float) -> list[str]:
    folder.mkdir()
    paths = []
    for i in range(n):
        st = ck.datasets.steinmetz_like(seed=i, n_units=n_units, duration=duration)
        path = folder / f"rec{i:03d}.npz"
        ck.io.save_spikes(st, path)
        paths.append(str(path))
    return paths


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of this process and the processes ``pids``."""
    import psutil

    total = time.process_time()
    for pid in pids:
        t = psutil.Process(pid).cpu_times()
        total += t.user + t.system
    return total


def _timed(fn, *args, pids: tuple[int, ...] = ()) -> tuple[float, float]:
    """Wall-clock seconds and CPU seconds (this process + ``pids``) of ``fn(*args)``."""
    c0, t0 = _cpu_seconds(list(pids)), time.perf_counter()
    fn(*args)
    return time.perf_counter() - t0, _cpu_seconds(list(pids)) - c0


def _cluster_pids(cluster) -> tuple[int, ...]:
    """Worker processes of a LocalCluster and their nannies."""
    import psutil
    from distributed import Client

    with Client(cluster) as client:
        pids = list(client.run(os.getpid).values())
    return tuple(pids + [psutil.Process(p).ppid() for p in pids])


def _local_cluster(n_workers: int):
    from distributed import LocalCluster

    return LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                        dashboard_address=None, host="127.0.0.1", silence_logs=logging.ERROR,
                        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"})


def _runners(paths: list[str], folder: Path, pool, addr1: str, addr2: str) -> dict:
    """``{config: fn(round)}`` for the four configurations."""
    def dask(addr: str, tag: str):
        def go(k: int) -> None:
            s = ck.batch.run(paths, folder / f"{tag}-{k}.parquet", scheduler=addr,
                             progress=False)
            assert s.done == len(paths) and s.failed == 0, s

        return go

    return {
        CONFIGS[0]: lambda k: [ck.batch.analyze_recording(p) for p in paths],
        CONFIGS[1]: lambda k: list(pool.map(ck.batch.analyze_recording, paths)),
        CONFIGS[2]: dask(addr1, "d1"),
        CONFIGS[3]: dask(addr2, "d2"),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true",
                    help="small smoke run (results/batch.md is not rewritten)")
    ap.add_argument("--recordings", type=int, default=None)
    ap.add_argument("--rounds", type=int, default=None)
    args = ap.parse_args()
    n = args.recordings or (8 if args.quick else 40)
    rounds = args.rounds or (1 if args.quick else 2)
    sets = {"realistic": (10, 60.0) if args.quick else (60, 600.0),
            "tiny": (10, 10.0)}

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        data = {name: _make_recordings(folder / name, n, u, d)
                for name, (u, d) in sets.items()}
        times: dict[tuple[str, str], list[tuple[float, float]]] = {}
        with ProcessPoolExecutor(2) as pool, _local_cluster(1) as c1, _local_cluster(2) as c2:
            addr1, addr2 = c1.scheduler_address, c2.scheduler_address
            for name, paths in data.items():
                # warm-up: imports and numba caches in this process and every worker
                for fn in _runners(paths[:4], folder / name, pool, addr1, addr2).values():
                    fn(-1)
            pids = {CONFIGS[0]: (), CONFIGS[1]: tuple(pool._processes),
                    CONFIGS[2]: _cluster_pids(c1), CONFIGS[3]: _cluster_pids(c2)}
            # CPU per second while nothing runs: this process (it hosts both schedulers)
            # and the worker + nanny processes of the 1-worker cluster
            idle_main = _timed(time.sleep, IDLE_SECONDS)[1] / IDLE_SECONDS
            idle_c1 = _timed(time.sleep, IDLE_SECONDS, pids=pids[CONFIGS[2]])[1] / IDLE_SECONDS
            idle_c1 -= idle_main
            for k in range(rounds):
                for name, paths in data.items():
                    runners = _runners(paths, folder / name, pool, addr1, addr2)
                    for config, fn in runners.items():
                        times.setdefault((name, config), []).append(
                            _timed(fn, k, pids=pids[config]))
        e2e, _ = _timed(lambda: ck.batch.run(data["realistic"], folder / "e2e.parquet",
                                             workers=2, progress=False))

    text = _report(n, rounds, sets, times, idle_main, idle_c1, e2e)
    print(text)
    if not args.quick:
        (HERE / "results" / "batch.md").write_text(text)


def _report(n, rounds, sets, times, idle_main, idle_c1, e2e) -> str:
    """The results as markdown (also written to results/batch.md by a full run)."""
    load_avg = os.getloadavg()
    load = ", ".join(f"{x:.1f}" for x in load_avg)
    out = ["# Batch of recordings on Dask (`ck.batch.run`) — benchmark", "",
           f"`python benchmarks/bench_batch.py` ({time.strftime('%Y-%m-%d %H:%M %Z')}); "
           f"machine: {_cpu_model()}, {os.cpu_count()} cores; Python "
           f"{sys.version.split()[0]}; load average at the end {load}.", "",
           METHOD, ""]
    for name, (u, d) in sets.items():
        wall = {c: [w for w, _ in times[(name, c)]] for c in CONFIGS}
        # the round with the least CPU, and its wall time (for the idle correction)
        cpu_round = {c: min(times[(name, c)], key=lambda wc: wc[1]) for c in CONFIGS}
        cpu = {c: cpu_round[c][1] for c in CONFIGS}
        best = {c: min(wall[c]) for c in CONFIGS}
        t_loop = best[CONFIGS[0]]
        out += [f"## {name}: {n} recordings of {u} units x {d:.0f} s, best of {rounds} "
                "rounds", "",
                "| run | wall best (s) | wall median (s) | wall per recording (ms) "
                "| vs plain loop | CPU per recording (ms) |",
                "|---|---:|---:|---:|---:|---:|"]
        for c in CONFIGS:
            out.append(f"| {c} | {best[c]:.2f} | {statistics.median(wall[c]):.2f} "
                       f"| {1000 * best[c] / n:.1f} | {t_loop / best[c]:.2f}x "
                       f"| {1000 * cpu[c] / n:.1f} |")
        d1, d2 = best[CONFIGS[2]], best[CONFIGS[3]]
        loop_net = cpu[CONFIGS[0]] - idle_main * cpu_round[CONFIGS[0]][0]
        d1_net = cpu[CONFIGS[2]] - (idle_main + idle_c1) * cpu_round[CONFIGS[2]][0]
        cpu_extra = cpu[CONFIGS[2]] - cpu[CONFIGS[0]]
        out += ["",
                f"- **speed-up 2 vs 1 Dask workers (wall): {d1 / d2:.2f}x** "
                f"({os.cpu_count()} cores)",
                f"- **Dask overhead per recording**, 1 worker vs plain loop: wall "
                f"{1000 * (d1 - t_loop) / n:.1f} ms; CPU {1000 * cpu_extra / n:.1f} ms, of "
                f"which {1000 * (d1_net - loop_net) / n:.1f} ms per task once the idle "
                "ticking of the Dask processes is taken out",
                f"- Dask 1 worker takes {100 * (d1 / t_loop - 1):.0f} % longer than the plain "
                f"loop; Dask 2 workers take {d2 / best[CONFIGS[1]]:.2f}x the wall time of "
                "ProcessPoolExecutor(2)", ""]
    d2 = min(w for w, _ in times[("realistic", CONFIGS[3])])
    out += [f"Idle CPU of Dask itself: this process (2 in-process schedulers, client, idle "
            f"pool) {100 * idle_main:.1f} % of a core; worker + nanny of a 1-worker cluster "
            f"{100 * idle_c1:.1f} % of a core (event-loop ticks, heartbeats, memory monitor).",
            "",
            f"End to end, `ck.batch.run(workers=2)` with its own local cluster on the realistic "
            f"set: {e2e:.2f} s, i.e. {e2e - d2:.2f} s for starting (spawning nanny + worker "
            "processes, imports, numba caches) and stopping the cluster.", ""]
    if load_avg[0] > 1.5 * (os.cpu_count() or 1):
        out += [f"**The machine was busy with other work (load average {load_avg[0]:.1f} on "
                f"{os.cpu_count()} cores)**: two busy workers only get the CPU share the other "
                "processes leave them, so the wall-clock speed-up of a second worker cannot "
                "show here. CPU time is less affected, but the Dask rows include the idle "
                "ticking of the Dask processes, which grows with the (inflated) wall time; the "
                "per-task figure net of idle ticking is the better measure of Dask's own cost. "
                "Rerun on an idle machine for the real speed-up.", ""]
    out += [READING]
    return "\n".join(out) + "\n"

if __name__ == "__main__":
    main()
