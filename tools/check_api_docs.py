"""Check that every public name of cortexkit has an entry in the built API reference.

Reads the Sphinx inventory of a finished build (``docs/_build/html/objects.inv``) and the
public API (each module named in ``cortexkit.__all__``, recursively, with its ``__all__``;
see docs/_apigen.py) and fails, listing them, if any public module or name has no entry.
`make docs` runs it after the build.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def inventory_names(path: Path) -> set[str]:
    """Every Python object name in a Sphinx ``objects.inv``."""
    from sphinx.util.inventory import InventoryFile

    with path.open("rb") as fh:
        inv = InventoryFile.load(fh, "", lambda base, uri: uri)
    names: set[str] = set()
    for kind, entries in inv.items():
        if kind.startswith("py:"):
            names.update(entries)
    return names


def missing(inventory: set[str]) -> list[str]:
    """Public modules and names that are not in ``inventory``."""
    sys.path.insert(0, str(ROOT / "docs"))
    from _apigen import public_api

    out = []
    for module, names in public_api().items():
        out += [module] if module not in inventory else []
        out += [f"{module}.{n}" for n in names if f"{module}.{n}" not in inventory]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("inventory", nargs="?",
                        default=str(ROOT / "docs" / "_build" / "html" / "objects.inv"))
    args = parser.parse_args(argv)
    gone = missing(inventory_names(Path(args.inventory)))
    if gone:
        print(f"{len(gone)} public names have no API reference entry:", *gone, sep="\n  ")
        return 1
    print("api reference: every public name has an entry")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
