"""Unit quality metrics and correlograms against SpikeInterface, side by side in one run.

Cases (each in a fresh process: build the data, one tiny warm-up call that loads numba
and the kernel caches, then the timed first call on the full data, then warm best-of-N):

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
The fresh-process runner is a minimal one written here (``benchmarks/_common.py`` had no
fresh-process helper when this was written).

Usage::

    .venv-peers/bin/python benchmarks/bench_quality.py [--quick] [--repeat R] [--out FILE]
    .venv-peers/bin/python benchmarks/bench_quality.py --freeze   # tests/data fixture
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import cpu_model  # noqa: E402

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


def _timed(fn, repeat):
    t0 = time.perf_counter()
    out = fn()
    first = time.perf_counter() - t0
    best = first
    for _ in range(repeat - 1):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return out, first, best


def run_case(case: str, quick: bool, repeat: int, out_dir: Path) -> dict:
    """One case in this (fresh) process; results saved to ``out_dir`` for the checks."""
    warnings.simplefilter("ignore")
    n_units, n_spikes, duration = _sizes(quick)
    fs = FS_CCG if case.endswith("ccg") else FS_METRICS
    samples, labels = make_samples(n_units, n_spikes, duration, fs)
    n_samples = int(round(duration * fs)) + 1
    if case.endswith("ccg"):
        keep = labels < CCG_UNITS
        samples, labels = samples[keep], labels[keep]
    tiny_s, tiny_l = make_samples(5, 2000, 20.0, fs, seed=1)
    info: dict = {"case": case, "n_spikes": int(samples.size)}
    if case.startswith("ck"):
        import cortexkit as ck

        st = _spiketrains(samples, labels, fs, n_samples)
        tiny = _spiketrains(tiny_s, tiny_l, fs, int(20 * fs) + 1)
        if case == "ck_metrics":
            ck.quality.metrics(tiny, engine="numba")
            res, first, best = _timed(lambda: ck.quality.metrics(st), repeat)
            np.savez(out_dir / "ck_metrics.npz", unit=res["unit"].to_numpy(),
                     ratio=res["isi_violations_ratio"].to_numpy(),
                     rp=res["rp_contamination"].to_numpy(),
                     slidingrp=res["slidingrp_min_contamination"].to_numpy())
        else:
            bs, ws = _si_bins(fs)
            ck.correlograms(tiny, bin_size=bs / fs, window=ws / fs, engine="numba")
            res, first, best = _timed(
                lambda: ck.correlograms(st, bin_size=bs / fs, window=ws / fs), repeat)
            np.save(out_dir / "ck_ccg.npy", res.counts)
    else:
        import _si_quality as siq

        siq.FS = fs
        if case == "si_metrics":
            an = _si_analyzer(samples, labels, fs, n_samples)
            tiny_an = _si_analyzer(tiny_s, tiny_l, fs, int(20 * fs) + 1)
            _si_metrics(tiny_an)
            res, first, best = _timed(lambda: _si_metrics(an), repeat)
            ids = np.unique(labels)
            np.savez(out_dir / "si_metrics.npz", unit=ids,
                     ratio=np.array([res[0].isi_violations_ratio[u] for u in ids]),
                     rp=np.array([res[1].rp_contamination[u] for u in ids]),
                     slidingrp=np.array([res[2][u] for u in ids]))
        else:
            from spikeinterface.postprocessing.correlograms import compute_correlograms

            sorting = _si_sorting(samples, labels, fs)
            compute_correlograms(_si_sorting(tiny_s, tiny_l, fs), window_ms=100.0,
                                 bin_ms=1.0, method="numba")
            res, first, best = _timed(
                lambda: compute_correlograms(sorting, window_ms=100.0, bin_ms=1.0,
                                             method="numba"), repeat)
            np.save(out_dir / "si_ccg.npy", res[0])
    info.update(first=first, best=best)
    return info


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


def _child(case, quick, repeat, out_dir) -> dict:
    cmd = [sys.executable, __file__, "--case", case, "--repeat", str(repeat),
           "--tmp", str(out_dir)] + (["--quick"] if quick else [])
    env = dict(os.environ)
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"case {case} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", type=Path, default=None, help="write the markdown here")
    ap.add_argument("--freeze", action="store_true",
                    help="write tests/data/quality_spikeinterface.csv and exit")
    ap.add_argument("--case", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--tmp", type=Path, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.freeze:
        import _si_quality

        print(_si_quality.freeze())
        return 0
    if args.case:
        print(json.dumps(run_case(args.case, args.quick, args.repeat, args.tmp)))
        return 0
    import numpy
    import spikeinterface

    import cortexkit

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        res = {c: _child(c, args.quick, args.repeat, tmp)
               for c in ("ck_metrics", "si_metrics", "ck_ccg", "si_ccg")}
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
    load = os.getloadavg()
    n_units, n_spikes, duration = _sizes(args.quick)
    m_ck, m_si = res["ck_metrics"], res["si_metrics"]
    c_ck, c_si = res["ck_ccg"], res["si_ccg"]
    lines = [
        "# Unit quality metrics and correlograms (`benchmarks/bench_quality.py`)\n",
        f"Machine: {cpu_model()}, {os.cpu_count()} cores (shared with other jobs; load "
        f"average {load[0]:.1f} at the end of the run); Python {platform.python_version()}, "
        f"numpy {numpy.__version__}, cortexkit {cortexkit.__version__}, SpikeInterface "
        f"{spikeinterface.__version__}. {n_units} units, {m_ck['n_spikes']:,} spikes, "
        f"{duration:g} s (dead-time Poisson units, lognormal rates, a fifth contaminated). "
        "Each case in a fresh process: data built, one tiny warm-up call (numba import and "
        f"kernel caches), then the first call on the full data and the best of {args.repeat} "
        "calls (warm).\n",
        "| task | cortexkit first (s) | cortexkit warm (s) | SpikeInterface first (s) | "
        "SpikeInterface warm (s) | SI / ck (warm) |",
        "|---|---|---|---|---|---|",
        f"| all of `ck.quality.metrics` (ISI + RP violations, presence, firing range, "
        f"sliding RP) vs SI `isi_violation` + `rp_violation` + `sliding_rp_violation` | "
        f"{m_ck['first']:.3f} | {m_ck['best']:.3f} | {m_si['first']:.3f} | "
        f"{m_si['best']:.3f} | **{m_si['best'] / m_ck['best']:.1f}x** |",
        f"| correlograms of {CCG_UNITS} units ({c_ck['n_spikes']:,} spikes), all pairs, "
        f"1 ms bins, +-50 ms | {c_ck['first']:.3f} | {c_ck['best']:.3f} | {c_si['first']:.3f}"
        f" | {c_si['best']:.3f} | **{c_si['best'] / c_ck['best']:.1f}x** |",
        "",
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
        out.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
