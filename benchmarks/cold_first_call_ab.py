"""Cold first call of ck.lif.simulate: fresh process, empty numba cache, A/B interleaved.

Compares source trees (``LABEL=path/to/src``): each round runs one fresh process per tree
(order reversed every other round), each with its own empty ``NUMBA_CACHE_DIR``, and
reports wall and CPU time of the first fast-path call (import included) and of a first
noisy call (the general kernel).  On a shared machine compare the CPU times.

usage: python benchmarks/cold_first_call_ab.py ROUNDS LABEL=SRC [LABEL=SRC ...]
"""
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap

CODE = textwrap.dedent("""
    import json, time
    t0 = time.perf_counter(); c0 = time.process_time()
    import numpy as np
    import cortexkit as ck
    p = ck.lif.LIFParams(dt=1e-4, t_max=0.1)
    off = np.random.default_rng(0).normal(0.0, 5e-11, 1000)
    res = ck.lif.simulate(p, ck.lif.sine_current(p.times(), 1.5e-10), 1000, offset=off,
                          record_v=False)
    t1 = time.perf_counter(); c1 = time.process_time()
    res2 = ck.lif.simulate(p, 2e-10, 600, noise_sd=1e-10, seed=1, record_v=False)
    t2 = time.perf_counter(); c2 = time.process_time()
    print(json.dumps({"first_call": t1 - t0, "general_first": t2 - t1,
                      "first_cpu": c1 - c0, "general_cpu": c2 - c1,
                      "spikes": res.spikes.n_spikes, "spikes2": res2.spikes.n_spikes}))
""")
rounds = int(sys.argv[1])
cases = [a.split("=", 1) for a in sys.argv[2:]]
out = {lab: [] for lab, _ in cases}
for r in range(rounds):
    for lab, src in (cases if r % 2 == 0 else cases[::-1]):
        with tempfile.TemporaryDirectory() as cache:
            env = dict(os.environ, NUMBA_CACHE_DIR=cache, PYTHONPATH=src)
            env.pop("PYTHONDONTWRITEBYTECODE", None)  # bytecode cached, as for a user
            ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            res = subprocess.run([sys.executable, "-c", CODE], env=env, capture_output=True,
                                 text=True, check=True)
            ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            d = json.loads(res.stdout.strip().splitlines()[-1])
            d["cpu_total"] = (ru1.ru_utime + ru1.ru_stime) - (ru0.ru_utime + ru0.ru_stime)
            out[lab].append(d)
            print(lab, d, f"load {os.getloadavg()[0]:.1f}", flush=True)
for lab, ds in out.items():
    f = [d["first_call"] for d in ds]
    g = [d["general_first"] for d in ds]
    c = [d["cpu_total"] for d in ds]
    fc = [d["first_cpu"] for d in ds]
    gc = [d["general_cpu"] for d in ds]
    print(f"{lab}: CPU of the fast-path first call median {statistics.median(fc):.2f} s "
          f"(min {min(fc):.2f}); CPU of the general kernel's first call median "
          f"{statistics.median(gc):.2f} s (min {min(gc):.2f})")
    print(f"{lab}: process CPU (user+sys, whole run) median {statistics.median(c):.2f} s "
          f"(min {min(c):.2f}, max {max(c):.2f})")
    print(f"{lab}: fast-path cold first call median {statistics.median(f):.2f} s "
          f"(min {min(f):.2f}, max {max(f):.2f}); general kernel cold compile+run median "
          f"{statistics.median(g):.2f} s (min {min(g):.2f}); n={len(f)}")
