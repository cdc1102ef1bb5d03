"""Benchmark: LIF population simulation, ck.lif.simulate vs Brian2 (cython) and a NumPy loop.

Cases (issue 7), each in its own fresh process (``_common.py``: inputs built untimed, one
tiny warm-up call -- 100 neurons x 100 steps, which loads the numba cache or, for Brian2,
the compiled cython code -- then the timed call = *fresh*, then the best of ``--repeat``
more = *warm*); ``--rounds`` interleaved rounds, best of each kept:

1. 10,000 neurons x 10,000 steps (dt 0.1 ms, 1 s), sine input plus a frozen per-neuron
   Gaussian offset, V not recorded, exact integration:
   - ``ck.lif.simulate`` (2 threads);
   - Brian2 2.9 (cython runtime target): network built in the setup (``net.store()``),
     the timed call is ``net.restore(); net.run(1 s)``; its warm-up runs a 100-neuron
     network of the same equations (so the compiled code is loaded: the fresh call is
     Brian2's first run of the full network: code generation with the compiled code
     reused, then the run).  The input is a ``TimedArray`` of the very same samples,
     copied into a per-neuron parameter ``I`` by a ``run_regularly`` operation in the
     ``start`` slot (so the state update of step k sees the input at t_k, as in
     cortexkit), ``method="exact"``, threshold ``v > V_th`` (strict), reset
     ``v = V_reset``, no refractory period;
   - a vectorized NumPy time loop (``V = V_inf + (V - V_inf) exp(-dt/tau)`` per step).
   The spike counts of all three are printed and compared.
2. The same with fresh white noise per neuron and step: cortexkit (counter-based ziggurat
   inside the kernel) vs the NumPy loop drawing ``rng.standard_normal(n)`` per step.
3. The two kernels on the input of case 1, one thread: the fast path (at most one spike
   per neuron and block, proven beforehand) against the general kernel (counts spikes,
   replays a neuron that fired twice in a block), which noise, per-neuron input and very
   high rates take.
4. First call in a fresh process with nothing warmed up (import + compile + 1000 neurons
   x 1000 steps): cortexkit with an empty numba cache (cold, three processes) and with
   the cache populated; Brian2 with an empty and a populated cython cache.
5. Peak memory (max RSS above the post-warm-up baseline) with V not recorded, for more
   steps vs more neurons.

Every child process runs with ``_common.clean_env()`` (bytecode cached as for a user).

Usage::

    .venv-peers/bin/python benchmarks/bench_lif.py [--quick] [--repeat R] [--rounds K]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from _common import (
    Case,
    child_main,
    clean_env,
    machine_line,
    ratio_line,
    run_cases,
    table,
    write_results,
)

RESULTS = Path(__file__).resolve().parent / "results" / "lif.md"

I_MEAN = 1.5e-10
OFFSET_SD = 5e-11
NOISE_SD = 1e-9
DT = 1e-4
TINY_N, TINY_STEPS = 100, 100


def _inputs(n: int, steps: int):
    import cortexkit as ck

    p = ck.lif.LIFParams(dt=DT, t_max=steps * DT)
    cur = ck.lif.sine_current(p.times(), I_MEAN)
    off = np.random.default_rng(0).normal(0.0, OFFSET_SD, n)
    return p, cur, off


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


def _state(args, n=None, steps=None):
    n = args.n if n is None else n
    steps = args.steps if steps is None else steps
    p, cur, off = _inputs(n, steps)
    tp, tcur, toff = _inputs(TINY_N, TINY_STEPS)
    s = SimpleNamespace(p=p, cur=cur, off=off, tp=tp, tcur=tcur, toff=toff, spikes=None)
    s.report = lambda: {"spikes": s.spikes}
    return s


# -- cortexkit ------------------------------------------------------------------------
def _ck_case(noise: bool) -> Case:
    def run(s, p, cur, off):
        import cortexkit as ck

        kw = dict(noise_sd=NOISE_SD, seed=1) if noise else {}
        res = ck.lif.simulate(p, cur, off.size, offset=off, record_v=False, **kw)
        return res

    def call(s):
        res = run(s, s.p, s.cur, s.off)
        s.spikes = int(res.spikes.n_spikes)
        return res

    return Case(_state, call, lambda s: run(s, s.tp, s.tcur, s.toff), memory=False)


def _numpy_case(noise: bool) -> Case:
    sd = NOISE_SD if noise else 0.0

    def call(s):
        s.spikes = numpy_loop(s.p, s.cur, s.off, sd, seed=1 if noise else 0)
        return s.spikes

    return Case(_state, call, lambda s: numpy_loop(s.tp, s.tcur, s.toff, sd), memory=False)


# -- Brian2 ---------------------------------------------------------------------------
def _brian_net(n: int, cur: np.ndarray, off: np.ndarray):
    import brian2 as b2

    dt, tau, E_L, V_reset, V_th, R = DT, 0.02, -0.060, -0.070, -0.050, 1e8
    b2.defaultclock.dt = dt * b2.second
    I_ext = b2.TimedArray(cur * b2.amp, dt=dt * b2.second, name="I_ext")
    eqs = """dv/dt = (E_L - v + R*I)/tau : volt
             I : amp
             offset : amp"""
    ns = dict(E_L=E_L * b2.volt, R=R * b2.ohm, tau=tau * b2.second, I_ext=I_ext,
              V_th=V_th * b2.volt, V_reset=V_reset * b2.volt)
    G = b2.NeuronGroup(n, eqs, threshold="v > V_th", reset="v = V_reset",
                       method="exact", namespace=ns, name="G")
    G.v = E_L * b2.volt
    G.offset = off[:n] * b2.amp
    G.run_regularly("I = I_ext(t) + offset", when="start", name="G_input")
    mon = b2.SpikeMonitor(G, record=False, name="mon")
    net = b2.Network(G, mon)
    net.store()
    return net, mon


def _brian_setup(args):
    import brian2 as b2

    b2.prefs.codegen.target = "cython"
    b2.prefs.logging.console_log_level = "ERROR"
    s = _state(args)
    s.net, s.mon = _brian_net(args.n, s.cur, s.off)
    return s


def _brian_run(s, net, mon, steps):
    import brian2 as b2

    net.restore()  # same objects: compiled code reused after the first run
    net.run(steps * DT * b2.second)
    return int(np.asarray(mon.count).sum())


def _brian_call(s):
    s.spikes = _brian_run(s, s.net, s.mon, s.p.n_steps)
    return s.spikes


def _brian_tiny(s):
    # the same equations and the same input samples on 100 neurons: loads (or, the very
    # first time, compiles) the cython code the full network then reuses
    net, mon = _brian_net(TINY_N, s.cur, s.off)
    _brian_run(s, net, mon, TINY_STEPS)


# -- the two kernels, one thread --------------------------------------------------------
def _kernel_case(fast: bool) -> Case:
    def run(s, p, cur, off):
        from cortexkit.lif import _kernels
        from cortexkit.lif._rng import ziggurat_tables
        from cortexkit.lif._simulate import coefficients, fires_once_per_block
        from cortexkit.lif._vector_width import call

        n, steps = off.size, p.n_steps
        cur2 = cur.reshape(1, -1)
        c1, c0, ci = coefficients(p, "exact")
        upd = _kernels.Update(float(c1), float(c0), float(ci), float(p.V_reset),
                              float(p.V_th), int(p.ref_steps))
        rec = _kernels.Record(False, np.empty((0, 0)))
        state = _kernels.State(np.full(n, p.E_L), np.full(n, -np.inf))
        chunk = int(min(512, n))
        if fast:
            assert fires_once_per_block(cur2, off, p, "exact", 64)
            return call(_kernels.simulate_once, 0, n, cur2, off, state, upd,
                        _kernels.Grid(chunk, int(min(steps, 64)), float(p.dt)), rec)
        noise = _kernels.Noise(0.0, steps, np.uint64(0), np.uint64(0), *ziggurat_tables())
        return call(_kernels.simulate_range, 0, n, n, cur2, off, state, upd,
                    _kernels.Grid(chunk, int(min(steps, 32)), float(p.dt)), rec, noise)

    def call_(s):
        out = run(s, s.p, s.cur, s.off)
        s.spikes = int(out[0].size)
        return out

    return Case(_state, call_, lambda s: run(s, s.tp, s.tcur, s.toff), memory=False)


CASES = {
    "ck.lif.simulate": _ck_case(False),
    "NumPy loop": _numpy_case(False),
    "Brian2 cython (restore + run)": Case(_brian_setup, _brian_call, _brian_tiny,
                                          memory=False),
    "ck.lif.simulate, noise": _ck_case(True),
    "NumPy loop + standard_normal": _numpy_case(True),
    "fast-path kernel, 1 thread": _kernel_case(True),
    "general kernel, 1 thread": _kernel_case(False),
}


# -- first call with nothing warmed up, and memory ---------------------------------------
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

BRIAN_FIRST_CALL = textwrap.dedent("""
    import json, sys, time
    t0 = time.perf_counter()
    import numpy as np
    import brian2 as b2
    b2.prefs.codegen.target = "cython"
    b2.prefs.logging.console_log_level = "ERROR"
    b2.prefs.codegen.runtime.cython.cache_dir = sys.argv[1]
    sys.path.insert(0, sys.argv[2])
    from bench_lif import _brian_net
    cur = 1.5e-10 * (1 + np.sin(2 * np.pi * np.arange(1000) * 1e-4 / 0.01))
    off = np.random.default_rng(0).normal(0.0, 5e-11, 1000)
    net, mon = _brian_net(1000, cur, off)
    net.run(1000 * 1e-4 * b2.second)
    print(json.dumps({"first_call": time.perf_counter() - t0,
                      "spikes": int(np.asarray(mon.count).sum())}))
""")


def _child_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _first_call(code: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU user+sys) seconds of the first call in a fresh process."""
    c0 = _child_cpu()
    res = subprocess.run([sys.executable, "-c", *code], capture_output=True, text=True,
                         env=env, check=False)
    if res.returncode != 0:
        raise RuntimeError(f"first-call process failed: {res.stderr[-2000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])["first_call"], _child_cpu() - c0


def ck_first_call(cache_dir: str) -> tuple[float, float]:
    return _first_call([CK_FIRST_CALL], dict(clean_env(), NUMBA_CACHE_DIR=cache_dir))


def brian_first_call(cache_dir: str) -> tuple[float, float]:
    here = str(Path(__file__).resolve().parent)
    return _first_call([BRIAN_FIRST_CALL, cache_dir, here], clean_env())


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
                          str(i_mean)], capture_output=True, text=True, check=True,
                         env=clean_env())
    return json.loads(res.stdout.strip().splitlines()[-1])


def parse(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small smoke run")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--n", type=int, default=None)
    ap.add_argument("--steps", type=int, default=None)
    ap.add_argument("--out", type=Path, default=None, help="write the markdown here")
    args = ap.parse_args(argv)
    if args.n is None:
        args.n = 1000 if args.quick else 10_000
    if args.steps is None:
        args.steps = 1000 if args.quick else 10_000
    return args


def main() -> int:
    args = parse(sys.argv[1:])
    rounds = 1 if args.quick else args.rounds
    r = run_cases(__file__, list(CASES), ["--n", str(args.n), "--steps", str(args.steps)],
                  rounds=rounds, repeat=args.repeat)
    spikes = {k: v["info"]["spikes"] for k, v in r.items()}
    det = ["ck.lif.simulate", "NumPy loop", "Brian2 cython (restore + run)"]
    same = len({spikes[k] for k in det}) == 1
    kernels_same = spikes["fast-path kernel, 1 thread"] == spikes["general kernel, 1 thread"]

    with tempfile.TemporaryDirectory() as cache:  # the three cold starts: own empty caches
        cold = []
        for _ in range(2):
            with tempfile.TemporaryDirectory() as fresh:
                cold.append(ck_first_call(fresh))
        cold.append(ck_first_call(cache))
        ck_warm = ck_first_call(cache)
    with tempfile.TemporaryDirectory() as cy_cache:
        b_cold = brian_first_call(cy_cache)
        b_warm = brian_first_call(cy_cache)
    base_n, base_s = (args.n, args.steps)
    mem_cases = [(base_n, base_s, -1e-10), (base_n, 4 * base_s, -1e-10),
                 (base_n, base_s, I_MEAN), (base_n, 4 * base_s, I_MEAN),
                 (4 * base_n, base_s, I_MEAN)]
    mem = [(c, memory(*c)) for c in mem_cases]

    ck_ = "ck.lif.simulate"
    cold_max = max(w for w, _ in cold)
    lines = [
        "## LIF population simulation (`benchmarks/bench_lif.py`)", "",
        machine_line(), "",
        f"{args.n} neurons x {args.steps} steps (dt 0.1 ms), sine input (i_mean {I_MEAN:g} A)"
        f" + frozen Gaussian offset (sd {OFFSET_SD:g} A), V not recorded.  Each row is its "
        f"own fresh process: inputs built, one tiny warm-up call ({TINY_N} neurons x "
        f"{TINY_STEPS} steps: numba cache / Brian2's compiled code loaded), the timed call "
        f"(*fresh*), then the best of {args.repeat} more (*warm*); best of {rounds} "
        "interleaved rounds.  cortexkit runs on 2 threads, Brian2 and the NumPy loop on "
        "one; CPU time (all threads) is shown beside wall time.", "",
        *table([(k, r[k], f"({spikes[k]:,} spikes)") for k in CASES], ck_, r,
               warm_ratio=True), "",
        ratio_line(r, "Brian2 cython (restore + run)", ck_, goal=" (goal >= 10x)"),
        ratio_line(r, "NumPy loop", ck_, goal=" (goal >= 10x)"),
        ratio_line(r, "NumPy loop + standard_normal", "ck.lif.simulate, noise",
                   goal=" (goal >= 2x; different generators, so the spike counts agree only "
                   "statistically)"),
        ratio_line(r, "general kernel, 1 thread", "fast-path kernel, 1 thread"),
        f"- identical spike counts (cortexkit, NumPy loop, Brian2): **{same}** "
        f"({spikes[ck_]:,}); fast path and general kernel: {kernels_same}", "",
        "First call in a fresh process with nothing warmed up (import + compile + 1000 "
        "neurons x 1000 steps), wall and CPU (user+sys) seconds:", "",
        "| | cortexkit wall | cortexkit CPU | Brian2 cython wall | Brian2 cython CPU |",
        "|---|---:|---:|---:|---:|",
        f"| empty cache (cold) | {cold[-1][0]:.2f} | {cold[-1][1]:.2f} | {b_cold[0]:.2f} | "
        f"{b_cold[1]:.2f} |",
        f"| populated cache | {ck_warm[0]:.2f} | {ck_warm[1]:.2f} | {b_warm[0]:.2f} | "
        f"{b_warm[1]:.2f} |", "",
        "cortexkit cold first call in three fresh processes, each with an empty numba "
        "cache: " + ", ".join(f"{w:.2f} s ({c:.2f} s CPU)" for w, c in cold)
        + f"; slowest **{cold_max:.2f} s** (goal < 3 s).", "",
        "Peak memory above the warmed-up baseline (max RSS), V not recorded (i_mean "
        "-1e-10 A: silent):", "",
        "| neurons | steps | i_mean (A) | spikes | peak delta (MB) |",
        "|---:|---:|---:|---:|---:|",
        *[f"| {nn} | {ss} | {im:g} | {m['spikes']} | {m['delta_mb']:.1f} |"
          for (nn, ss, im), m in mem], "",
    ]
    text = "\n".join(lines)
    print(text)
    if args.out or not args.quick:
        write_results(args.out or RESULTS, text)
    return 0


if __name__ == "__main__":
    if not child_main(CASES, parse):
        sys.exit(main())
