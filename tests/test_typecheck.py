"""mypy over ``src/cortexkit`` finds no error (settings in pyproject's ``[tool.mypy]``)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_mypy_has_no_errors(tmp_path):
    if importlib.util.find_spec("mypy") is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("mypy is not installed (it is in the test dependency group)")
        pytest.skip("mypy is not installed (it is in the test dependency group)")
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(REPO / "pyproject.toml"),
         "--cache-dir", str(REPO / ".mypy_cache"), str(REPO / "src" / "cortexkit")],
        capture_output=True, text=True, cwd=str(tmp_path), timeout=900,
    )
    assert proc.returncode == 0, f"mypy found errors:\n{proc.stdout}{proc.stderr}"
