"""The gallery examples (docs/examples/plot_*.py) run as plain scripts and the five
tutorial pages print the tutorials' numbers, so ``make test`` catches a broken example even
without Sphinx.

Each example asserts its own reproduction checks (e.g. the W0D1 Euler trajectory equal to
the tutorial loop to 1e-12); here every script runs in a fresh subprocess with a
non-interactive backend and a temporary model cache, and its printed numbers are checked.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"
SRC = Path(__file__).resolve().parents[1] / "src"

# example -> lines its output must contain (the numbers the tutorials print)
EXPECTED = {
    "plot_w0d1_lif.py": ["0.001 3.9695e-10", "0.009 1.0305e-10",  # sine current
                         "0.000 -5.8750e-02", "0.009 -5.0775e-02",  # Euler trajectory
                         "largest difference from the tutorial's Euler loop"],
    "plot_w1d1_t1_what.py": ["Number of neurons: 400", "of neurons are below the mean",
                             "best functional form: exponential"],
    "plot_w1d1_t3_why.py": ["0.00 bits\n1.00 bits\n0.72 bits", "Deterministic: 0.00 bits",
                            "Uniform: 3.32 bits",
                            "Exponential: 3.77 bits (the tutorial's construction)"],
    "plot_w3d5_t1_interventions.py": ["correlation with the true connectivity"],
    "plot_w1d5_t3_normative_encoding.py": ["stimulus size: 48 x 64", "training done!",
                                           "held-out accuracy"],
}
SLOW = {"plot_w1d5_t3_normative_encoding.py"}  # trains the CNN (~15 s) when not cached


def test_the_five_tutorials_have_an_example():
    assert set(EXPECTED) <= {p.name for p in EXAMPLES.glob("plot_*.py")}


def _run(name: str, tmp_path: Path) -> str:
    env = dict(os.environ, MPLBACKEND="Agg", CORTEXKIT_CACHE_DIR=str(tmp_path / "cache"),
               PYTHONPATH=os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, str(EXAMPLES / name)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"{name} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
    return proc.stdout


ALL = sorted({p.name for p in EXAMPLES.glob("plot_*.py")} | set(EXPECTED))


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n
                                  for n in ALL])
def test_example_runs_and_prints_the_tutorial_numbers(name, tmp_path):
    out = _run(name, tmp_path)
    for line in EXPECTED.get(name, ()):
        assert line in out, f"{name}: {line!r} not in its output:\n{out[-3000:]}"
    if name == "plot_w3d5_t1_interventions.py":  # the RCT estimate, printed first, is ~1
        assert abs(float(out.splitlines()[0]) - 1.0) < 0.1
