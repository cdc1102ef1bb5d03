"""ISI entropy of every unit: cortexkit against computing the ISIs alone, and a per-unit loop.

On a synthetic recording of 1000 units / 10^7 spikes (lognormal rates, Poisson trains with
a 2 ms dead time), times, best of ``--repeats`` runs:

- ``ISIs: np.diff + boundary mask`` — the cost floor: the intervals of all units, nothing
  else (``d = np.diff(times); mask[offsets[1:-1] - 1] = False; d[mask]``);
- ``ck.isi.intervals(st)`` — the same as a library call;
- ``ck.information.isi_entropy(st)`` — histogram (50 bins on 0-0.25 s) and plug-in entropy of
  every unit (compiled single pass over the times, the default from 10^5 spikes);
- ``isi_entropy`` NumPy path — ``ck.isi.intervals`` + bin indices of all ISIs at once
  (``np.histogram``'s floor-and-correct rule) + one ``np.bincount`` on ``unit * n_bins + bin``;
- peer workflow — per unit ``elephant.statistics.isi`` + ``np.histogram`` +
  ``scipy.stats.entropy`` in a Python loop (no library computes ISI entropies for a
  population; this is what one writes with Elephant and SciPy);
- ``isi_entropy(..., estimator="nsb")`` for the NSB cost per unit.

It also prints the estimator bias table of ``docs/information.md`` (``--bias-trials``).
Usage::

    python benchmarks/bench_information.py [--quick] [--repeats N] [--bias-trials N]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import scipy.stats

import cortexkit as ck
from cortexkit.information import ESTIMATORS, entropy, entropy_from_counts, isi_counts

HERE = Path(__file__).resolve().parent


from _common import Case, child_main, machine_line, run_cases, table  # noqa: E402


def make_spikes(n_units: int, n_spikes: int, seed: int = 0) -> ck.SpikeTrains:
    """Poisson trains with a 2 ms dead time, lognormal rates scaled to ``n_spikes`` total."""
    rng = np.random.default_rng(seed)
    rates = rng.lognormal(np.log(5.0), 1.0, n_units)
    counts = rng.multinomial(n_spikes, rates / rates.sum())
    duration = 1000.0
    offsets = np.zeros(n_units + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    unit = np.repeat(np.arange(n_units), counts)
    mean_isi = duration / np.maximum(counts, 1)
    dead = np.minimum(0.002, 0.5 * mean_isi)
    isi = dead[unit] + rng.exponential(1.0, n_spikes) * (mean_isi - dead)[unit]
    # cumulative sum within units, without a loop: global cumsum minus each unit's start
    cs = np.cumsum(isi)
    starts = np.where(counts > 0, cs[np.minimum(offsets[:-1], n_spikes - 1)] - isi[
        np.minimum(offsets[:-1], n_spikes - 1)], 0.0)
    times = cs - starts[unit]
    return ck.SpikeTrains(times, offsets, t_start=0.0, t_stop=float(times.max()) + 1e-3)


def isis_numpy(st: ck.SpikeTrains) -> np.ndarray:
    d = np.diff(st.times)
    mask = np.ones(d.size, dtype=bool)
    b = st.offsets[1:-1] - 1
    mask[b[(b >= 0) & (b < d.size)]] = False
    return d[mask]


def numpy_path(st: ck.SpikeTrains) -> np.ndarray:
    counts, _ = isi_counts(st, 50, (0.0, 0.25), engine="numpy")
    ok = counts.sum(axis=1) > 0
    return entropy_from_counts(counts[ok])


def peer_loop(st: ck.SpikeTrains) -> list[float]:
    from elephant.statistics import isi

    out = []
    for i in range(st.n_units):
        h, _ = np.histogram(isi(st[i]), bins=50, range=(0.0, 0.25))
        out.append(scipy.stats.entropy(h, base=2) if h.sum() else np.nan)
    return out


def bias_table(n_trials: int, seed: int = 0) -> tuple[str, dict[str, float]]:
    """Markdown table of estimator bias (bits) per distribution x sample size."""
    rng = np.random.default_rng(seed)
    k = 20
    zipf = 1.0 / np.arange(1, k + 1)
    geo = 0.7 ** np.arange(k)
    edges = np.linspace(0, 0.25, k + 1)
    expo = np.diff(np.exp(-edges / 0.03))  # binned exponential ISIs, mean 30 ms
    dists = {"uniform (K=20)": np.full(k, 1 / k), "Zipf 1/i (K=20)": zipf / zipf.sum(),
             "geometric 0.7^i (K=20)": geo / geo.sum(),
             "exponential ISI, 30 ms, 20 bins": expo / expo.sum(),
             "sparse: 90% in 4 of 20 bins": np.r_[np.full(4, 0.9 / 4),
                                                  np.full(k - 4, 0.1 / (k - 4))]}
    head = "| distribution | H (bits) | N | " + " | ".join(ESTIMATORS) + " |"
    lines = [head, "|" + "---|" * (3 + len(ESTIMATORS))]
    absb: dict[str, list[float]] = {e: [] for e in ESTIMATORS}
    for name, p in dists.items():
        h = entropy(p)
        for n in (10, 30, 100, 300):
            c = rng.multinomial(n, p, size=n_trials)
            bias = {e: float(np.mean(entropy_from_counts(c, e)) - h) for e in ESTIMATORS}
            for e in ESTIMATORS:
                absb[e].append(abs(bias[e]))
            lines.append(f"| {name} | {h:.3f} | {n} | "
                         + " | ".join(f"{bias[e]:+.3f}" for e in ESTIMATORS) + " |")
    mab = {e: float(np.mean(v)) for e, v in absb.items()}
    lines.append("| **mean absolute bias** | | | "
                 + " | ".join(f"**{mab[e]:.3f}**" for e in ESTIMATORS) + " |")
    return "\n".join(lines), mab


def _setup(args):
    from types import SimpleNamespace

    st = make_spikes(args.units, args.spikes)
    small = make_spikes(5, 500, seed=1)
    counts, _ = isi_counts(st, 50, (0.0, 0.25))
    counts = counts[counts.sum(axis=1) > 0]
    return SimpleNamespace(st=st, small=small, counts=counts, small_counts=counts[:3])


def _nsb_reference(counts):
    from cortexkit.information._nsb import nsb_nats

    return [nsb_nats(row) for row in counts]


PEER = "peer loop: elephant isi + np.histogram + scipy entropy"
CASES = {
    "ISIs: np.diff + boundary mask": Case(_setup, lambda s: isis_numpy(s.st),
                                          lambda s: isis_numpy(s.small)),
    "ck.isi.intervals": Case(_setup, lambda s: ck.isi.intervals(s.st),
                             lambda s: ck.isi.intervals(s.small)),
    "ck.information.isi_entropy": Case(_setup, lambda s: ck.information.isi_entropy(s.st),
                                       lambda s: ck.information.isi_entropy(s.small)),
    "isi_entropy, estimator=nsb": Case(
        _setup, lambda s: ck.information.isi_entropy(s.st, estimator="nsb"),
        lambda s: ck.information.isi_entropy(s.small, estimator="nsb")),
    "NSB vectorized (entropy_from_counts)": Case(
        _setup, lambda s: entropy_from_counts(s.counts, "nsb"),
        lambda s: entropy_from_counts(s.small_counts, "nsb")),
    "NSB reference (nsb_nats per unit)": Case(
        _setup, lambda s: _nsb_reference(s.counts), lambda s: _nsb_reference(s.small_counts)),
    PEER: Case(
        _setup, lambda s: peer_loop(s.st), lambda s: peer_loop(s.small)),
}


def parse(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small smoke run, no results file")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--bias-trials", type=int, default=1000)
    ap.add_argument("--units", type=int, default=None)
    ap.add_argument("--spikes", type=int, default=None)
    ap.add_argument("--nsb-only", action="store_true",
                    help="only the two NSB rows (results appended as a separate section)")
    args = ap.parse_args(argv)
    args.units = args.units or (100 if args.quick else 1000)
    args.spikes = args.spikes or (200_000 if args.quick else 10_000_000)
    return args


def main(argv: list[str]) -> int:
    args = parse(argv)
    trials = 50 if args.quick else args.bias_trials
    if args.nsb_only:
        return nsb_only(args)
    # correctness of what is compared, in this process
    st = make_spikes(min(args.units, 50), args.spikes // 20)
    table = ck.information.isi_entropy(st)
    peer = np.array(peer_loop(st))
    np.testing.assert_allclose(table["entropy"].to_numpy(), peer, rtol=1e-12)
    r = run_cases(__file__, list(CASES), ["--units", str(args.units), "--spikes",
                                          str(args.spikes)],
                  rounds=1 if args.quick else args.rounds, repeat=args.repeats)
    f = {k: v["fresh_s"] for k, v in r.items()}
    nsb_new = r["NSB vectorized (entropy_from_counts)"]
    nsb_ref = r["NSB reference (nsb_nats per unit)"]
    out = ["## Information: ISI entropy of every unit (`benchmarks/bench_information.py`)\n",
           machine_line() + "\n",
           f"{args.units} units, {args.spikes:,} spikes, 50 bins on 0-0.25 s.  Each row is its "
           "own fresh process (setup, tiny warm-up on 5 units, timed call = fresh; best of "
           f"{args.repeats} more = warm); best of {1 if args.quick else args.rounds} rounds.\n",
           *table_rows(r), "",
           f"- isi_entropy / computing the ISIs (fresh): **"
           f"{f['ck.information.isi_entropy'] / f['ISIs: np.diff + boundary mask']:.2f}x**; "
           f"peer loop / isi_entropy: **"
           f"{f[PEER] / f['ck.information.isi_entropy']:.1f}x**",
           f"- NSB per unit: reference {1e3 * nsb_ref['warm_s'] / args.units:.3f} ms, "
           f"vectorized {1e3 * nsb_new['warm_s'] / args.units:.3f} ms (warm): **"
           f"{nsb_ref['warm_s'] / nsb_new['warm_s']:.1f}x** faster (goal >= 20x; CPU: "
           f"{nsb_ref['warm_cpu_s'] / nsb_new['warm_cpu_s']:.1f}x); fresh: "
           f"{nsb_ref['fresh_s'] / nsb_new['fresh_s']:.1f}x.  Same values to 1e-9 "
           "(tests/test_information.py).\n"]
    bias_md, _ = bias_table(trials)
    out.append(f"### Estimator bias (bits), mean over {trials} samples per cell\n")
    out.append("Bias = mean estimate - true entropy (negative: underestimate).\n")
    out.append(bias_md)
    text = "\n".join(out) + "\n"
    print(text)
    if not args.quick:
        (HERE / "results" / "information.md").write_text(text)
    return 0


def nsb_only(args) -> int:
    names = ["NSB vectorized (entropy_from_counts)", "NSB reference (nsb_nats per unit)"]
    r = run_cases(__file__, names, ["--units", str(args.units), "--spikes", str(args.spikes)],
                  rounds=args.rounds, repeat=args.repeats)
    new, ref = r[names[0]], r[names[1]]
    text = "\n".join([
        "### NSB per unit, re-run after the last NSB change (`--nsb-only`)", "",
        machine_line(), "",
        *table([(k, r[k], None) for k in names], names[0], r), "",
        f"- reference / vectorized: **{ref['warm_s'] / new['warm_s']:.1f}x** warm wall, "
        f"{ref['warm_cpu_s'] / new['warm_cpu_s']:.1f}x warm CPU, "
        f"{ref['fresh_s'] / new['fresh_s']:.1f}x fresh wall, "
        f"{ref['fresh_cpu_s'] / new['fresh_cpu_s']:.1f}x fresh CPU (goal >= 20x); "
        f"{1e3 * new['warm_s'] / args.units:.3f} ms per unit", ""])
    print(text)
    path = HERE / "results" / "information.md"
    if not args.quick and path.exists():
        path.write_text(path.read_text() + "\n" + text)
    return 0


def table_rows(r):
    return table([(k, v, None) for k, v in r.items()], "ck.information.isi_entropy", r)


if __name__ == "__main__":
    if not child_main(CASES, parse):
        sys.exit(main(sys.argv[1:]))
