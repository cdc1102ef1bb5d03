"""Benchmark: training the orientation CNN (1000 gratings x 25 epochs) and hidden activity.

cortexkit: ``ck.encoding.train_orientation_model(1000, 25, seed=0)`` (one thread,
deterministic kernels, hand-written SGD + momentum step). Baseline: the plain PyTorch loop a
tutorial writes (``torch.optim.SGD``, ``nn.BCELoss`` on the sigmoid output, torch's default
thread count) on the same gratings and the same network class. Both report the held-out
accuracy on 2000 new gratings (computed after the timings).

Every case runs in its own fresh process (``_common.py``): the imports (``torch``,
``cortexkit.encoding``) are timed in the untimed setup and reported beside the call; one
tiny warm-up call (20 gratings x 1 epoch: ``torch.optim`` pulls in ``torch._dynamo`` on
its first use, the deterministic-mode switch, the first autograd pass) then the timed call
(*fresh*) and the best of ``--repeat`` more (*warm*).  Also timed: ``hidden_activity`` of
conv / pool / fc for 360 gratings (on a network trained 1 epoch in the setup), and both
trainings as a script runs them: no warm-up, so the first training's one-time costs (for
the plain loop, ``torch.optim`` importing ``torch._dynamo``) are in the time.

Usage::

    .venv-peers/bin/python benchmarks/bench_encoding.py [--quick] [--repeat R] [--rounds K]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from _common import Case, child_main, machine_line, run_cases, table, write_results

RESULTS = Path(__file__).resolve().parent / "results" / "encoding.md"


def _setup(args):
    t0 = time.perf_counter()
    import torch  # noqa: F401

    import cortexkit.encoding  # noqa: F401

    s = SimpleNamespace(n=args.gratings, e=args.epochs, net=None,
                        import_s=time.perf_counter() - t0)
    s.report = lambda: {"import_s": s.import_s, "acc": _accuracy(s.net),
                        "threads": getattr(s, "threads", 1)}
    return s


def _accuracy(net) -> float | None:
    if net is None:
        return None
    import cortexkit as ck

    x, y, _ = ck.encoding.orientation_set(2000, seed=99)
    return float(((ck.encoding.predict(net, x) > 0.5) == y).mean())


def ck_train(n: int, e: int):
    import cortexkit as ck

    net, _ = ck.encoding.train_orientation_model(n, e, seed=0)
    return net


def plain_train(n: int, e: int):
    import torch

    from cortexkit.encoding._model import OrientationCNN, orientation_set

    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    x, y, _ = orientation_set(n, rng)
    net = OrientationCNN(48, 64, seed=rng)
    opt = torch.optim.SGD(net.parameters(), lr=5e-4, momentum=0.99)
    lf = torch.nn.BCELoss()
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    for _ in range(e):
        perm = torch.randperm(len(xt))
        for i in range(0, len(xt), 100):
            idx = perm[i:i + 100]
            opt.zero_grad()
            loss = lf(net(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
    return net


def _train_case(fn, one_thread: bool, warm_up: bool = True) -> Case:
    def call(s):
        import torch

        s.net = fn(s.n, s.e)
        # cortexkit trains on one thread (and restores torch's setting afterwards)
        s.threads = 1 if one_thread else torch.get_num_threads()
        return s.net

    return Case(_setup, call, (lambda s: fn(20, 1)) if warm_up else None, memory=False)


def _hidden_setup(args):
    import cortexkit as ck

    s = _setup(args)
    s.net = ck_train(200, 1)
    s.g = ck.encoding.grating(np.linspace(-90, 90, 360, endpoint=False))
    s.report = lambda: {"import_s": s.import_s, "acc": None, "threads": None}
    return s


def _hidden(s, g):
    import cortexkit as ck

    return ck.encoding.hidden_activity(s.net, g, ("conv", "pool", "fc"))


CASES = {
    "ck train_orientation_model": _train_case(ck_train, True),
    "plain torch.optim.SGD loop": _train_case(plain_train, False),
    "ck hidden_activity (360 gratings)": Case(_hidden_setup, lambda s: _hidden(s, s.g),
                                              lambda s: _hidden(s, s.g[:4]), memory=False),
}
# as a script runs it: torch imported, then straight into the training (no warm-up), so
# what the first training pays besides the arithmetic (torch.optim's import of
# torch._dynamo, the deterministic-mode switch, first autograd pass) is in the time
SCRIPT_CASES = {
    "ck train_orientation_model, no warm-up": _train_case(ck_train, True, False),
    "plain torch.optim.SGD loop, no warm-up": _train_case(plain_train, False, False),
}
CASES.update(SCRIPT_CASES)


def parse(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="200 gratings x 3 epochs")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--gratings", type=int, default=None)
    ap.add_argument("--epochs", type=int, default=None)
    ap.add_argument("--out", type=Path, default=None, help="write the markdown here")
    args = ap.parse_args(argv)
    args.gratings = args.gratings or (200 if args.quick else 1000)
    args.epochs = args.epochs or (3 if args.quick else 25)
    return args


def _threads(n: int | None) -> str | None:
    return None if n is None else f"({n} thread{'s' * (n > 1)})"


def main() -> int:
    args = parse(sys.argv[1:])
    argv = ["--gratings", str(args.gratings), "--epochs", str(args.epochs)]
    main_cases = [k for k in CASES if k not in SCRIPT_CASES]
    r = run_cases(__file__, main_cases, argv, rounds=args.rounds, repeat=args.repeat)
    rs = run_cases(__file__, list(SCRIPT_CASES), argv, rounds=args.rounds, repeat=0)
    cks, pls = rs["ck train_orientation_model, no warm-up"], \
        rs["plain torch.optim.SGD loop, no warm-up"]
    ck, pl = r["ck train_orientation_model"], r["plain torch.optim.SGD loop"]
    info = {k: v["info"] for k, v in r.items()}
    lines = [
        "## Orientation CNN training (`benchmarks/bench_encoding.py`)", "",
        machine_line(), "",
        f"{args.gratings} gratings x {args.epochs} epochs, batch 100, SGD lr 5e-4 momentum "
        "0.99, the same gratings and network class on both sides.  Each row is its own fresh"
        " process: imports (timed separately, below), one tiny warm-up call (20 gratings x "
        f"1 epoch), the timed call (*fresh*), then the best of {args.repeat} more (*warm*); "
        f"best of {args.rounds} round(s).", "",
        *table([(k, r[k], _threads(info[k]['threads'])) for k in main_cases],
               "ck train_orientation_model", r, warm_ratio=True), "",
        "As a script runs it (torch imported, then the training straight away, no warm-up;"
        " own processes):", "",
        "| call | first call (s) | CPU (s) | first call / cortexkit's |",
        "|---|---:|---:|---:|",
        *[f"| {k} | {v['fresh_s']:.3f} | {v['fresh_cpu_s']:.3f} | "
          f"{v['fresh_s'] / cks['fresh_s']:.2f}x |" for k, v in rs.items()], "",
        f"- plain loop / cortexkit: **{pl['fresh_s'] / ck['fresh_s']:.2f}x** fresh, "
        f"**{pl['warm_s'] / ck['warm_s']:.2f}x** warm (CPU "
        f"{pl['fresh_cpu_s'] / ck['fresh_cpu_s']:.2f}x / "
        f"{pl['warm_cpu_s'] / ck['warm_cpu_s']:.2f}x)",
        f"- as a script (no warm-up): plain loop / cortexkit **"
        f"{pls['fresh_s'] / cks['fresh_s']:.2f}x** (CPU "
        f"{pls['fresh_cpu_s'] / cks['fresh_cpu_s']:.2f}x)",
        f"- held-out accuracy on 2000 new gratings: cortexkit {ck['info']['acc']:.4f}, "
        f"plain loop {pl['info']['acc']:.4f}",
        "- `import torch, cortexkit.encoding` in the fresh processes (setup, not in the "
        "times above): " + ", ".join(f"{k} {v['import_s']:.2f} s" for k, v in info.items()),
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if args.out or not args.quick:
        write_results(args.out or RESULTS, text)
    return 0


if __name__ == "__main__":
    if not child_main(CASES, parse):
        sys.exit(main())
