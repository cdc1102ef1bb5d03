"""Run every benchmark script (``make bench``) and rebuild ``RESULTS.md``.

Each ``bench_<topic>.py`` times cortexkit and its peer side by side in one run, prints a
markdown table and writes ``results/<topic>.md``. Run from the peers environment
(``.venv-peers``), which has cortexkit and the peer libraries installed together.
Pass ``--quick`` for a smoke run with small sizes (results files are then not rewritten
by the scripts that honour it).
"""

from __future__ import annotations

import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def machine() -> str:
    """CPU model and core count, for the results header."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import os

    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}"


def collect() -> Path:
    """Concatenate ``results/*.md`` into ``RESULTS.md``."""
    parts = ["# Benchmark results\n",
             "Produced by `make bench` (`benchmarks/run_all.py`): every script times cortexkit "
             "and the peer library side by side in one run. Each section names the machine it "
             "ran on.\n"]
    order = ["summary", "cli", "spikes", "isi", "quality", "information", "lif", "causality", "rsa",
             "batch", "import"]
    files = sorted((HERE / "results").glob("*.md"),
                   key=lambda p: (order.index(p.stem) if p.stem in order else 99, p.stem))
    for f in files:
        text = f.read_text().strip()
        # every topic becomes a second-level section of the one document
        text = "\n".join("#" + ln if ln.startswith("# ") else ln for ln in text.splitlines())
        parts.append(text + "\n")
    out = HERE / "RESULTS.md"
    out.write_text("\n".join(parts))
    return out


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    failed = []
    print(f"machine: {machine()}", flush=True)
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"\n=== {script.name} ===", flush=True)
        cmd = [sys.executable, str(script)] + (["--quick"] if quick else [])
        if subprocess.run(cmd, cwd=HERE.parent).returncode != 0:
            failed.append(script.name)
    print(f"\nresults collected in {collect()}")
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
