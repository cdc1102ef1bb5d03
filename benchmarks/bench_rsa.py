"""Benchmark: RDMs, RDM comparison, bootstrap and permutation tests, cortexkit vs rsatoolbox.

1. RDM of 360 stimuli x 20,000 neurons (float32, correlation distance):
   ``ck.rsa.rdm`` against the floor (a bare matrix product ``Z @ Z.T`` of the already
   z-scored responses) and against ``rsatoolbox.rdm.calc_rdm(Dataset(x), "correlation")``
   on the same array; the results are checked to agree. The same data plus 3 (rows whose
   squared mean exceeds their variance) take cortexkit's centred path and are timed too.
2. RDM comparison (64,620 stimulus pairs): pearson / spearman / tau-a against
   rsatoolbox's ``compare`` ('corr', 'spearman', 'tau-a'), values checked to agree.
3. Bootstrap over stimuli (1000 resamples, pearson, duplicate pairs dropped) and a
   permutation test (1000 permutations), against the explicit per-resample loop a user
   would write (fancy-index the RDMs, ``np.corrcoef``) on the same resamples.

Repeats are interleaved and the fastest of each is reported (what survives best on a
shared machine). Usage: python benchmarks/bench_rsa.py [--quick] [--repeats R]
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np

import cortexkit as ck
from _common import cpu_model as _cpu_model  # noqa: E402


def _best(fns: dict, repeats: int, cpu: dict | None = None) -> dict[str, float]:
    """Fastest wall time of each function; fastest process CPU time into ``cpu``."""
    best = {k: np.inf for k in fns}
    if cpu is not None:
        cpu.update({k: np.inf for k in fns})
    for _ in range(repeats):
        for k, f in fns.items():
            t, c = time.perf_counter(), time.process_time()
            f()
            best[k] = min(best[k], time.perf_counter() - t)
            if cpu is not None:
                cpu[k] = min(cpu[k], time.process_time() - c)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="small sizes (smoke run)")
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    import rsatoolbox

    s, n = (60, 2000) if args.quick else (360, 20000)
    n_boot = 100 if args.quick else 1000
    rng = np.random.default_rng(0)
    latent = rng.normal(size=(s, 8)).astype(np.float32)
    x = (latent @ rng.normal(size=(8, n)).astype(np.float32)
         + rng.normal(size=(s, n)).astype(np.float32))
    y = (latent @ rng.normal(size=(8, n)).astype(np.float32)
         + 2 * rng.normal(size=(s, n)).astype(np.float32))
    z = (x - x.mean(1, keepdims=True)) / x.std(1, keepdims=True)  # z-scored, float32

    ds = rsatoolbox.data.Dataset(x)
    xo = x + np.float32(3.0)  # same data with an offset: rows' mean^2 > variance
    dso = rsatoolbox.data.Dataset(xo)
    tc: dict[str, float] = {}
    t = _best({
        "ck.rsa.rdm": lambda: ck.rsa.rdm(x),
        "bare Z @ Z.T": lambda: z @ z.T,
        "rsatoolbox calc_rdm": lambda: rsatoolbox.rdm.calc_rdm(ds, method="correlation"),
        "ck.rsa.rdm, offset data (centred path)": lambda: ck.rsa.rdm(xo),
        "rsatoolbox calc_rdm, offset data": lambda: rsatoolbox.rdm.calc_rdm(
            dso, method="correlation"),
    }, args.repeats, tc)
    d_ck = ck.rsa.rdm(x)
    d_rtb = rsatoolbox.rdm.calc_rdm(ds, method="correlation").get_matrices()[0]
    err = float(np.abs(d_ck - d_rtb).max())
    err_np = float(np.abs(d_ck - (1 - np.corrcoef(x.astype(np.float64)))).max())

    print(f"# RSA benchmark ({_cpu_model()}, {platform.machine()}, 2 cores)\n")
    print(f"## RDM: {s} stimuli x {n} neurons, float32, correlation distance\n")
    print("| method | wall (ms) | vs bare matmul | rsatoolbox / this | CPU (ms) | "
          "CPU vs bare matmul |")
    print("|---|---|---|---|---|---|")
    for k, v in t.items():
        ref = t["rsatoolbox calc_rdm, offset data" if "offset" in k else "rsatoolbox calc_rdm"]
        print(f"| {k} | {1e3 * v:.1f} | {v / t['bare Z @ Z.T']:.2f}x | {ref / v:.1f}x | "
              f"{1e3 * tc[k]:.1f} | {tc[k] / tc['bare Z @ Z.T']:.2f}x |")
    print("\nCPU = process time of all BLAS threads (insensitive to waiting for a busy CPU).")
    print(f"\nck dtype {d_ck.dtype}; max |ck - rsatoolbox| = {err:.1e}; "
          f"max |ck - (1 - np.corrcoef)| = {err_np:.1e}\n")

    a, b = ck.rsa.rdm(x.astype(np.float64)), ck.rsa.rdm(y.astype(np.float64))
    ra = rsatoolbox.rdm.RDMs(ck.rsa.upper_triangle(a)[None])
    rb = rsatoolbox.rdm.RDMs(ck.rsa.upper_triangle(b)[None])
    print(f"## RDM comparison: {s * (s - 1) // 2} stimulus pairs\n")
    print("| method | cortexkit (ms) | rsatoolbox (ms) | speed-up | value ck | value rsatoolbox |")
    print("|---|---|---|---|---|---|")
    for ours, theirs in (("pearson", "corr"), ("spearman", "spearman"),
                         ("kendall_tau_a", "tau-a")):
        reps = 1 if theirs == "tau-a" and not args.quick else args.repeats
        tt = _best({"ck": lambda o=ours: ck.rsa.compare(a, b, o),
                    "rtb": lambda th=theirs: rsatoolbox.rdm.compare(ra, rb, method=th)}, reps)
        v1 = ck.rsa.compare(a, b, ours)
        v2 = float(rsatoolbox.rdm.compare(ra, rb, method=theirs)[0, 0])
        print(f"| {ours} | {1e3 * tt['ck']:.1f} | {1e3 * tt['rtb']:.1f} | "
              f"{tt['rtb'] / tt['ck']:.1f}x | {v1:.6f} | {v2:.6f} |")

    iu, ju = np.triu_indices(s, 1)

    def loop_boot():
        r = np.random.default_rng(1)
        out = np.empty(n_boot)
        for i in range(n_boot):
            idx = r.integers(0, s, s)
            ia, ib = idx[iu], idx[ju]
            k = ia != ib
            out[i] = np.corrcoef(a[ia[k], ib[k]], b[ia[k], ib[k]])[0, 1]
        return out

    def loop_perm():
        r = np.random.default_rng(1)
        va = a[iu, ju]
        return np.array([np.corrcoef(va, b[p[iu], p[ju]])[0, 1]
                         for p in (r.permutation(s) for _ in range(n_boot))])

    reps = max(1, args.repeats // 2)
    tb = _best({"ck": lambda: ck.rsa.bootstrap_compare(a, b, n_boot=n_boot, seed=1),
                "loop": loop_boot}, reps)
    tp = _best({"ck": lambda: ck.rsa.permutation_test(a, b, n_perm=n_boot, seed=1),
                "loop": loop_perm}, reps)
    ck_boot = ck.rsa.bootstrap_compare(a, b, n_boot=n_boot, seed=1).samples
    same = float(np.abs(ck_boot - loop_boot()).max())
    res = ck.rsa.bootstrap_compare(a, b, n_boot=n_boot, seed=1)
    print(f"\n## Bootstrap / permutation: {n_boot} resamples of {s} stimuli (pearson)\n")
    print("| test | cortexkit (s) | explicit loop (s) | speed-up |")
    print("|---|---|---|---|")
    print(f"| bootstrap_compare | {tb['ck']:.3f} | {tb['loop']:.3f} | "
          f"{tb['loop'] / tb['ck']:.1f}x |")
    print(f"| permutation_test | {tp['ck']:.3f} | {tp['loop']:.3f} | "
          f"{tp['loop'] / tp['ck']:.1f}x |")
    print(f"\nbootstrap r = {res.estimate:.4f}, 95% CI [{res.ci_low:.4f}, {res.ci_high:.4f}]; "
          f"max |ck - loop| over the same resamples = {same:.1e}")


if __name__ == "__main__":
    main()
