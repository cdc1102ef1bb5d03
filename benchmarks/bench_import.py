"""Time `import cortexkit` in fresh processes (target: well under one second)."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_all import machine  # noqa: E402


def main() -> None:
    quick = "--quick" in sys.argv
    runs = 3 if quick else 10
    code = "import cortexkit"
    base, ck = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        base.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        ck.append(time.perf_counter() - t0)
    b, c = statistics.median(base), statistics.median(ck)
    heavy = subprocess.run(
        [sys.executable, "-c", "import sys, cortexkit; print(sorted(m for m in ('torch', "
         "'dask', 'numba', 'matplotlib', 'pynwb') if m in sys.modules))"],
        capture_output=True, text=True, check=True).stdout.strip()
    table = (
        "## Import time\n\n"
        f"Machine: {machine()}. Median of {runs} fresh processes.\n\n"
        "| what | seconds |\n|---|---|\n"
        f"| `python -c pass` | {b:.3f} |\n"
        f"| `python -c 'import cortexkit'` | {c:.3f} |\n"
        f"| import cost of cortexkit | {c - b:.3f} |\n\n"
        f"Heavy modules imported by `import cortexkit`: {heavy}\n"
    )
    print(table)
    if not quick:
        (Path(__file__).resolve().parent / "results" / "import.md").write_text(table)


if __name__ == "__main__":
    main()
