"""All-clamped network simulation + perturbation estimate, against the step-by-step loop.

Task: 1000 neurons (``make_connectivity(1000, p=0.1)``), 100,000 steps, every neuron
clamped to a random 0/1 on every even step (``perturb="all"``), then the effect of every
neuron on every other: ``estimate(run, "perturbation_corr")`` (and ``"perturbation"``).

Contenders, each in its own fresh process (``_common.py``: setup, a tiny warm-up run of
20 neurons x 200 steps, then the timed simulate + estimate):

- cortexkit, full activity stored (the default ``record="activity"``), float64;
- cortexkit ``record="moments"`` (only the clamp moments the estimators need), float64
  and ``dtype=np.float32``;
- the plain NumPy loop a tutorial would write: one ``A @ x[t]`` per step, noise
  ``rng.standard_normal(n)`` per step (the same noise protocol), clamping every other
  step, time-major array; then the correlation estimate written out in NumPy
  (standardized clamp values and outcomes, one product).

Reported: wall and CPU time of simulate + estimate, peak RSS of the process, and the
correlation of each estimate with the true connectivity (``score``).  BLAS runs with 1
thread on both sides (``--threads``): on a shared 2-core machine multi-threaded OpenBLAS
spins against the other jobs.

Usage: python benchmarks/bench_causality.py [--quick] [--n N] [--timesteps T] [--threads K]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from _common import Case, child_main, machine_line, run_cases, threadpool_line

RESULTS = Path(__file__).resolve().parent / "results" / "causality.md"


def plain_loop(A: np.ndarray, T: int, seed: int):
    rng = np.random.default_rng(seed)
    n = A.shape[0]
    x = np.zeros((T, n))                       # time-major: x[t] contiguous
    for t in range(T - 1):
        if t % 2 == 0:
            x[t] = rng.integers(0, 2, n)
        x[t + 1] = 1.0 / (1.0 + np.exp(-(A @ x[t] + rng.standard_normal(n))))
    if (T - 1) % 2 == 0:
        x[T - 1] = rng.integers(0, 2, n)
    return x


def plain_corr_estimate(x: np.ndarray) -> np.ndarray:
    """Pearson r between neuron j's clamp value at t and neuron i's activity at t+1."""
    c = x[0:-1:2]
    y = x[1::2]
    zc = (c - c.mean(axis=0)) / c.std(axis=0)
    zy = (y - y.mean(axis=0)) / y.std(axis=0)
    return zy.T @ zc / c.shape[0]


def _setup(args):
    from cortexkit.causality import make_connectivity

    return SimpleNamespace(A=make_connectivity(args.n, p=0.1, seed=0), T=args.timesteps,
                           small=make_connectivity(20, p=0.3, seed=1), method=args.method)


def _ck(record, dtype):
    def call(s, A=None, T=None):
        from cortexkit.causality import estimate, score, simulate

        A = s.A if A is None else A
        run = simulate(A, s.T if T is None else T, perturb="all", seed=1, dtype=dtype,
                       record=record)
        est = estimate(run, s.method)
        s.corr = score(est, A).correlation
        return est

    def report(s):
        return {"corr": getattr(s, "corr", None)}

    def setup(a):
        s = _setup(a)
        s.report = lambda: report(s)
        return s

    return Case(setup, call, lambda s: call(s, s.small, 200), memory=False)


def _plain():
    def call(s, A=None, T=None):
        from cortexkit.causality import score

        A = s.A if A is None else A
        est = plain_corr_estimate(plain_loop(A, s.T if T is None else T, seed=1))
        s.corr = score(est, A).correlation
        return est

    def setup(a):
        s = _setup(a)
        s.report = lambda: {"corr": getattr(s, "corr", None)}
        return s

    return Case(setup, call, lambda s: call(s, s.small, 200), memory=False)


CASES = {
    "ck activity float64": _ck("activity", np.float64),
    "ck moments float64": _ck("moments", np.float64),
    "ck moments float32": _ck("moments", np.float32),
    "ck activity float32": _ck("activity", np.float32),
    "plain NumPy loop": _plain(),
}


def parse(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small smoke run (200 x 10,000)")
    ap.add_argument("--n", type=int, default=None)
    ap.add_argument("--timesteps", type=int, default=None)
    ap.add_argument("--threads", type=int, default=1, help="BLAS threads (default 1)")
    ap.add_argument("--method", default="perturbation_corr")
    args = ap.parse_args(argv)
    args.n = args.n or (200 if args.quick else 1000)
    args.timesteps = args.timesteps or (10_000 if args.quick else 100_000)
    return args


def main() -> None:
    args = parse(sys.argv[1:])
    argv = ["--n", str(args.n), "--timesteps", str(args.timesteps), "--method", args.method]
    r = run_cases(__file__, list(CASES), argv, rounds=1, repeat=0, threads=args.threads,
                  timeout=3600)
    base = r["plain NumPy loop"]
    lines = [f"## Network causality: all-clamped simulate + `estimate(run, \"{args.method}\")` "
             "(`benchmarks/bench_causality.py`)", "", machine_line(),
             f"{threadpool_line(args.threads)} (OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE of this "
             "machine unset for the benchmark only).",
             "",
             f"{args.n} neurons x {args.timesteps:,} steps, every neuron clamped on every even "
             "step.  Each row: its own fresh process, a tiny warm-up run (20 neurons x 200 "
             "steps), then the timed simulate + estimate.", "",
             "| contender | wall (s) | CPU (s) | plain loop / this (wall) | plain / this (CPU) "
             "| peak RSS (MiB) | r with true A |", "|---|---:|---:|---:|---:|---:|---:|"]
    for name, x in r.items():
        lines.append(f"| {name} | {x['fresh_s']:.2f} | {x['fresh_cpu_s']:.2f} | "
                     f"{base['fresh_s'] / x['fresh_s']:.1f}x | "
                     f"{base['fresh_cpu_s'] / x['fresh_cpu_s']:.1f}x | {x['max_rss_mb']:.0f} | "
                     f"{x['info']['corr']:.3f} |")
    ck = r["ck activity float64"]
    lines += ["", f"- plain loop / cortexkit (default: full activity, float64): **"
              f"{base['fresh_s'] / ck['fresh_s']:.1f}x** wall (goal >= 4x); r differs by "
              f"{abs(ck['info']['corr'] - base['info']['corr']):.3f} (goal <= 0.02)",
              f"- with `record=\"moments\"`: **"
              f"{base['fresh_s'] / r['ck moments float64']['fresh_s']:.1f}x**"
              f" (float32: {base['fresh_s'] / r['ck moments float32']['fresh_s']:.1f}x), peak RSS "
              f"{r['ck moments float64']['max_rss_mb']:.0f} MiB instead of {ck['max_rss_mb']:.0f}"
              " MiB (~170 MiB of every row is the imports of numpy/scipy/pandas)", ""]
    text = "\n".join(lines)
    print(text)
    if not args.quick:
        RESULTS.write_text(text)


if __name__ == "__main__":
    if not child_main(CASES, parse):
        main()
