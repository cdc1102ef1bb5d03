"""Benchmark: training the orientation CNN (1000 gratings x 25 epochs) and hidden activity.

cortexkit: ``ck.encoding.train_orientation_model(1000, 25, seed=0)`` (one thread,
deterministic kernels, hand-written SGD + momentum step). Baseline: the plain PyTorch loop a
tutorial writes (``torch.optim.SGD``, ``nn.BCELoss`` on the sigmoid output, torch's default
thread count) on the same gratings and the same network class. Both report the held-out
accuracy on 2000 new gratings. Each side runs in its own subprocess so that imports
(``torch``; ``torch._dynamo`` pulled in by ``torch.optim``) are counted where they happen.

Usage: python benchmarks/bench_encoding.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

CK = """
import time, json
t0 = time.perf_counter()
c0 = time.process_time()
import numpy as np
import cortexkit as ck
net, losses = ck.encoding.train_orientation_model({n}, {e}, seed=0)
t1 = time.perf_counter()
c1 = time.process_time()
x, y, _ = ck.encoding.orientation_set(2000, seed=99)
acc = float(((ck.encoding.predict(net, x) > 0.5) == y).mean())
g = ck.encoding.grating(np.linspace(-90, 90, 360, endpoint=False))
t2 = time.perf_counter()
act = ck.encoding.hidden_activity(net, g, ("conv", "pool", "fc"))
t3 = time.perf_counter()
print(json.dumps({{"train_s": t1 - t0, "cpu_s": c1 - c0, "acc": acc, "hidden_s": t3 - t2,
                  "final_loss": float(losses[-1])}}))
"""

PLAIN = """
import time, json
t0 = time.perf_counter()
c0 = time.process_time()
import numpy as np, torch
from cortexkit.encoding._model import OrientationCNN, orientation_set
torch.manual_seed(0)
rng = np.random.default_rng(0)
x, y, _ = orientation_set({n}, rng)
net = OrientationCNN(48, 64, seed=rng)
opt = torch.optim.SGD(net.parameters(), lr=5e-4, momentum=0.99)
lf = torch.nn.BCELoss()
xt, yt = torch.from_numpy(x), torch.from_numpy(y)
for ep in range({e}):
    perm = torch.randperm(len(xt))
    for i in range(0, len(xt), 100):
        idx = perm[i:i + 100]
        opt.zero_grad()
        loss = lf(net(xt[idx]), yt[idx])
        loss.backward()
        opt.step()
t1 = time.perf_counter()
c1 = time.process_time()
xv, yv, _ = orientation_set(2000, seed=99)
with torch.no_grad():
    acc = float(((net(torch.from_numpy(xv)) > 0.5).numpy() == yv).mean())
print(json.dumps({{"train_s": t1 - t0, "cpu_s": c1 - c0, "acc": acc,
                  "threads": torch.get_num_threads()}}))
"""


from _common import cpu_model as _cpu_model  # noqa: E402


def _run(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="200 gratings x 3 epochs")
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args()
    n, e = (200, 3) if args.quick else (1000, 25)
    ck_runs, plain_runs = [], []
    for _ in range(args.repeats):  # interleaved; fastest of each reported
        ck_runs.append(_run(CK.format(n=n, e=e)))
        plain_runs.append(_run(PLAIN.format(n=n, e=e)))
    ck_best = min(ck_runs, key=lambda r: r["train_s"])
    pl_best = min(plain_runs, key=lambda r: r["train_s"])
    print(f"# Orientation CNN training ({_cpu_model()}, 2 cores)\n")
    print(f"{n} gratings x {e} epochs, batch 100, SGD lr 5e-4 momentum 0.99; time includes "
          "importing torch; held-out accuracy on 2000 new gratings\n")
    print("| run | wall time (s) | CPU time (s) | held-out accuracy |")
    print("|---|---|---|---|")
    print(f"| cortexkit train_orientation_model (1 thread, deterministic) | "
          f"{ck_best['train_s']:.1f} | {ck_best['cpu_s']:.1f} | {ck_best['acc']:.4f} |")
    print(f"| plain torch.optim.SGD loop ({pl_best['threads']} threads) | "
          f"{pl_best['train_s']:.1f} | {pl_best['cpu_s']:.1f} | {pl_best['acc']:.4f} |")
    print("\nWall time includes waiting for the CPU on a shared machine; CPU time is the "
          "process's own work (both include importing torch).")
    print(f"\nspeed-up {pl_best['train_s'] / ck_best['train_s']:.2f}x; hidden activity of "
          f"conv/pool/fc for 360 gratings: {ck_best['hidden_s'] * 1e3:.0f} ms")


if __name__ == "__main__":
    main()
