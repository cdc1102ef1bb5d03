"""Benchmark: network simulation with all-neuron perturbation + estimation, vs a plain loop.

cortexkit: ``simulate(A, T, perturb="all")`` — every even step clamps all neurons to a random
0/1 pattern, so every outcome depends only on its own pattern and all outcomes come from one
(chunked) matrix product — then ``estimate(run, "perturbation")`` (difference in means for
all pairs as one matrix product per block of steps).

Baseline: the plain NumPy loop a tutorial would write — one matrix-vector product per step,
noise drawn per step with ``rng.standard_normal(n)``, clamping every other step — followed by
the same ``estimate`` call.  The unperturbed protocol must loop in both; it is timed too, to
show cortexkit's loop is not slower than the plain one.

Each contender runs in its own subprocess so peak memory (max RSS) is its own.  BLAS is
limited to ``--threads`` threads (default 1) for both sides: on a shared 2-core machine a
multi-threaded OpenBLAS mat-vec spins against other processes and timings become noise.
The all-clamped contenders run twice, interleaved, and the faster total is reported; the
unperturbed loops (cost proportional to the steps) are timed on ``T / 5`` steps (all ``T``
with ``--quick``), three
interleaved repeats each, minimum reported.

Usage: python benchmarks/bench_causality.py [--quick] [--n N] [--timesteps T] [--threads K]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time

import numpy as np


def _plain_loop(A: np.ndarray, T: int, perturb: bool, seed: int):
    rng = np.random.default_rng(seed)
    n = A.shape[0]
    x = np.zeros((T, n))                       # time-major: x[t] contiguous
    clamped = np.zeros((T, n), dtype=bool)
    for t in range(T - 1):
        if perturb and t % 2 == 0:
            x[t] = rng.integers(0, 2, n)
            clamped[t] = True
        x[t + 1] = 1.0 / (1.0 + np.exp(-(A @ x[t] + rng.standard_normal(n))))
    if perturb and (T - 1) % 2 == 0:
        x[T - 1] = rng.integers(0, 2, n)
        clamped[T - 1] = True
    return x, clamped


def worker(name: str, n: int, T: int) -> dict:
    from cortexkit.causality import NetworkRun, estimate, make_connectivity, score, simulate

    A = make_connectivity(n, p=0.1, seed=0)
    t0 = time.perf_counter()
    if name == "ck_all":
        run = simulate(A, T, perturb="all", seed=1)
    elif name == "ck_all32":
        run = simulate(A, T, perturb="all", seed=1, dtype=np.float32)
    elif name == "plain_all":
        x, c = _plain_loop(A, T, True, seed=1)
        run = NetworkRun(activity=x.T, clamped=c.T, A=A, perturb="all")
    elif name == "ck_none":
        run = simulate(A, T, seed=1)
    elif name == "plain_none":
        x, c = _plain_loop(A, T, False, seed=1)
        run = NetworkRun(activity=x.T, clamped=c.T, A=A, perturb=None)
    else:
        raise SystemExit(f"unknown worker {name}")
    t1 = time.perf_counter()
    out = {"name": name, "simulate_s": t1 - t0}
    if "_all" in name:
        est = estimate(run, "perturbation")
        out["estimate_s"] = time.perf_counter() - t1
        out["corr_with_truth"] = score(est, A).correlation
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def _run(name: str, n: int, T: int, threads: int) -> dict:
    env = dict(os.environ)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    res = subprocess.run([sys.executable, __file__, "--worker", name, "--n", str(n),
                          "--timesteps", str(T)], capture_output=True, text=True, check=True,
                         env=env)
    return json.loads(res.stdout.strip().splitlines()[-1])


def _cpu() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small smoke run (200 x 10,000)")
    ap.add_argument("--n", type=int, default=None)
    ap.add_argument("--timesteps", type=int, default=None)
    ap.add_argument("--threads", type=int, default=1, help="BLAS threads (default 1)")
    ap.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    n = args.n or (200 if args.quick else 1000)
    T = args.timesteps or (10_000 if args.quick else 100_000)
    if args.worker:
        print(json.dumps(worker(args.worker, n, T)))
        return
    r: dict[str, dict] = {}
    for _ in range(2):                  # interleaved repeats, keep the fastest of each
        for name in ("ck_all", "plain_all", "ck_all32"):
            x = _run(name, n, T, args.threads)
            x["total_s"] = x["simulate_s"] + x["estimate_s"]
            if name not in r or x["total_s"] < r[name]["total_s"]:
                r[name] = x
    T_none = T if args.quick else max(2, T // 5)   # quick: all steps, else timings are noise
    for _ in range(3):                  # interleaved repeats, keep the fastest of each
        for name in ("ck_none", "plain_none"):
            x = _run(name, n, T_none, args.threads)
            if name not in r or x["simulate_s"] < r[name]["simulate_s"]:
                r[name] = x
    ck_total = r["ck_all"]["simulate_s"] + r["ck_all"]["estimate_s"]
    pl_total = r["plain_all"]["simulate_s"] + r["plain_all"]["estimate_s"]
    print(f"# bench_causality: {n} neurons  ({_cpu()}, {len(os.sched_getaffinity(0))} cores, "
          f"numpy {np.__version__}, BLAS threads {args.threads})\n")
    print("| protocol | steps | contender | simulate (s) | estimate (s) | total (s) "
          "| peak RSS (MB) | corr. with truth |")
    print("|---|---:|---|---:|---:|---:|---:|---:|")
    for key, proto, steps, who in (
            ("ck_all", "all clamped", T, "cortexkit (batched matmul)"),
            ("plain_all", "all clamped", T, "plain loop (1 mat-vec/step)"),
            ("ck_all32", "all clamped", T, "cortexkit, dtype=float32"),
            ("ck_none", "unperturbed", T_none, "cortexkit (loop)"),
            ("plain_none", "unperturbed", T_none, "plain loop")):
        x = r[key]
        est = x.get("estimate_s")
        tot = x["simulate_s"] + (est or 0.0)
        corr = x.get("corr_with_truth")
        print(f"| {proto} | {steps:,} | {who} | {x['simulate_s']:.2f} | "
              f"{'' if est is None else f'{est:.2f}'} | {tot:.2f} | {x['peak_rss_mb']:.0f} | "
              f"{'' if corr is None else f'{corr:.3f}'} |")
    print(f"\nall clamped, simulate + estimate: plain / cortexkit = {pl_total / ck_total:.1f}x")
    print(f"unperturbed simulate (min of 3): plain / cortexkit = "
          f"{r['plain_none']['simulate_s'] / r['ck_none']['simulate_s']:.2f}x "
          "(>= 1 means cortexkit's loop is not slower)")


if __name__ == "__main__":
    main()
