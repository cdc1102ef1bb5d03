"""Benchmark: LIF population simulation, ck.lif.simulate vs Brian2 (cython) and a NumPy loop.

Cases (issue 7):

1. 10,000 neurons x 10,000 steps (dt 0.1 ms, 1 s), sine input plus a frozen per-neuron
   Gaussian offset, V not recorded, exact integration.  Compared with
   - Brian2 2.9 (cython runtime target), timed on its second run (code already compiled);
     the input is a ``TimedArray`` of the very same samples, copied into a per-neuron
     parameter ``I`` by a ``run_regularly`` operation in the ``start`` slot (so the state
     update of step k sees the input at t_k, as in cortexkit), ``method="exact"``,
     threshold ``v > V_th`` (strict), reset ``v = V_reset``, no refractory period;
   - a vectorized NumPy time loop (``V = V_inf + (V - V_inf) exp(-dt/tau)`` per step).
   The spike counts of all three are printed and compared.
2. The same with fresh white noise per neuron and step: cortexkit (counter-based ziggurat
   inside the kernel) vs the NumPy loop drawing ``rng.standard_normal(n)`` per step.
3. First-call latency in a fresh process (import + compile + a small run): cortexkit with
   an empty numba cache (cold) and with the cache populated; Brian2 with an empty and a
   populated cython cache.
4. Peak memory (max RSS above the post-warm-up baseline) with V not recorded, for more
   steps vs more neurons.
5. The two kernels on the input of case 1, one thread: the fast path (at most one spike
   per neuron and block, proven beforehand) against the general kernel (counts spikes,
   replays a neuron that fired twice in a block), which noise, per-neuron input and very
   high rates take.

Usage::

    python benchmarks/bench_lif.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import textwrap
import time

import numpy as np

import cortexkit as ck

I_MEAN = 1.5e-10
OFFSET_SD = 5e-11
NOISE_SD = 1e-9


from _common import cpu_model as _cpu_model  # noqa: E402


def _inputs(n: int, t_max: float):
    p = ck.lif.LIFParams(dt=1e-4, t_max=t_max)
    cur = ck.lif.sine_current(p.times(), I_MEAN)
    off = np.random.default_rng(0).normal(0.0, OFFSET_SD, n)
    return p, cur, off


def _best(fn, repeat: int):
    """(best wall time, CPU time of that run (all threads), result)."""
    best, out = (float("inf"), 0.0), None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        if wall < best[0]:
            best = (wall, cpu)
    return best[0], best[1], out


def numpy_loop(p, cur, off, noise_sd=0.0, seed=0):
    """Vectorized NumPy time loop (exact update, strict threshold, reset); spike count."""
    rng = np.random.default_rng(seed)
    decay = np.exp(-p.dt / p.tau_m)
    v = np.full(off.size, p.E_L)
    count = 0
    for k in range(p.n_steps):
        inp = cur[k] + off
        if noise_sd:
            inp = inp + noise_sd * rng.standard_normal(off.size)
        v_inf = p.E_L + p.R * inp
        v = v_inf + (v - v_inf) * decay
        fired = np.flatnonzero(v > p.V_th)
        v[fired] = p.V_reset
        count += fired.size
    return count


BRIAN_SCRIPT = textwrap.dedent("""
    import json, sys, time
    import numpy as np
    t0 = time.perf_counter()
    import brian2 as b2
    b2.prefs.codegen.target = "cython"
    b2.prefs.logging.console_log_level = "ERROR"
    cache = sys.argv[4]
    if cache != "-":
        b2.prefs.codegen.runtime.cython.cache_dir = cache
    n, steps, runs = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    dt, tau, E_L, V_reset, V_th, R = 1e-4, 0.02, -0.060, -0.070, -0.050, 1e8
    cur = 1.5e-10 * (1 + np.sin(2 * np.pi * np.arange(steps) * dt / 0.01))
    off = np.random.default_rng(0).normal(0.0, 5e-11, n)
    out = {"import": time.perf_counter() - t0, "runs": []}
    t1 = time.perf_counter()
    b2.defaultclock.dt = dt * b2.second
    I_ext = b2.TimedArray(cur * b2.amp, dt=dt * b2.second, name="I_ext")
    eqs = '''dv/dt = (E_L - v + R*I)/tau : volt
             I : amp
             offset : amp'''
    ns = dict(E_L=E_L * b2.volt, R=R * b2.ohm, tau=tau * b2.second, I_ext=I_ext,
              V_th=V_th * b2.volt, V_reset=V_reset * b2.volt)
    G = b2.NeuronGroup(n, eqs, threshold="v > V_th", reset="v = V_reset",
                       method="exact", namespace=ns, name="G")
    G.v = E_L * b2.volt
    G.offset = off * b2.amp
    G.run_regularly("I = I_ext(t) + offset", when="start", name="G_input")
    mon = b2.SpikeMonitor(G, record=False, name="mon")
    net = b2.Network(G, mon)
    net.store()
    for r in range(runs):
        if r:
            net.restore()  # same objects, compiled code reused: pure run time
        t2 = time.perf_counter()
        c2 = time.process_time()
        net.run(steps * dt * b2.second)
        t3 = time.perf_counter()
        out["runs"].append({"run": t3 - t2, "total": t3 - (t1 if r == 0 else t2),
                            "cpu": time.process_time() - c2,
                            "spikes": int(np.asarray(mon.count).sum())})
    out["first_call"] = out["import"] + out["runs"][0]["total"]
    print(json.dumps(out))
""")


def brian(n: int, steps: int, runs: int, cache_dir: str = "-") -> dict:
    """Brian2 in a fresh process (the peers venv); returns its timings as a dict."""
    res = subprocess.run([sys.executable, "-c", BRIAN_SCRIPT, str(n), str(steps), str(runs),
                          cache_dir], capture_output=True, text=True, check=False)
    if res.returncode != 0:
        raise RuntimeError(f"brian2 run failed: {res.stderr[-2000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


CK_FIRST_CALL = textwrap.dedent("""
    import json, time
    t0 = time.perf_counter()
    import numpy as np
    import cortexkit as ck
    p = ck.lif.LIFParams(dt=1e-4, t_max=0.1)
    off = np.random.default_rng(0).normal(0.0, 5e-11, 1000)
    res = ck.lif.simulate(p, ck.lif.sine_current(p.times(), 1.5e-10), 1000, offset=off,
                          record_v=False)
    print(json.dumps({"first_call": time.perf_counter() - t0, "spikes": res.spikes.n_spikes}))
""")


def _child_cpu() -> float:
    import resource

    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def ck_first_call(cache_dir: str) -> tuple[float, float]:
    """(wall, CPU) seconds of the first call in a fresh process."""
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
    c0 = _child_cpu()
    res = subprocess.run([sys.executable, "-c", CK_FIRST_CALL], capture_output=True,
                         text=True, env=env, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])["first_call"], _child_cpu() - c0


def brian_first_call(cache_dir: str) -> tuple[float, float]:
    c0 = _child_cpu()
    wall = brian(1000, 1000, runs=1, cache_dir=cache_dir)["first_call"]
    return wall, _child_cpu() - c0


MEMORY_SCRIPT = textwrap.dedent("""
    import json, sys
    import numpy as np
    import cortexkit as ck
    n, steps, i_mean = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    p0 = ck.lif.LIFParams(dt=1e-4, t_max=0.01)
    ck.lif.simulate(p0, i_mean, 600, record_v=False)  # warm up: compile / load cache
    cur = np.full(steps, i_mean)  # the input itself: 8 bytes per step
    off = np.random.default_rng(0).normal(0.0, 5e-11, n)
    def status(key):
        for line in open("/proc/self/status"):
            if line.startswith(key):
                return int(line.split()[1])  # kB
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset the peak (VmHWM) to the current RSS
    base = status("VmRSS:")
    p = ck.lif.LIFParams(dt=1e-4, t_max=steps * 1e-4)
    res = ck.lif.simulate(p, cur, n, offset=off, record_v=False)
    peak = status("VmHWM:")
    print(json.dumps({"delta_mb": (peak - base) / 1024, "spikes": res.spikes.n_spikes}))
""")


def memory(n: int, steps: int, i_mean: float) -> dict:
    res = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT, str(n), str(steps),
                          str(i_mean)], capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small smoke run")
    args = ap.parse_args()
    n, t_max = (1000, 0.1) if args.quick else (10_000, 1.0)
    repeat = 2 if args.quick else 5  # best of the same number of runs on each side
    p, cur, off = _inputs(n, t_max)
    steps = p.n_steps
    print(f"# LIF benchmark ({_cpu_model()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, load average at start "
          f"{os.getloadavg()[0]:.1f})\n")
    print(f"{n} neurons x {steps} steps (dt 0.1 ms), sine input (i_mean {I_MEAN:g} A) + "
          f"frozen Gaussian offset (sd {OFFSET_SD:g} A), V not recorded\n")

    # 1. deterministic input
    ck.lif.simulate(p, cur, n, offset=off, record_v=False)  # warm (compile or cache load)
    t_ck, c_ck, res = _best(
        lambda: ck.lif.simulate(p, cur, n, offset=off, record_v=False), repeat)
    t_np, c_np, np_count = _best(lambda: numpy_loop(p, cur, off), repeat)
    b = brian(n, steps, runs=2)
    b1, b2_ = b["runs"]
    rows = [("cortexkit simulate (exact, 2 threads)", t_ck, c_ck, res.spikes.n_spikes),
            ("NumPy time loop", t_np, c_np, np_count),
            ("Brian2 cython, 1st run (incl. code generation)", b1["total"], None,
             b1["spikes"]),
            ("Brian2 cython, 2nd run (net.run)", b2_["run"], b2_["cpu"], b2_["spikes"])]
    print("Wall time is the best of the runs; CPU time (user, all threads) is shown too, "
          "because the machine is shared and the wall-clock share of a process varies.\n")
    print("| implementation | wall (s) | CPU (s) | spikes | cortexkit wall speed-up | "
          "cortexkit CPU ratio |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, t, c, s_ in rows:
        cpu = f"{c:.3f}" if c is not None else "–"
        ratio = f"{c / c_ck:.1f}x" if c is not None else "–"
        print(f"| {name} | {t:.3f} | {cpu} | {s_} | {t / t_ck:.1f}x | {ratio} |")
    same = res.spikes.n_spikes == np_count == b2_["spikes"]
    print(f"\nidentical spike counts (cortexkit, NumPy, Brian2): {same}\n")

    # 2. fresh white noise per neuron and step
    kw = dict(offset=off, noise_sd=NOISE_SD, seed=1, record_v=False)
    ck.lif.simulate(p, cur, n, **kw)
    t_ckn, c_ckn, resn = _best(lambda: ck.lif.simulate(p, cur, n, **kw), repeat)
    t_npn, c_npn, npn_count = _best(lambda: numpy_loop(p, cur, off, NOISE_SD, seed=1),
                                    repeat)
    print(f"with fresh white noise (sd {NOISE_SD:g} A per step; different generators, so "
          "spike counts agree only statistically):\n")
    print("| implementation | wall (s) | CPU (s) | spikes | cortexkit wall speed-up | "
          "cortexkit CPU ratio |")
    print("|---|---:|---:|---:|---:|---:|")
    print(f"| cortexkit simulate (noise_sd, 2 threads) | {t_ckn:.3f} | {c_ckn:.3f} | "
          f"{resn.spikes.n_spikes} | 1.0x | 1.0x |")
    print(f"| NumPy loop + rng.standard_normal | {t_npn:.3f} | {c_npn:.3f} | {npn_count} | "
          f"{t_npn / t_ckn:.1f}x | {c_npn / c_ckn:.1f}x |\n")

    # 3. first-call latency in fresh processes
    with tempfile.TemporaryDirectory() as nb_cache, tempfile.TemporaryDirectory() as cy_cache:
        # two more cold starts, each with its own empty cache: the spread is worth seeing
        extra_cold = []
        for _ in range(2):
            with tempfile.TemporaryDirectory() as fresh:
                extra_cold.append(ck_first_call(fresh)[0])
        ck_cold = ck_first_call(nb_cache)
        ck_warm = ck_first_call(nb_cache)
        b_cold = brian_first_call(cy_cache)
        b_warm = brian_first_call(cy_cache)
    print("first call in a fresh process (import + compile + 1000 neurons x 1000 steps), "
          "wall and CPU (user+sys) seconds:\n")
    print("| | cortexkit wall | cortexkit CPU | Brian2 cython wall | Brian2 cython CPU |")
    print("|---|---:|---:|---:|---:|")
    print(f"| empty cache (cold) | {ck_cold[0]:.2f} | {ck_cold[1]:.2f} | {b_cold[0]:.2f} | "
          f"{b_cold[1]:.2f} |")
    print(f"| populated cache | {ck_warm[0]:.2f} | {ck_warm[1]:.2f} | {b_warm[0]:.2f} | "
          f"{b_warm[1]:.2f} |\n")
    print("cortexkit cold first call, two more fresh processes with empty caches: "
          + ", ".join(f"{w:.2f} s" for w in extra_cold) + "\n")

    # 4. peak memory, V not recorded
    base_n, base_s = (1000, 1000) if args.quick else (10_000, 10_000)
    cases = [(base_n, base_s, -1e-10), (base_n, 4 * base_s, -1e-10),
             (base_n, base_s, I_MEAN), (base_n, 4 * base_s, I_MEAN),
             (4 * base_n, base_s, I_MEAN)]
    print("peak memory above the warmed-up baseline (max RSS), V not recorded "
          "(i_mean -1e-10 A: silent):\n")
    print("| neurons | steps | i_mean (A) | spikes | peak delta (MB) |")
    print("|---:|---:|---:|---:|---:|")
    for nn, ss, im in cases:
        m = memory(nn, ss, im)
        print(f"| {nn} | {ss} | {im:g} | {m['spikes']} | {m['delta_mb']:.1f} |")

    # 5. fast path vs general kernel
    t_fast, t_gen, same = kernel_paths(p, cur, off, repeat)
    print(f"\nthe two kernels on the case-1 input, one thread: fast path {t_fast:.3f} s, "
          f"general kernel {t_gen:.3f} s ({t_gen / t_fast:.2f}x); identical spikes: {same}")


def kernel_paths(p, cur, off, repeat: int) -> tuple[float, float, bool]:
    """(fast path, general kernel) best single-thread times and whether spikes agree."""
    from cortexkit.lif import _kernels
    from cortexkit.lif._rng import ziggurat_tables
    from cortexkit.lif._simulate import coefficients, fires_once_per_block

    n, steps = off.size, p.n_steps
    cur2 = cur.reshape(1, -1)
    c1, c0, ci = coefficients(p, "exact")
    assert fires_once_per_block(cur2, off, p, "exact", 64)
    upd = _kernels.Update(float(c1), float(c0), float(ci), float(p.V_reset), float(p.V_th),
                          int(p.ref_steps))
    rec = _kernels.Record(False, np.empty((0, 0)))
    noise = _kernels.Noise(0.0, steps, np.uint64(0), np.uint64(0), *ziggurat_tables())

    def state():
        return _kernels.State(np.full(n, p.E_L), np.full(n, -np.inf))

    def fast():
        return _kernels.simulate_once(0, n, cur2, off, state(), upd,
                                      _kernels.Grid(512, 64, float(p.dt)), rec)

    def general():
        return _kernels.simulate_range(0, n, n, cur2, off, state(), upd,
                                       _kernels.Grid(512, 32, float(p.dt)), rec, noise)

    same = np.array_equal(fast()[0], general()[0])
    return _best(fast, repeat)[0], _best(general, repeat)[0], same


if __name__ == "__main__":
    main()
