"""requirements.lock pins a version inside every range pyproject.toml declares.

A dependency added to pyproject.toml without `make lock` fails here (and would be missing
from the environment `make test` builds, which installs the lock with --no-deps).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _lock() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        m = re.match(r"^([a-z0-9][a-z0-9.-]*)==(\S+)", line)
        if m:
            pins[m.group(1)] = m.group(2)
    return pins


def _declared() -> list[tuple[str, str]]:
    project = PYPROJECT["project"]
    out = [("dependencies", r) for r in project["dependencies"]]
    for extra, reqs in project["optional-dependencies"].items():
        out += [(f"extra {extra}", r) for r in reqs]
    for group, reqs in PYPROJECT["dependency-groups"].items():
        out += [(f"group {group}", r) for r in reqs if isinstance(r, str)]
    return [(where, r) for where, r in out if not r.startswith("cortexkit")]


@pytest.mark.parametrize(("where", "requirement"), _declared())
def test_lock_satisfies_pyproject(where, requirement):
    req = Requirement(requirement)
    if req.marker is not None and not req.marker.evaluate():
        pytest.skip(f"{requirement}: marker false here")
    pins = _lock()
    name = _canonical(req.name)
    assert name in pins, (f"{requirement} ({where} in pyproject.toml) is not in "
                          "requirements.lock: run `make lock` and commit the result")
    assert req.specifier.contains(pins[name], prereleases=True), (
        f"requirements.lock has {name}=={pins[name]}, outside {requirement} ({where}); "
        "run `make lock`")


def test_every_lock_line_has_a_hash_and_torch_is_the_cpu_build():
    text = (ROOT / "requirements.lock").read_text()
    pins = _lock()
    assert text.count("--hash=sha256:") == len(pins)
    assert pins["torch"] == "2.13.0"  # /opt/wheels' 2.13.0+cpu satisfies ==2.13.0
    assert "nvidia-cublas" not in pins  # the CUDA build would pull these in


def test_every_range_has_a_lower_bound():
    """The lowest-versions CI step installs each lower bound; one without cannot be tested."""
    project = PYPROJECT["project"]
    reqs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        reqs += [r for r in extra if not r.startswith("cortexkit")]
    for r in reqs:
        ops = {s.operator for s in Requirement(r).specifier}
        assert ops & {">=", "==", "~="}, f"{r} needs a lower bound"
        assert "==" not in ops, f"{r}: pin exact versions in requirements.lock, not here"
