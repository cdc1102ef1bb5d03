"""Helpers shared by the benchmark scripts (run as ``python benchmarks/bench_<topic>.py``)."""

from __future__ import annotations

import platform
import subprocess


def cpu_model() -> str:
    """The CPU model name reported by lscpu (for the results' machine line)."""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return platform.processor() or "unknown"
    for line in out.splitlines():
        if line.startswith("Model name:"):
            return line.split(":", 1)[1].strip()
    return "unknown"
