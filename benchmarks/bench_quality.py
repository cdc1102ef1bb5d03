"""Unit quality metrics and correlograms against SpikeInterface, side by side in one run.

Cases (each in a fresh process: build the data, one tiny warm-up call -- the same call on
5 units / 2000 spikes --, then the timed first call on the full data (*fresh*), then the
best of ``--repeat`` more (*warm*); ``--rounds`` interleaved rounds):

- ``ck_metrics``: ``ck.quality.metrics(st)`` -- every column, the sliding
  refractory-period test included -- on 1000 units / 10^7 spikes / 1000 s
  (``--quick``: 100 units / 10^5 spikes);
- ``si_metrics``: SpikeInterface's ``compute_isi_violations`` +
  ``compute_refrac_period_violations`` + ``compute_sliding_rp_violations`` on a
  ``NumpySorting`` / memory ``SortingAnalyzer`` of the same spikes (1.5 ms, defaults);
- ``ck_ccg`` / ``si_ccg``: all-pairs correlograms of 100 of those units, 1 ms bins,
  +-50 ms: ``ck.correlograms`` against SpikeInterface's numba ``compute_correlograms``.

Spikes are integer samples; cortexkit gets ``samples / fs``.  The metrics run at
fs = 30 kHz.  The correlograms run at fs = 2**15 Hz, where ``samples / fs`` is exact in
binary, so lags that fall exactly on a bin edge are binned identically by SpikeInterface's
integer arithmetic and cortexkit's float arithmetic (at 30 kHz float rounding can move
such a lag into the neighbouring bin); SpikeInterface rounds the 1 ms request to 33
samples (1.007 ms) and the window to 1617 samples, and cortexkit is given those edges.

The parent checks the results: Hill ratio and Llobet contamination (max abs difference)
and correlogram counts (equal, SpikeInterface's ``[a, b]`` is cortexkit's ``[b, a]``).
The fresh-process runner is ``benchmarks/_common.py``'s (``run_cases``, ``clean_env``).

Usage::

    .venv-peers/bin/python benchmarks/bench_quality.py [--quick] [--repeat R] [--rounds K]
    .venv-peers/bin/python benchmarks/bench_quality.py --freeze   # tests/data fixture
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import (  # noqa: E402
    Case,
    child_main,
    machine_line,
    run_cases,
    table,
    write_results,
)

FS_METRICS = 30000.0
FS_CCG = 32768.0
CCG_UNITS = 100


def make_samples(n_units: int, n_spikes: int, duration: float, fs: float, seed: int = 0):
    """(samples, labels) sorted by unit then time: dead-time Poisson units, lognormal
    rates; a fifth of the units mixed with a Poisson train (0-50 % of their spikes)."""
    rng = np.random.default_rng(seed)
    w = rng.lognormal(0.0, 1.0, n_units)
    counts = rng.multinomial(n_spikes, w / w.sum())
    dead = rng.uniform(0.0015, 0.0025, n_units)
    contaminated = rng.random(n_units) < 0.2
    frac = np.where(contaminated, rng.uniform(0, 0.5, n_units), 0.0)
    n_rogue = rng.binomial(counts, frac)
    n_base = counts - n_rogue
    unit = np.repeat(np.arange(n_units), n_base)
    mean = np.maximum(duration / np.maximum(n_base, 1) - dead, 1e-4)
    isi = dead[unit] + rng.exponential(mean[unit])
    csum = np.cumsum(isi)
    off = np.r_[0, np.cumsum(n_base)]
    start = np.r_[0.0, csum[off[1:-1] - 1]]
    base = csum - start[unit]
    keep = base < duration
    rogue_unit = np.repeat(np.arange(n_units), n_rogue)
    t = np.r_[base[keep], rng.uniform(0, duration, n_rogue.sum())]
    lab = np.r_[unit[keep], rogue_unit]
    s = np.floor(t * fs).astype(np.int64)
    order = np.lexsort((s, lab))
    return s[order], lab[order].astype(np.int64)


def _sizes(quick: bool):
    return (100, 100_000, 100.0) if quick else (1000, 10_000_000, 1000.0)


def _spiketrains(samples, labels, fs, n_samples):
    import cortexkit as ck

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ck.SpikeTrains.from_events(samples / fs, labels, t_start=0.0,
                                          t_stop=n_samples / fs)


def _setup(args, case: str) -> SimpleNamespace:
    """The case's data (untimed): full-size and tiny spikes in the case's format."""
    warnings.simplefilter("ignore")
    n_units, n_spikes, duration = _sizes(args.quick)
    fs = FS_CCG if case.endswith("ccg") else FS_METRICS
    samples, labels = make_samples(n_units, n_spikes, duration, fs)
    n_samples = int(round(duration * fs)) + 1
    if case.endswith("ccg"):
        keep = labels < CCG_UNITS
        samples, labels = samples[keep], labels[keep]
    tiny_s, tiny_l = make_samples(5, 2000, 20.0, fs, seed=1)
    s = SimpleNamespace(case=case, fs=fs, res=None, out_dir=args.tmp)
    s.report = lambda: _save(s, samples, labels)
    if case.startswith("ck"):
        s.x = _spiketrains(samples, labels, fs, n_samples)
        s.tiny = _spiketrains(tiny_s, tiny_l, fs, int(20 * fs) + 1)
    else:
        import _si_quality as siq

        siq.FS = fs
        if case == "si_metrics":
            s.x = _si_analyzer(samples, labels, fs, n_samples)
            s.tiny = _si_analyzer(tiny_s, tiny_l, fs, int(20 * fs) + 1)
        else:
            s.x = _si_sorting(samples, labels, fs)
            s.tiny = _si_sorting(tiny_s, tiny_l, fs)
    return s


def _save(s, samples, labels) -> dict:
    """Save the last call's result for the parent's checks; the case's spike count."""
    out, res = s.out_dir, s.res
    if out is not None and res is not None:
        if s.case == "ck_metrics":
            np.savez(out / "ck_metrics.npz", unit=res["unit"].to_numpy(),
                     ratio=res["isi_violations_ratio"].to_numpy(),
                     rp=res["rp_contamination"].to_numpy(),
                     slidingrp=res["slidingrp_min_contamination"].to_numpy())
        elif s.case == "si_metrics":
            ids = np.unique(labels)
            np.savez(out / "si_metrics.npz", unit=ids,
                     ratio=np.array([res[0].isi_violations_ratio[u] for u in ids]),
                     rp=np.array([res[1].rp_contamination[u] for u in ids]),
                     slidingrp=np.array([res[2][u] for u in ids]))
        elif s.case == "ck_ccg":
            np.save(out / "ck_ccg.npy", res.counts)
        else:
            np.save(out / "si_ccg.npy", res[0])
    return {"n_spikes": int(samples.size)}


def _ck_metrics(st):
    import cortexkit as ck

    return ck.quality.metrics(st)


def _ck_ccg(st, fs):
    import cortexkit as ck

    bs, ws = _si_bins(fs)
    return ck.correlograms(st, bin_size=bs / fs, window=ws / fs)


def _si_ccg(sorting):
    from spikeinterface.postprocessing.correlograms import compute_correlograms

    return compute_correlograms(sorting, window_ms=100.0, bin_ms=1.0, method="numba")


def _case(case: str, fn, fs_arg: bool = False) -> Case:
    def call(s):
        s.res = fn(s.x, s.fs) if fs_arg else fn(s.x)
        return s.res

    def tiny(s):
        return fn(s.tiny, s.fs) if fs_arg else fn(s.tiny)

    return Case(lambda a: _setup(a, case), call, tiny)


CASES = {
    "ck_metrics": _case("ck_metrics", _ck_metrics),
    "si_metrics": _case("si_metrics", lambda an: _si_metrics(an)),
    "ck_ccg": _case("ck_ccg", _ck_ccg, fs_arg=True),
    "si_ccg": _case("si_ccg", _si_ccg),
}


def _si_bins(fs):
    bsz = int(round(fs * 1.0e-3))
    wsz = int(round(fs * 100.0 / 2 * 1e-3))
    return bsz, wsz - wsz % bsz


def _si_sorting(samples, labels, fs):
    import spikeinterface.core as sc

    order = np.argsort(samples, kind="stable")
    return sc.NumpySorting.from_samples_and_labels([samples[order]], [labels[order]], fs)


def _si_analyzer(samples, labels, fs, n_samples):
    import spikeinterface.core as sc
    from probeinterface import generate_linear_probe
    try:  # SpikeInterface >= 0.105
        from spikeinterface.generation import NoiseGeneratorRecording
    except ImportError:  # pragma: no cover - older releases
        from spikeinterface.core.generate import NoiseGeneratorRecording

    sorting = _si_sorting(samples, labels, fs)
    rec = NoiseGeneratorRecording(num_channels=1, sampling_frequency=fs,
                                  durations=[n_samples / fs])
    probe = generate_linear_probe(num_elec=1)
    probe.set_device_channel_indices([0])
    rec.set_probe(probe)
    return sc.create_sorting_analyzer(sorting, rec, format="memory", sparse=False,
                                      main_channel_indices=np.zeros(len(sorting.unit_ids),
                                                                    dtype=int))


def _si_metrics(an):
    from spikeinterface.metrics.quality.misc_metrics import (
        compute_isi_violations,
        compute_refrac_period_violations,
        compute_sliding_rp_violations,
    )

    return (compute_isi_violations(an, isi_threshold_ms=1.5),
            compute_refrac_period_violations(an, refractory_period_ms=1.5),
            compute_sliding_rp_violations(an))


def real_data_agreement() -> list[str]:
    """Hill ratio and Llobet contamination of cortexkit and SpikeInterface on the two real
    recordings (the values frozen in tests/data/quality_spikeinterface.csv)."""
    import _si_quality as siq
    import cortexkit as ck

    siq.FS = FS_METRICS
    lines = []
    for name, (samples, labels) in siq.real_recordings().items():
        isi, rp = siq.si_violation_metrics(siq.analyzer(samples, labels))
        m = ck.quality.metrics(siq.cortexkit_spikes(samples, labels))
        ids = m["unit"].to_numpy()
        si_ratio = np.array([isi.isi_violations_ratio[u] for u in ids], dtype=float)
        si_rp = np.array([rp.rp_contamination[u] for u in ids], dtype=float)
        d_ratio = np.nanmax(np.abs(si_ratio - m["isi_violations_ratio"].to_numpy()))
        d_rp = np.nanmax(np.abs(si_rp - m["rp_contamination"].to_numpy()))
        same_nan = np.array_equal(np.isnan(si_rp), np.isnan(m["rp_contamination"].to_numpy()))
        lines.append(f"| {name} | {ids.size} | {d_ratio:.3g} | {d_rp:.3g} | {same_nan} |")
    return lines


def parse(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--out", type=Path, default=None, help="write the markdown here")
    ap.add_argument("--freeze", action="store_true",
                    help="write tests/data/quality_spikeinterface.csv and exit")
    ap.add_argument("--tmp", type=Path, default=None, help=argparse.SUPPRESS)
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    if args.freeze:
        import _si_quality

        print(_si_quality.freeze())
        return 0
    import spikeinterface

    import cortexkit

    rounds = 1 if args.quick else args.rounds
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        res = run_cases(__file__, list(CASES),
                        ["--tmp", str(tmp)] + (["--quick"] if args.quick else []),
                        rounds=rounds, repeat=args.repeat)
        ck_m, si_m = np.load(tmp / "ck_metrics.npz"), np.load(tmp / "si_metrics.npz")
        assert np.array_equal(ck_m["unit"], si_m["unit"])
        d_ratio = float(np.nanmax(np.abs(ck_m["ratio"] - si_m["ratio"])))
        d_rp = float(np.nanmax(np.abs(ck_m["rp"] - si_m["rp"])))
        nan_same = bool(np.array_equal(np.isnan(ck_m["rp"]), np.isnan(si_m["rp"])))
        ck_c, si_c = np.load(tmp / "ck_ccg.npy"), np.load(tmp / "si_ccg.npy")
        ccg_equal = bool(np.array_equal(ck_c, si_c.transpose(1, 0, 2)))
        ccg_total = int(ck_c.sum())
        sl_ck, sl_si = ck_m["slidingrp"], si_m["slidingrp"]
    real = real_data_agreement()
    both = ~np.isnan(sl_ck) & ~np.isnan(sl_si)
    same = np.sum(np.isclose(sl_ck[both], sl_si[both], rtol=0, atol=1e-12))
    dmax = float(np.max(np.abs(sl_ck[both] - sl_si[both]))) if both.any() else float("nan")
    only_ck = np.sum(~np.isnan(sl_ck) & np.isnan(sl_si))
    only_si = np.sum(np.isnan(sl_ck) & ~np.isnan(sl_si))
    n_units, n_spikes, duration = _sizes(args.quick)
    m_ck, m_si = res["ck_metrics"], res["si_metrics"]
    c_ck, c_si = res["ck_ccg"], res["si_ccg"]
    n_ccg = c_ck["info"]["n_spikes"]
    rows = [
        ("ck.quality.metrics", m_ck, "(every column: ISI + RP violations, presence, "
         "firing range, sliding RP)"),
        ("SpikeInterface isi + rp + sliding_rp violations", m_si, None),
        (f"ck.correlograms ({CCG_UNITS} units, all pairs)", c_ck, None),
        ("SpikeInterface compute_correlograms (numba)", c_si, None),
    ]

    def pair(a, b):
        return (f"**{a['fresh_s'] / b['fresh_s']:.1f}x** fresh, "
                f"**{a['warm_s'] / b['warm_s']:.1f}x** warm (CPU "
                f"{a['fresh_cpu_s'] / b['fresh_cpu_s']:.1f}x / "
                f"{a['warm_cpu_s'] / b['warm_cpu_s']:.1f}x)")

    lines = [
        "## Unit quality metrics and correlograms (`benchmarks/bench_quality.py`)", "",
        machine_line(), "",
        f"cortexkit {cortexkit.__version__}, SpikeInterface {spikeinterface.__version__}. "
        f"{n_units} units, {m_ck['info']['n_spikes']:,} spikes, {duration:g} s (dead-time "
        "Poisson units, lognormal rates, a fifth contaminated); correlograms of the first "
        f"{CCG_UNITS} units ({n_ccg:,} spikes), 1 ms bins, +-50 ms.  Each row is its own fresh"
        " process: data built, one tiny warm-up call (the same call on 5 units / 2000 "
        "spikes: cortexkit's default engine stays on NumPy there, so the full call's "
        "`import numba` and kernel cache load fall in the fresh time; SpikeInterface's "
        "`method=\"numba\"` loads numba in the warm-up), the timed call (*fresh*), then the "
        f"best of {args.repeat} more (*warm*); best of {rounds} interleaved rounds.", "",
        *table(rows, "ck_metrics", res, warm_ratio=True), "",
        f"- SpikeInterface / cortexkit, metrics: {pair(m_si, m_ck)}",
        f"- SpikeInterface / cortexkit, correlograms: {pair(c_si, c_ck)}", "",
        "Agreement on the same spikes:\n",
        f"- Hill `isi_violations_ratio`: max abs difference {d_ratio:.3g}; Llobet "
        f"`rp_contamination`: max abs difference {d_rp:.3g} (NaN in the same units: "
        f"{nan_same}).",
        f"- correlogram counts equal: {ccg_equal} ({ccg_total:,} pairs counted).",
        f"- sliding RP (min contamination at 90 % confidence): cortexkit follows the IBL "
        f"reference (one-sample ACG bins, 0.5-34.5 % grid, the reference's expected count); "
        f"SpikeInterface's `sliding_rp_violation` bins at 0.25 ms and uses Llobet's expected "
        f"count, so the two are not meant to be equal: of {int(both.sum())} units with a "
        f"value on both sides {int(same)} are equal, max |difference| {dmax:.3g}; "
        f"{int(only_ck)} units have a value only in cortexkit, {int(only_si)} only in "
        f"SpikeInterface.",
        "",
        "Real data (the same spikes on both sides: phy samples / 30 kHz; IBL ALF times "
        "rounded to 30 kHz samples), max |cortexkit - SpikeInterface|:\n",
        "| recording | units | Hill `isi_violations_ratio` | Llobet `rp_contamination` | "
        "NaN in the same units |",
        "|---|---|---|---|---|",
        *real,
        "",
    ]
    text = "\n".join(lines)
    print(text)
    out = args.out or (None if args.quick else HERE / "results" / "quality.md")
    if out is not None:
        write_results(out, text)
    return 0


if __name__ == "__main__":
    if not child_main(CASES, parse):
        sys.exit(main())
