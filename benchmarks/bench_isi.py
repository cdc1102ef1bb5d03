"""ISI statistics and distribution fits against Elephant, pynapple and a plain NumPy loop.

Data: 1000 units, 10^7 spikes in total (``--quick``: 100 units, 10^5 spikes), lognormal
rates, gamma ISIs with a 2 ms dead time (so every unit is a renewal process; shapes 0.5-4).
Everything the peers need is built before timing (neo SpikeTrains, a pynapple TsGroup,
per-unit NumPy arrays); only the analysis is timed, best of ``--repeat`` interleaved runs
after a warm-up that loads the numba cache.

Timed:

- ``ck.isi.stats(st)`` (numba engine, the default at this size) and ``engine="numpy"``
  (flat bincount reductions + one lexsort for the median): all 10 columns incl. median,
  CV, LV, CV2, refractory counts;
- Elephant: per unit ``isi(train)`` then ``cv``, ``lv``, ``cv2`` on neo SpikeTrains;
- pynapple: ``TsGroup.time_diff()`` (its ISI computation: a dict of per-unit Tsd), and the
  same followed by CV and LV per unit in NumPy;
- plain NumPy loop over per-unit arrays computing CV and LV only (``np.diff``, ``std/mean``,
  LV from consecutive ISIs) -- less than ``stats`` computes;
- ``ck.isi.fit_all(st)``: five ML distributions + KS statistic for every unit (and with
  ``ks=False``).

Peak memory: extra bytes allocated during each call (tracemalloc; NumPy reports its
buffers to it; numba's per-call buffers are one unit long) and the process max RSS.
Usage::

    .venv-peers/bin/python benchmarks/bench_isi.py [--quick] [--repeat R] [--out FILE]
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import resource
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np

import cortexkit as ck
from _common import cpu_model as _cpu_model  # noqa: E402


def make_session(n_units: int, n_spikes: int, seed: int = 0) -> ck.SpikeTrains:
    """Renewal trains: gamma ISIs + 2 ms dead time, lognormal rates, ~n_spikes in total."""
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


def pynapple_isi(group):
    return group.time_diff()


def pynapple_isi_cv_lv(group):
    out = []
    for d in group.time_diff().values():
        x = d.values
        r = np.diff(x) / (x[:-1] + x[1:])
        out.append((x.std() / x.mean(), 3.0 * np.mean(r * r)))
    return out


def numpy_loop_cv_lv(arrays) -> list:
    out = []
    for t in arrays:
        x = np.diff(t)
        r = np.diff(x) / (x[:-1] + x[1:])
        out.append((x.std() / x.mean(), 3.0 * np.mean(r * r)))
    return out


def timed(fn, *args) -> tuple[float, float]:
    """(wall, CPU) seconds of one call. CPU time (this process only) is the fairer number
    on a shared machine: other jobs stretch wall time but not it."""
    gc.collect()
    c0, t0 = time.process_time(), time.perf_counter()
    fn(*args)
    return time.perf_counter() - t0, time.process_time() - c0


def peak_extra(fn, *args) -> int:
    gc.collect()
    tracemalloc.start()
    fn(*args)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small smoke run")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", type=Path, default=None, help="write the markdown here")
    args = ap.parse_args(argv)
    n_units, n_spikes = (100, 100_000) if args.quick else (1000, 10_000_000)

    warnings.simplefilter("ignore")
    st = make_session(n_units, n_spikes)
    arrays = st.to_list()
    trains = st.to_neo()
    group = st.to_pynapple()
    ck.isi.stats(st, engine="numba")  # warm-up: numba cache
    ck.isi.fit_all(st.select(st.unit_ids[:5]))

    # correctness of what is compared: same numbers as the peers
    df = ck.isi.stats(st)
    el = np.array(elephant_cv_lv_cv2(trains[:50]))
    np.testing.assert_allclose(df[["cv", "lv", "cv2"]].to_numpy()[:50], el, rtol=1e-9)

    contenders = {
        "ck.isi.stats (numba)": (lambda: ck.isi.stats(st, engine="numba")),
        "ck.isi.stats (numpy engine)": (lambda: ck.isi.stats(st, engine="numpy")),
        "Elephant isi + cv, lv, cv2 per unit": (lambda: elephant_cv_lv_cv2(trains)),
        "pynapple TsGroup.time_diff()": (lambda: pynapple_isi(group)),
        "pynapple time_diff + cv, lv per unit": (lambda: pynapple_isi_cv_lv(group)),
        "plain NumPy loop, cv + lv per unit": (lambda: numpy_loop_cv_lv(arrays)),
    }
    load_before = os.getloadavg()[0]
    times = {k: [] for k in contenders}
    for _ in range(args.repeat):
        for name, fn in contenders.items():
            times[name].append(timed(fn))
    best = {k: min(w for w, _ in v) for k, v in times.items()}
    cpu = {k: min(c for _, c in v) for k, v in times.items()}
    fit_times = [timed(ck.isi.fit_all, st) for _ in range(max(1, args.repeat - 1))]
    fit_best = min(w for w, _ in fit_times)
    fit_cpu = min(c for _, c in fit_times)
    noks = min(timed(lambda: ck.isi.fit_all(st, ks=False)) for _ in range(2))
    load_after = os.getloadavg()[0]
    fits = ck.isi.fit_all(st)
    mem = {
        "ck.isi.stats (numba)": peak_extra(ck.isi.stats, st),
        "ck.isi.stats (numpy engine)": peak_extra(lambda: ck.isi.stats(st, engine="numpy")),
        "ck.isi.fit_all": peak_extra(ck.isi.fit_all, st),
        "Elephant isi + cv, lv, cv2 per unit": peak_extra(elephant_cv_lv_cv2, trains),
        "pynapple TsGroup.time_diff()": peak_extra(pynapple_isi, group),
    }
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    ref = best["ck.isi.stats (numba)"]
    cref = cpu["ck.isi.stats (numba)"]
    el = "Elephant isi + cv, lv, cv2 per unit"
    pn = "pynapple TsGroup.time_diff()"
    lp = "plain NumPy loop, cv + lv per unit"
    lines = [
        "## ISI statistics and fits (`benchmarks/bench_isi.py`)",
        "",
        f"Machine: {_cpu_model()}, 2 cores (shared with other jobs while measured); Python "
        f"{platform.python_version()}, numpy {np.__version__}. {n_units} units, "
        f"{st.n_spikes:,} spikes (gamma renewal trains with a 2 ms dead time, lognormal "
        f"rates); analysis time only (neo SpikeTrains, TsGroup and per-unit arrays built "
        f"beforehand), best of {args.repeat} interleaved runs. Load average during the run: "
        f"{load_before:.1f} -> {load_after:.1f} on 2 cores (other jobs running), so CPU time of "
        "this process is shown next to wall time.",
        "",
        "| task | wall (s) | CPU (s) | wall / ck.isi.stats | CPU / ck.isi.stats |",
        "|---|---|---|---|---|",
    ]
    for name, t in best.items():
        lines.append(f"| {name} | {t:.3f} | {cpu[name]:.3f} | {t / ref:.2f}x | "
                     f"{cpu[name] / cref:.2f}x |")
    lines += [
        "",
        f"- Elephant / ck.isi.stats: **{best[el] / ref:.1f}x** wall, {cpu[el] / cref:.1f}x CPU "
        "(target >= 5x)",
        f"- pynapple ISIs alone / ck.isi.stats (all statistics): **{best[pn] / ref:.1f}x** wall,"
        f" {cpu[pn] / cref:.1f}x CPU (target > 1x)",
        f"- ck.isi.stats / plain NumPy loop (cv + lv only): **{ref / best[lp]:.2f}x** wall, "
        f"{cref / cpu[lp]:.2f}x CPU (target <= 2x); the NumPy engine: "
        f"{best['ck.isi.stats (numpy engine)'] / best[lp]:.2f}x wall",
        f"- `ck.isi.fit_all` on {n_units} units (5 ML models + KS statistic each): "
        f"**{fit_best:.2f} s** wall, {fit_cpu:.2f} s CPU (target < 10 s); best models: "
        + ", ".join(f"{k} {v}" for k, v in fits["best_model"].value_counts().items()),
        f"- `ck.isi.fit_all(st, ks=False)` (fits, log-likelihoods, AIC/BIC, no KS): "
        f"{noks[0]:.2f} s wall, {noks[1]:.2f} s CPU",
        "",
        "Peak extra memory during the call (tracemalloc):",
        "",
        "| call | peak extra (MiB) |",
        "|---|---|",
    ]
    for name, b in mem.items():
        lines.append(f"| {name} | {b / 2**20:.0f} |")
    lines += ["", f"Spike times themselves: {st.times.nbytes / 2**20:.0f} MiB; process max "
              f"RSS {rss:.0f} MiB (includes the neo and pynapple copies)."]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
