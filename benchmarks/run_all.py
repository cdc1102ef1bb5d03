"""Run every benchmark script (``make bench``) and rebuild ``RESULTS.md``.

Each ``bench_<topic>.py`` times cortexkit and its peers side by side in one run, every
call in its own fresh process and warm (``_common.py``), prints a markdown table and
writes ``results/<topic>.md``.  Run from the peers environment (``.venv-peers``), which
has cortexkit and the peer libraries installed together, and on a shared machine under a
lock (``flock /work/.bench.lock make bench``) so that no two benchmarks overlap.

Every script runs in ``_common.clean_env()`` (bytecode cached as for a user, this
machine's OpenBLAS overrides unset); a script that fails is reported at the end and the
others still run.  ``bench_io_safety.py`` is an A/B of two source trees: it runs only
when ``--io-before SRC`` names the tree to compare against (else its last results file is
kept).  Pass ``--quick`` for a smoke run with small sizes (the scripts then do not
rewrite their results files), ``--only lif,rsa`` / ``--skip batch`` to choose scripts.
``collect()`` rebuilds ``RESULTS.md`` from ``results/*.md`` (``summary.md`` first: the
hand-written fresh-process summary).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import clean_env, machine_line  # noqa: E402

ORDER = ["summary", "cli", "spikes", "isi", "quality", "information", "lif", "causality",
         "rsa", "encoding", "batch", "import", "io_safety", "fuzz_loaders", "install-compat"]


def machine() -> str:
    """CPU model, cores, Python, numpy and the load average (for the run's header)."""
    return machine_line()


def collect() -> Path:
    """Concatenate ``results/*.md`` into ``RESULTS.md`` (topics in :data:`ORDER`)."""
    parts = ["# Benchmark results\n",
             "Produced by `make bench` (`benchmarks/run_all.py`): every script times cortexkit "
             "and the peer library side by side in one run. Each section names the machine it "
             "ran on.\n"]
    files = sorted((HERE / "results").glob("*.md"),
                   key=lambda p: (ORDER.index(p.stem) if p.stem in ORDER else 99, p.stem))
    for f in files:
        text = f.read_text().strip()
        # every topic becomes a second-level section of the one document
        text = "\n".join("#" + ln if ln.startswith("# ") else ln for ln in text.splitlines())
        parts.append(text + "\n")
    out = HERE / "RESULTS.md"
    out.write_text("\n".join(parts))
    return out


def scripts(only: list[str] | None, skip: list[str]) -> list[Path]:
    """The ``bench_*.py`` scripts to run, by topic name."""
    found = sorted(HERE.glob("bench_*.py"))
    names = {p.stem.removeprefix("bench_"): p for p in found}
    for name in (only or []) + skip:
        if name not in names:
            raise SystemExit(f"no benchmark {name!r}; have: {', '.join(sorted(names))}")
    return [p for n, p in names.items() if (only is None or n in only) and n not in skip]


def command(script: Path, args: argparse.Namespace) -> list[str] | None:
    """The command line of one script, or None if it cannot run with these options."""
    topic = script.stem.removeprefix("bench_")
    cmd = [sys.executable, str(script)]
    if topic == "io_safety":
        if args.io_before is None:
            return None
        return cmd + ["--before", str(args.io_before)] + (
            ["--rounds", "1", "--repeat", "1"] if args.quick else [])
    return cmd + (["--quick"] if args.quick else [])


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small smoke run, no results files")
    ap.add_argument("--only", default=None, help="comma-separated topics, e.g. lif,rsa")
    ap.add_argument("--skip", default="", help="comma-separated topics to leave out")
    ap.add_argument("--io-before", type=Path, default=None,
                    help="src folder of the code before, for bench_io_safety.py")
    ap.add_argument("--timeout", type=float, default=None, help="seconds per script")
    args = ap.parse_args(argv)
    only = args.only.split(",") if args.only else None
    skip = [s for s in args.skip.split(",") if s]
    print(f"machine: {machine()}", flush=True)
    failed, skipped, took = [], [], {}
    for script in scripts(only, skip):
        cmd = command(script, args)
        if cmd is None:
            skipped.append(script.name)
            print(f"\n=== {script.name}: skipped (needs --io-before SRC) ===", flush=True)
            continue
        print(f"\n=== {script.name} ===", flush=True)
        t0 = time.perf_counter()
        try:
            rc = subprocess.run(cmd, cwd=HERE.parent, env=clean_env(),
                                timeout=args.timeout).returncode
        except subprocess.TimeoutExpired:
            rc = "timeout"
        took[script.name] = time.perf_counter() - t0
        if rc != 0:
            failed.append(f"{script.name} ({rc})")
    print(f"\nresults collected in {collect()}")
    print("time per script: " + ", ".join(f"{k} {v:.0f} s" for k, v in took.items()))
    if skipped:
        print(f"skipped: {', '.join(skipped)}")
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
