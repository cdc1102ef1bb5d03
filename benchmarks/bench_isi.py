"""ISI intervals, statistics and distribution fits against Elephant, pynapple and NumPy.

Data: 1000 units, 10^7 spikes in total (``--quick``: 100 units, 10^5 spikes), lognormal
rates, gamma ISIs with a 2 ms dead time (renewal trains; shapes 0.5-4).  What the peers
need (neo SpikeTrains, a pynapple TsGroup, per-unit arrays) is built in the case's setup;
only the analysis call is timed.  Every case runs in its own fresh process: setup, one
tiny warm-up call (5 units, 500 spikes), the timed call (fresh), then the best of
``--repeat`` more (warm) -- the harness of ``_common.py``.

Cases:

- ``ck.isi.stats(st)`` (default: NumPy over each unit's ISIs) and ``engine="numba"``
  (all 10 columns incl. median, CV, LV, CV2, refractory counts);
- Elephant: per unit ``isi(train)`` then ``cv``, ``lv``, ``cv2`` on neo SpikeTrains;
- pynapple: ``TsGroup.time_diff()`` (its ISI computation: a dict of per-unit Tsd);
- a plain NumPy loop over per-unit arrays computing CV and LV only;
- ``ck.isi.intervals(st)`` (the ISIs of all units, flat);
- ``ck.isi.fit_all(st)``: five ML distributions + exact KS statistic for every unit, and
  ``ks=False``.

Usage::

    .venv-peers/bin/python benchmarks/bench_isi.py [--quick] [--repeat R] [--out FILE]
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from _common import Case, child_main, machine_line, run_cases, table

RESULTS = Path(__file__).resolve().parent / "results" / "isi.md"


def make_session(n_units: int, n_spikes: int, seed: int = 0):
    """Renewal trains: gamma ISIs + 2 ms dead time, lognormal rates, ~n_spikes in total."""
    import cortexkit as ck

    rng = np.random.default_rng(seed)
    w = rng.lognormal(0.0, 1.0, n_units)
    counts = np.maximum(rng.multinomial(n_spikes - 3 * n_units, w / w.sum()), 0) + 3
    offsets = np.zeros(n_units + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    uidx = np.repeat(np.arange(n_units), counts)
    shape = rng.uniform(0.5, 4.0, n_units)
    duration = 3600.0
    mean_isi = duration / counts - 0.002
    isi = 0.002 + rng.gamma(shape[uidx], (mean_isi / shape)[uidx])
    csum = np.cumsum(isi)
    start = np.r_[0.0, csum[offsets[1:-1] - 1]]
    times = csum - start[uidx]
    return ck.SpikeTrains(times, offsets, t_stop=float(times.max()) + 1.0)


def elephant_cv_lv_cv2(trains) -> list:
    import elephant.statistics as es

    out = []
    for tr in trains:
        isi = es.isi(tr)
        out.append((es.cv(isi), es.lv(isi), es.cv2(isi)))
    return out


def numpy_loop_cv_lv(arrays) -> list:
    out = []
    for t in arrays:
        x = np.diff(t)
        r = np.diff(x) / (x[:-1] + x[1:])
        out.append((x.std() / x.mean(), 3.0 * np.mean(r * r)))
    return out


def _setup(args, what: str):
    warnings.simplefilter("ignore")
    st = make_session(args.units, args.spikes)
    small = make_session(5, 500, seed=1)
    s = SimpleNamespace(st=st, small=small)
    if what == "neo":
        s.x, s.small_x = st.to_neo(), small.to_neo()
    elif what == "pynapple":
        s.x, s.small_x = st.to_pynapple(), small.to_pynapple()
    elif what == "arrays":
        s.x, s.small_x = st.to_list(), small.to_list()
    return s


def _ck(fn):
    return Case(lambda a: _setup(a, "ck"), lambda s: fn(s.st), lambda s: fn(s.small))


def _peer(what, fn):
    return Case(lambda a: _setup(a, what), lambda s: fn(s.x), lambda s: fn(s.small_x))


def _isi():
    import cortexkit as ck

    return ck.isi


CASES = {
    "ck.isi.stats": _ck(lambda st: _isi().stats(st)),
    "ck.isi.stats numba": _ck(lambda st: _isi().stats(st, engine="numba")),
    "Elephant isi + cv, lv, cv2": _peer("neo", elephant_cv_lv_cv2),
    "pynapple time_diff": _peer("pynapple", lambda g: g.time_diff()),
    "NumPy loop cv + lv": _peer("arrays", numpy_loop_cv_lv),
    "ck.isi.intervals": _ck(lambda st: _isi().intervals(st)),
    "ck.isi.fit_all": _ck(lambda st: _isi().fit_all(st)),
    "ck.isi.fit_all ks=False": _ck(lambda st: _isi().fit_all(st, ks=False)),
}


def parse(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small smoke run")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--units", type=int, default=None)
    ap.add_argument("--spikes", type=int, default=None)
    ap.add_argument("--out", type=Path, default=None, help="write the markdown here")
    args = ap.parse_args(argv)
    if args.units is None:
        args.units = 100 if args.quick else 1000
    if args.spikes is None:
        args.spikes = 100_000 if args.quick else 10_000_000
    return args


def main() -> int:
    args = parse(sys.argv[1:])
    argv = ["--units", str(args.units), "--spikes", str(args.spikes)]
    r = run_cases(__file__, list(CASES), argv, rounds=1 if args.quick else args.rounds,
                  repeat=args.repeat)
    f = {k: v["fresh_s"] for k, v in r.items()}
    lines = [
        "## ISI intervals, statistics and fits (`benchmarks/bench_isi.py`)", "",
        machine_line(), "",
        f"{args.units} units, {args.spikes:,} spikes (gamma renewal trains with a 2 ms dead "
        "time, lognormal rates).  Each row is its own fresh process (setup, tiny warm-up "
        f"on 5 units, timed call = fresh; then best of {args.repeat} = warm); best of "
        f"{1 if args.quick else args.rounds} interleaved rounds.", "",
        *table([(k, r[k], None) for k in CASES], "ck.isi.stats", r), "",
        f"- Elephant / ck.isi.stats (fresh): **"
        f"{f['Elephant isi + cv, lv, cv2'] / f['ck.isi.stats']:.1f}x** (goal >= 5x)",
        f"- ck.isi.stats / plain NumPy cv + lv loop (fresh): **"
        f"{f['ck.isi.stats'] / f['NumPy loop cv + lv']:.2f}x** (goal <= 2x; stats computes "
        "10 columns incl. the median)",
        f"- pynapple time_diff / ck.isi.intervals (fresh): **"
        f"{f['pynapple time_diff'] / f['ck.isi.intervals']:.1f}x** (goal > 1)",
        f"- ck.isi.fit_all (5 ML models + KS statistic per unit): **"
        f"{f['ck.isi.fit_all']:.2f} s**"
        f" fresh, {r['ck.isi.fit_all']['warm_s']:.2f} s warm (goal < 1 s); without KS "
        f"{f['ck.isi.fit_all ks=False']:.2f} s",
        f"- the numba engine of stats, fresh {f['ck.isi.stats numba']:.3f} s / warm "
        f"{r['ck.isi.stats numba']['warm_s']:.3f} s (its import and cache load fall in "
        "the tiny warm-up here, as engine='numba' is explicit)", "",
    ]
    text = "\n".join(lines)
    print(text)
    if args.out or not args.quick:
        (args.out or RESULTS).write_text(text)
    return 0


if __name__ == "__main__":
    if not child_main(CASES, parse):
        sys.exit(main())
