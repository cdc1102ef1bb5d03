"""Print the lowest versions pyproject.toml allows, one requirement a line, for CI.

Every runtime dependency and every dependency of the chosen extras becomes
``name==<its lower bound>`` (``"numpy>=2.0"`` -> ``numpy==2.0``); a dependency without a
lower bound is an error, since CI could not test its oldest version. Transitive
dependencies are left to pip (the "lowest-direct" strategy). ``--lock-pin NAME`` adds NAME
at its version in requirements.lock (test tools such as pytest, which are not under test).

Used by ``make lowest`` (see the Makefile)::

    python tools/lowest_requirements.py --extras nwb,explorer,interop,ml,dask \
        --lock-pin pytest --lock-pin hypothesis > lowest.txt
    pip install --only-binary :all: -r lowest.txt
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lowest(requirement: str) -> str:
    """``"dask[distributed]>=2025.1"`` -> ``"dask[distributed]==2025.1"``."""
    req = Requirement(requirement)
    lows = [s.version for s in req.specifier if s.operator in (">=", "==", "~=")]
    if not lows:
        raise SystemExit(f"pyproject.toml: {requirement!r} has no lower bound; add one "
                         "(the oldest version you test) so the lowest-versions CI step "
                         "can install it")
    extras = f"[{','.join(sorted(req.extras))}]" if req.extras else ""
    marker = f"; {req.marker}" if req.marker else ""
    return f"{req.name}{extras}=={lows[0]}{marker}"


def lock_versions(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^ \\;]+)", line)
        if m:
            pins[_canonical(m.group(1))] = m.group(2)
    return pins


def requirements(extras: list[str], exclude: set[str], lock_pins: list[str],
                 pyproject: Path = ROOT / "pyproject.toml",
                 lock: Path = ROOT / "requirements.lock") -> list[str]:
    project = tomllib.loads(pyproject.read_text())["project"]
    declared = list(project["dependencies"])
    optional = project.get("optional-dependencies", {})
    for extra in extras:
        if extra not in optional:
            raise SystemExit(f"--extras: pyproject.toml has no extra {extra!r}; "
                             f"choose from {sorted(optional)}")
        declared += [r for r in optional[extra] if not r.startswith(project["name"])]
    out = [lowest(r) for r in declared if _canonical(Requirement(r).name) not in exclude]
    pins = lock_versions(lock)
    for name in lock_pins:
        if _canonical(name) not in pins:
            raise SystemExit(f"--lock-pin: {name!r} is not in {lock.name}")
        out.append(f"{name}=={pins[_canonical(name)]}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--extras", default="", help="comma-separated extras to include")
    parser.add_argument("--exclude", default="", help="comma-separated packages to leave out")
    parser.add_argument("--lock-pin", action="append", default=[],
                        help="also pin this package at its requirements.lock version")
    args = parser.parse_args(argv)
    extras = [e for e in args.extras.split(",") if e]
    exclude = {_canonical(e) for e in args.exclude.split(",") if e}
    sys.stdout.write("\n".join(requirements(extras, exclude, args.lock_pin)) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
