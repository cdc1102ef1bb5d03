"""Benchmark: RDMs, RDM comparison, bootstrap and permutation tests, cortexkit vs rsatoolbox.

Every case runs in its own fresh process (``_common.py``: data built untimed, one tiny
warm-up call on 10 stimuli, the timed call = *fresh*, the best of ``--repeat`` more =
*warm*), side by side and interleaved in one run (``--rounds``, best of each kept):

1. RDM of 360 stimuli x 20,000 neurons (float32, correlation distance):
   ``ck.rsa.rdm`` against the floor (one float32 matrix product ``Z @ Z.T`` of the
   already z-scored responses) and against ``rsatoolbox.rdm.calc_rdm(Dataset(x),
   "correlation")`` on the same array; the results are checked to agree. The same data
   plus 3 (rows whose squared mean exceeds their variance) take cortexkit's centred path
   and are timed too.  ``ck.rsa.rdm`` and the matrix product are also run with one BLAS
   thread (a second, separate set of processes).
2. RDM comparison (64,620 stimulus pairs): pearson / spearman / tau-a against
   rsatoolbox's ``compare`` ('corr', 'spearman', 'tau-a'), values checked to agree.
3. Bootstrap over stimuli (1000 resamples, pearson, duplicate pairs dropped) and a
   permutation test (1000 permutations), against the explicit per-resample loop a user
   would write (fancy-index the RDMs, ``np.corrcoef``) on the same resamples.

Usage::

    .venv-peers/bin/python benchmarks/bench_rsa.py [--quick] [--repeat R] [--rounds K]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from _common import (
    Case,
    child_main,
    machine_line,
    ratio_line,
    run_cases,
    table,
    threadpool_line,
    write_results,
)

RESULTS = Path(__file__).resolve().parent / "results" / "rsa.md"
TINY = 10


def make_data(s: int, n: int):
    """(x, y, z): two float32 response sets sharing an 8-d latent, and x z-scored."""
    rng = np.random.default_rng(0)
    latent = rng.normal(size=(s, 8)).astype(np.float32)
    x = (latent @ rng.normal(size=(8, n)).astype(np.float32)
         + rng.normal(size=(s, n)).astype(np.float32))
    y = (latent @ rng.normal(size=(8, n)).astype(np.float32)
         + 2 * rng.normal(size=(s, n)).astype(np.float32))
    z = (x - x.mean(1, keepdims=True)) / x.std(1, keepdims=True)  # z-scored, float32
    return x, y, z


def _rdms(x, y):
    import cortexkit as ck

    return ck.rsa.rdm(x.astype(np.float64)), ck.rsa.rdm(y.astype(np.float64))


def loop_boot(a, b, n_boot):
    s = a.shape[0]
    iu, ju = np.triu_indices(s, 1)
    r = np.random.default_rng(1)
    out = np.empty(n_boot)
    for i in range(n_boot):
        idx = r.integers(0, s, s)
        ia, ib = idx[iu], idx[ju]
        k = ia != ib
        out[i] = np.corrcoef(a[ia[k], ib[k]], b[ia[k], ib[k]])[0, 1]
    return out


def loop_perm(a, b, n_perm):
    s = a.shape[0]
    iu, ju = np.triu_indices(s, 1)
    r = np.random.default_rng(1)
    va = a[iu, ju]
    return np.array([np.corrcoef(va, b[p[iu], p[ju]])[0, 1]
                     for p in (r.permutation(s) for _ in range(n_perm))])


def _setup(args, what: str):
    x, y, z = make_data(args.stimuli, args.neurons)
    s = SimpleNamespace(x=x, z=z, n_boot=args.n_boot)
    if what == "offset":
        s.x = x + np.float32(3.0)  # rows' mean^2 > variance: the centred path
    # the tiny inputs are arrays of their own (as a user's would be), not views
    s.tx = np.ascontiguousarray(s.x[:TINY, :100])
    s.tz = np.ascontiguousarray(z[:TINY, :100])
    if what in ("rtb", "rtb offset"):
        import rsatoolbox

        s.ds = rsatoolbox.data.Dataset(x + np.float32(3.0) if what == "rtb offset" else x)
        s.tds = rsatoolbox.data.Dataset(np.ascontiguousarray(x[:TINY, :100]))
    if what in ("rdms", "rtb rdms"):
        s.a, s.b = _rdms(x, y)
        s.ta, s.tb = _rdms(x[:TINY], y[:TINY])
    if what == "rtb rdms":
        import rsatoolbox

        import cortexkit as ck

        def wrap(d):
            return rsatoolbox.rdm.RDMs(ck.rsa.upper_triangle(d)[None])

        s.ra, s.rb, s.tra, s.trb = wrap(s.a), wrap(s.b), wrap(s.ta), wrap(s.tb)
    return s


def _rsa():
    import cortexkit as ck

    return ck.rsa


def _calc_rdm(ds):
    import rsatoolbox

    return rsatoolbox.rdm.calc_rdm(ds, method="correlation")


def _rtb_compare(a, b, method):
    import rsatoolbox

    return rsatoolbox.rdm.compare(a, b, method=method)


def _case(what, call, tiny, memory=True):
    return Case(lambda a: _setup(a, what), call, tiny, memory=memory)


RDM_CASES = {
    "ck.rsa.rdm": _case("x", lambda s: _rsa().rdm(s.x),
                        lambda s: _rsa().rdm(s.tx)),
    "bare Z @ Z.T": _case("matmul", lambda s: s.z @ s.z.T, lambda s: s.tz @ s.tz.T),
    "rsatoolbox calc_rdm": _case("rtb", lambda s: _calc_rdm(s.ds),
                                 lambda s: _calc_rdm(s.tds)),
    "ck.rsa.rdm, offset data (centred path)": _case(
        "offset", lambda s: _rsa().rdm(s.x), lambda s: _rsa().rdm(s.tx)),
    "rsatoolbox calc_rdm, offset data": _case(
        "rtb offset", lambda s: _calc_rdm(s.ds), lambda s: _calc_rdm(s.tds)),
}
COMPARE = (("pearson", "corr"), ("spearman", "spearman"), ("kendall_tau_a", "tau-a"))
COMPARE_CASES = {}
for _ours, _theirs in COMPARE:
    COMPARE_CASES[f"ck.rsa.compare {_ours}"] = _case(
        "rdms", lambda s, o=_ours: _rsa().compare(s.a, s.b, o),
        lambda s, o=_ours: _rsa().compare(s.ta, s.tb, o))
    COMPARE_CASES[f"rsatoolbox compare {_theirs}"] = _case(
        "rtb rdms", lambda s, t=_theirs: _rtb_compare(s.ra, s.rb, t),
        lambda s, t=_theirs: _rtb_compare(s.tra, s.trb, t))
TEST_CASES = {
    "ck.rsa.bootstrap_compare": _case(
        "rdms", lambda s: _rsa().bootstrap_compare(s.a, s.b, n_boot=s.n_boot, seed=1),
        lambda s: _rsa().bootstrap_compare(s.ta, s.tb, n_boot=10, seed=1)),
    "explicit bootstrap loop": _case(
        "rdms", lambda s: loop_boot(s.a, s.b, s.n_boot), lambda s: loop_boot(s.ta, s.tb, 10),
        memory=False),
    "ck.rsa.permutation_test": _case(
        "rdms", lambda s: _rsa().permutation_test(s.a, s.b, n_perm=s.n_boot, seed=1),
        lambda s: _rsa().permutation_test(s.ta, s.tb, n_perm=10, seed=1)),
    "explicit permutation loop": _case(
        "rdms", lambda s: loop_perm(s.a, s.b, s.n_boot), lambda s: loop_perm(s.ta, s.tb, 10),
        memory=False),
}
CASES = {**RDM_CASES, **COMPARE_CASES, **TEST_CASES}


def parse(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (smoke run)")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--rdm-rounds", type=int, default=6,
                    help="rounds of the RDM vs matmul pair (default 6)")
    ap.add_argument("--stimuli", type=int, default=None)
    ap.add_argument("--neurons", type=int, default=None)
    ap.add_argument("--n-boot", type=int, default=None)
    ap.add_argument("--out", type=Path, default=None, help="write the markdown here")
    args = ap.parse_args(argv)
    args.stimuli = args.stimuli or (60 if args.quick else 360)
    args.neurons = args.neurons or (2000 if args.quick else 20000)
    args.n_boot = args.n_boot or (100 if args.quick else 1000)
    return args


def _checks(args) -> dict:
    """Agreement of the values (computed here, untimed)."""
    import rsatoolbox

    import cortexkit as ck

    x, y, _ = make_data(args.stimuli, args.neurons)
    d_ck = ck.rsa.rdm(x)
    d_rtb = _calc_rdm(rsatoolbox.data.Dataset(x)).get_matrices()[0]
    xo = x + np.float32(3.0)
    out = {"dtype": str(d_ck.dtype), "err": float(np.abs(d_ck - d_rtb).max()),
           "err_np": float(np.abs(d_ck - (1 - np.corrcoef(x.astype(np.float64)))).max()),
           "err_off": float(np.abs(ck.rsa.rdm(xo)
                                   - (1 - np.corrcoef(xo.astype(np.float64)))).max())}
    a, b = _rdms(x, y)
    ra = rsatoolbox.rdm.RDMs(ck.rsa.upper_triangle(a)[None])
    rb = rsatoolbox.rdm.RDMs(ck.rsa.upper_triangle(b)[None])
    out["compare"] = {o: (ck.rsa.compare(a, b, o),
                          float(rsatoolbox.rdm.compare(ra, rb, method=t)[0, 0]))
                      for o, t in COMPARE}
    res = ck.rsa.bootstrap_compare(a, b, n_boot=args.n_boot, seed=1)
    out["boot"] = (res.estimate, res.ci_low, res.ci_high,
                   float(np.abs(res.samples - loop_boot(a, b, args.n_boot)).max()))
    return out


def main() -> int:
    args = parse(sys.argv[1:])
    rounds = 1 if args.quick else args.rounds
    argv = ["--stimuli", str(args.stimuli), "--neurons", str(args.neurons),
            "--n-boot", str(args.n_boot)]
    r = run_cases(__file__, list(CASES), argv, rounds=rounds, repeat=args.repeat)
    # the ~10-20 ms RDM against the matmul: more processes and repeats (cheap), with the
    # default BLAS threads and with one
    pair = ["ck.rsa.rdm", "bare Z @ Z.T"]
    fine = dict(rounds=1 if args.quick else args.rdm_rounds, repeat=4 * args.repeat)
    r.update(run_cases(__file__, pair, argv, **fine))
    r1 = run_cases(__file__, pair, argv, threads=1, **fine)
    c = _checks(args)
    ck, mm = r["ck.rsa.rdm"], r["bare Z @ Z.T"]
    ck1, mm1 = r1["ck.rsa.rdm"], r1["bare Z @ Z.T"]
    lines = [
        "## RSA: RDMs, comparison, bootstrap and permutation (`benchmarks/bench_rsa.py`)", "",
        machine_line(), "", threadpool_line() + ".", "",
        f"Each row is its own fresh process: data built, one tiny warm-up call ({TINY} "
        f"stimuli), the timed call (*fresh*), then the best of {args.repeat} more (*warm*); "
        f"best of {rounds} interleaved rounds (`ck.rsa.rdm` and the matmul: best of "
        f"{fine['rounds']} rounds, warm = best of {fine['repeat']}).", "",
        f"### RDM: {args.stimuli} stimuli x {args.neurons} neurons, float32, correlation "
        "distance", "",
        *table([(k, r[k], None) for k in RDM_CASES], "bare Z @ Z.T", r, warm_ratio=True,
               ms=True), "",
        f"- ck.rsa.rdm / one float32 matmul: **{ck['fresh_s'] / mm['fresh_s']:.2f}x** fresh,"
        f" **{ck['warm_s'] / mm['warm_s']:.2f}x** warm (CPU "
        f"{ck['fresh_cpu_s'] / mm['fresh_cpu_s']:.2f}x / "
        f"{ck['warm_cpu_s'] / mm['warm_cpu_s']:.2f}x) (goal <= 1.3x)",
        f"- the same with one BLAS thread (separate processes): "
        f"**{ck1['fresh_s'] / mm1['fresh_s']:.2f}x** fresh, "
        f"**{ck1['warm_s'] / mm1['warm_s']:.2f}x** warm (matmul {mm1['warm_s'] * 1e3:.1f} ms,"
        f" ck.rsa.rdm {ck1['warm_s'] * 1e3:.1f} ms warm)",
        ratio_line(r, "rsatoolbox calc_rdm", "ck.rsa.rdm", goal=" (goal >= 10x)"),
        ratio_line(r, "rsatoolbox calc_rdm, offset data",
                   "ck.rsa.rdm, offset data (centred path)"),
        f"- ck dtype {c['dtype']}; max |ck - rsatoolbox| = {c['err']:.1e}; max |ck - (1 - "
        f"np.corrcoef)| = {c['err_np']:.1e} (offset data: {c['err_off']:.1e})", "",
        f"### RDM comparison: {args.stimuli * (args.stimuli - 1) // 2} stimulus pairs", "",
        *table([(k, r[k], None) for k in COMPARE_CASES], "ck.rsa.compare pearson", r,
               warm_ratio=True, ms=True), "",
        *[ratio_line(r, f"rsatoolbox compare {t}", f"ck.rsa.compare {o}")
          + f"; values {c['compare'][o][0]:.6f} / {c['compare'][o][1]:.6f}"
          for o, t in COMPARE], "",
        f"### Bootstrap / permutation: {args.n_boot} resamples of {args.stimuli} stimuli "
        "(pearson)", "",
        *table([(k, r[k], None) for k in TEST_CASES], "ck.rsa.bootstrap_compare", r,
               warm_ratio=True, ms=True), "",
        ratio_line(r, "explicit bootstrap loop", "ck.rsa.bootstrap_compare"),
        ratio_line(r, "explicit permutation loop", "ck.rsa.permutation_test"),
        f"- bootstrap r = {c['boot'][0]:.4f}, 95% CI [{c['boot'][1]:.4f}, {c['boot'][2]:.4f}]"
        f"; max |ck - loop| over the same resamples = {c['boot'][3]:.1e}", "",
    ]
    text = "\n".join(lines)
    print(text)
    if args.out or not args.quick:
        write_results(args.out or RESULTS, text)
    return 0


if __name__ == "__main__":
    if not child_main(CASES, parse):
        sys.exit(main())
