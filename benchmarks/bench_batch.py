"""Batch of recordings: Dask with 1 vs 2 local workers, against plain in-process loops.

Timed on the same recordings (synthetic Steinmetz-like sessions saved as .npz):

- plain loop: ``ck.batch.analyze_recording`` over the files in this process, no Dask;
- ProcessPoolExecutor(2): the same function in two processes, no Dask (the no-framework
  parallel baseline);
- ``ck.batch.run`` on an already running LocalCluster with 1 and 2 worker processes (one
  thread each) — the speed-up, and the Dask overhead per recording
  ``(t_dask_1_worker - t_plain_loop) / n_recordings``;
- ``ck.batch.run`` end to end with its own local cluster (start-up included).

Workers are warmed up (imports, numba caches) before timing, and every process runs
single-threaded BLAS (as Dask's worker processes do) so the loops compare like with like.
Usage::

    python benchmarks/bench_batch.py [--quick] [--recordings N]
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import cortexkit as ck  # noqa: E402


def _cpu_model() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return platform.processor() or "unknown"
    for line in out.splitlines():
        if line.startswith("Model name:"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def _make_recordings(folder: Path, n: int, n_units: int, duration: float) -> list[str]:
    paths = []
    for i in range(n):
        st = ck.datasets.steinmetz_like(seed=i, n_units=n_units, duration=duration)
        path = folder / f"rec{i:03d}.npz"
        ck.io.save_spikes(st, path)
        paths.append(str(path))
    return paths


def _timed(fn) -> tuple[float, object]:
    t0 = time.perf_counter()
    value = fn()
    return time.perf_counter() - t0, value


def _plain_loop(paths: list[str]) -> int:
    return sum(len(ck.batch.analyze_recording(p)) for p in paths)


def _process_pool(paths: list[str], pool: ProcessPoolExecutor) -> int:
    return sum(len(t) for t in pool.map(ck.batch.analyze_recording, paths))


def _on_cluster(paths: list[str], n_workers: int, folder: Path, warm: list[str]):
    from distributed import LocalCluster

    with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                      dashboard_address=None, host="127.0.0.1", silence_logs=logging.ERROR,
                      scheduler_kwargs={"dashboard_address": "127.0.0.1:0"}) as cluster:
        addr = cluster.scheduler_address
        ck.batch.run(warm, folder / f"warm{n_workers}.parquet", scheduler=addr, progress=False)
        out = folder / f"dask{n_workers}.parquet"
        seconds, summary = _timed(lambda: ck.batch.run(paths, out, scheduler=addr,
                                                       progress=False))
    assert summary.done == len(paths), summary
    return seconds, summary


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small smoke run")
    ap.add_argument("--recordings", type=int, default=None)
    args = ap.parse_args()
    n = args.recordings or (8 if args.quick else 40)
    n_units, duration = (20, 120.0) if args.quick else (60, 600.0)

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = _make_recordings(folder, n, n_units, duration)
        warm = paths[:2]
        _plain_loop(warm)  # imports, numba caches
        t_loop, rows = _timed(lambda: _plain_loop(paths))

        with ProcessPoolExecutor(2) as pool:
            list(pool.map(ck.batch.analyze_recording, warm * 2))
            t_pool, _ = _timed(lambda: _process_pool(paths, pool))

        t_d1, _ = _on_cluster(paths, 1, folder, warm)
        t_d2, _ = _on_cluster(paths, 2, folder, warm)
        t_e2e, summary = _timed(lambda: ck.batch.run(paths, folder / "e2e.parquet", workers=2,
                                                     progress=False))
        assert summary.done == n and summary.n_rows == rows

    per = 1000.0 / n
    print(f"# batch benchmark: {n} recordings x {n_units} units, {duration:.0f} s each "
          f"({rows} unit rows)")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {_cpu_model()}, {os.cpu_count()} cores; Python {sys.version.split()[0]}; "
          f"load average at the end {load}\n")
    print("| run | total (s) | per recording (ms) | vs plain loop |")
    print("|---|---:|---:|---:|")
    table = [
        ("plain loop, in process (no Dask)", t_loop),
        ("ProcessPoolExecutor, 2 processes (no Dask)", t_pool),
        ("ck.batch.run, Dask 1 worker (cluster running)", t_d1),
        ("ck.batch.run, Dask 2 workers (cluster running)", t_d2),
        ("ck.batch.run, workers=2, own cluster (start-up included)", t_e2e),
    ]
    for name, t in table:
        print(f"| {name} | {t:.2f} | {t * per:.1f} | {t_loop / t:.2f}x |")
    print()
    print(f"- speed-up 2 vs 1 Dask workers: {t_d1 / t_d2:.2f}x (2 cores)")
    print(f"- Dask overhead per recording (1 worker vs plain loop): "
          f"{(t_d1 - t_loop) * per:.1f} ms")
    print(f"- Dask 2 workers vs ProcessPoolExecutor(2): {t_d2 / t_pool:.2f}x the time")
    print(f"- local cluster start-up (processes, imports, numba caches) + teardown "
          f"(end-to-end minus running cluster): "
          f"{t_e2e - t_d2:.2f} s")


if __name__ == "__main__":
    main()
