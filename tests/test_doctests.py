"""The ``Examples`` of every module under ``src/cortexkit`` run and give what they show.

One test per module (``doctest`` with ELLIPSIS and NORMALIZE_WHITESPACE). A module whose
optional dependency (torch, fastapi, ...) is not installed is skipped, except on CI
(``CI=true``), where everything is installed and such a skip would hide examples.
"""

from __future__ import annotations

import doctest
import importlib
import io
import os
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
OPTIONAL = {"torch", "fastapi", "uvicorn", "starlette", "dask", "distributed", "pynwb",
            "h5py", "neo", "quantities", "pynapple", "sklearn"}
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _modules() -> list[str]:
    names = []
    for path in sorted((SRC / "cortexkit").rglob("*.py")):
        if path.name == "__main__.py":
            continue  # running it would start the CLI
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names.append(".".join(parts))
    return names


def _on_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.mark.parametrize("name", _modules())
def test_module_examples(name: str) -> None:
    from cortexkit.errors import MissingDependencyError

    try:
        module = importlib.import_module(name)
    except (ImportError, MissingDependencyError) as exc:
        missing = getattr(exc, "name", None) or str(exc)
        if not _on_ci() and any(dep in missing for dep in OPTIONAL):
            pytest.skip(f"{name} needs an optional dependency: {exc}")
        raise
    finder = doctest.DocTestFinder(exclude_empty=True)
    tests = [t for t in finder.find(module, name) if t.examples]
    if not tests:
        return
    out = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    for test in sorted(tests, key=lambda t: t.name):
        runner.run(test, out=out.write)
    result = runner.summarize(verbose=False)
    if result.failed:
        pytest.fail(f"{result.failed} of {result.attempted} examples of {name} failed:\n"
                    + out.getvalue(), pytrace=False)
