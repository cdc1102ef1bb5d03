"""The layer order of docs/DEVELOPING.md, checked on the source by its imports.

Every module under ``src/cortexkit`` is parsed; every import is seen, also inside functions,
under ``if TYPE_CHECKING:`` and as ``importlib.import_module("cortexkit.x")`` string literals.
Layers, lowest first (a module may import its own layer or lower ones):

1. foundation: ``errors``, ``_version``, ``_lib`` (the one private package everyone may use)
2. containers: ``core`` (``SpikeTrains``, ``Responses``, binned spikes)
3. analyses: ``summary``, ``isi``, ``information``, ``lif``, ``causality``, ``encoding``,
   ``rsa``, ``quality`` (and the ``cortexkit`` package root, which re-exports from them)
4. ``io``, ``datasets``, ``plot``
5. front ends: ``batch``, ``report``, ``explorer``, ``cli`` (and ``__main__``)

Further rules: analyses never import io, datasets, plot or a front end; a front end never
imports another front end (the CLI may import the package roots ``cortexkit.report``,
``cortexkit.explorer`` and ``cortexkit.batch``, their public entry points); no module imports
a private module (``_name``) of another package, except ``cortexkit._lib``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
ROOT = "cortexkit"

FOUNDATION, CONTAINERS, ANALYSES, IO_PLOT, FRONT = 1, 2, 3, 4, 5
LAYER_NAMES = {FOUNDATION: "foundation", CONTAINERS: "containers", ANALYSES: "analyses",
               IO_PLOT: "io/datasets/plot", FRONT: "front ends"}
# First component below ``cortexkit`` -> layer.  Anything not listed is an error of its own,
# so that a new top-level module or package must be placed in a layer on purpose.
LAYER_OF = {
    "errors": FOUNDATION, "_version": FOUNDATION, "_lib": FOUNDATION,
    "core": CONTAINERS,
    "summary": ANALYSES, "isi": ANALYSES, "information": ANALYSES, "lif": ANALYSES,
    "causality": ANALYSES, "encoding": ANALYSES, "rsa": ANALYSES, "quality": ANALYSES,
    "io": IO_PLOT, "datasets": IO_PLOT, "plot": IO_PLOT,
    "batch": FRONT, "report": FRONT, "explorer": FRONT, "cli": FRONT, "__main__": FRONT,
}
ROOT_LAYER = ANALYSES  # ``cortexkit/__init__.py`` imports SpikeTrains and ck.describe
CLI_MAY_IMPORT = {"cortexkit.report", "cortexkit.explorer", "cortexkit.batch"}
SHARED_PRIVATE = "cortexkit._lib"
# Imports that another change of the same issue removes, tolerated until it lands (the
# batch rewrite reported progress by a callback instead of importing the CLI's bar: done).
PENDING: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class Import:
    importer: str  # dotted module name
    target: str  # dotted module name that is imported
    path: Path
    line: int


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_package(name: str) -> bool:
    return (SRC / Path(*name.split(".")) / "__init__.py").is_file()


def is_module(name: str) -> bool:
    base = SRC / Path(*name.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _resolve_relative(importer: str, module: str | None, level: int) -> str:
    base = importer.split(".")
    if not is_package(importer):
        base = base[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def _string_imports(node: ast.Call) -> str | None:
    """The module of ``importlib.import_module("x")`` / ``import_module("x")`` /
    ``__import__("x")`` when its argument is a string literal."""
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name not in ("import_module", "__import__") or not node.args:
        return None
    arg = node.args[0]
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    return None


def imports_of(path: Path) -> list[Import]:
    """Every cortexkit module that ``path`` imports, wherever the import statement is."""
    return imports_in(path.read_text(encoding="utf-8"), module_name(path), path)


def imports_in(source: str, importer: str, path: Path) -> list[Import]:
    """Every cortexkit module that ``source`` (module ``importer``) imports."""
    tree = ast.parse(source, filename=str(path))
    found: list[Import] = []

    def add(target: str, line: int) -> None:
        if target == ROOT or target.startswith(ROOT + "."):
            found.append(Import(importer, target, path, line))

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = (_resolve_relative(importer, node.module, node.level) if node.level
                    else node.module or "")
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                # ``from pkg import name``: a submodule when one of that name exists
                add(sub if alias.name != "*" and is_module(sub) else base, node.lineno)
        elif isinstance(node, ast.Call):
            target = _string_imports(node)
            if target is not None:
                add(target, node.lineno)
    return found


def layer(name: str) -> int | None:
    if name == ROOT:
        return ROOT_LAYER
    return LAYER_OF.get(name.split(".")[1])


def top(name: str) -> str:
    """``cortexkit.x`` for any module in or below ``cortexkit.x`` (``__main__`` is the CLI's)."""
    head = ".".join(name.split(".")[:2])
    return "cortexkit.cli" if head == "cortexkit.__main__" else head


def _private_owner(target: str) -> str | None:
    """The package whose private module ``target`` is (``a.b`` for ``a.b._c.d``), or None."""
    parts = target.split(".")
    for i, part in enumerate(parts[1:], start=1):
        if part.startswith("_") and not part.startswith("__"):
            return ".".join(parts[:i])
    return None


def violations_of(imp: Import) -> list[str]:
    src, dst = imp.importer, imp.target
    where = f"{imp.path.relative_to(SRC.parent)}:{imp.line}: {src} imports {dst}"
    out: list[str] = []
    ls, ld = layer(src), layer(dst)
    if ls is None:
        out.append(f"{where}: {top(src)} is in no layer (add it to LAYER_OF)")
    if ld is None:
        out.append(f"{where}: {top(dst)} is in no layer (add it to LAYER_OF)")
    if ls is None or ld is None:
        return out
    if ld > ls:
        out.append(f"{where}: upward import ({LAYER_NAMES[ls]} -> {LAYER_NAMES[ld]})")
    if ls == FRONT and ld == FRONT and top(src) != top(dst):
        cli_entry = top(src) == "cortexkit.cli" and dst in CLI_MAY_IMPORT
        if not cli_entry:
            out.append(f"{where}: a front end imports another front end"
                       + (" (the CLI may import only the package roots "
                          + ", ".join(sorted(CLI_MAY_IMPORT)) + ")"
                          if top(src) == "cortexkit.cli" else ""))
    owner = _private_owner(dst)
    if owner is not None and not dst.startswith(SHARED_PRIVATE):
        inside = src.split(".")[:-1] == [ROOT] if owner == ROOT else (
            src == owner or src.startswith(owner + "."))
        if owner == ROOT and src == ROOT:
            inside = True
        if not inside:
            out.append(f"{where}: imports a private module of {owner}; export what is "
                       f"shared from {owner}'s __init__ (or move it to cortexkit._lib)")
    return out


def all_modules() -> list[Path]:
    return sorted((SRC / ROOT).rglob("*.py"))


def all_violations(tolerated: frozenset[tuple[str, str]] = frozenset()) -> list[str]:
    """Every violation in the source, except (importer, imported) pairs in ``tolerated``."""
    out: dict[str, None] = {}  # ordered and without repeats (``from x import a, b``)
    for path in all_modules():
        for imp in imports_of(path):
            if (imp.importer, imp.target) not in tolerated:
                out.update(dict.fromkeys(violations_of(imp)))
    return list(out)


def test_every_module_is_in_a_layer():
    missing = sorted({top(module_name(p)) for p in all_modules()
                      if module_name(p) != ROOT and layer(module_name(p)) is None})
    assert not missing, "modules in no layer (add them to LAYER_OF): " + ", ".join(missing)


def test_layer_order():
    found = all_violations(frozenset(PENDING))
    if found:
        pytest.fail(f"{len(found)} layering violation(s):\n  " + "\n  ".join(found),
                    pytrace=False)


# ------------------------------------------------------------ the checker itself
def _check(module: str, source: str) -> list[str]:
    """Violations of a made-up module ``module`` holding ``source``."""
    path = SRC / Path(*module.split(".")).with_suffix(".py")
    return [v for imp in imports_in(source, module, path) for v in violations_of(imp)]


@pytest.mark.parametrize(("module", "source", "expected"), [
    ("cortexkit.isi.x", "def f():\n    from cortexkit import plot\n", "upward import"),
    ("cortexkit.isi.x", "import importlib\nimportlib.import_module('cortexkit.io')\n",
     "upward import"),
    ("cortexkit.core.x", "from cortexkit.isi import stats\n", "upward import"),
    ("cortexkit.report.x", "from cortexkit.cli import main\n", "another front end"),
    ("cortexkit.cli.x", "from cortexkit.report.sections import isi\n", "another front end"),
    ("cortexkit.explorer.x", "from cortexkit.io._common import x\n", "private module"),
    ("cortexkit.rsa.x", "from cortexkit.isi._intervals import as_isi_array\n",
     "private module"),
    ("cortexkit.isi.x", "from ..rsa._rdm import METHODS\n", "private module"),
    ("cortexkit.isi.x", "from cortexkit.core._kernels import k\n", "private module"),
])
def test_checker_finds(module, source, expected):
    found = _check(module, source)
    assert any(expected in v for v in found), found


@pytest.mark.parametrize(("module", "source"), [
    ("cortexkit.cli.x", "from cortexkit.report import build_report\n"),
    ("cortexkit.cli.x", "from cortexkit import explorer, batch\n"),
    ("cortexkit.isi.x", "from cortexkit._lib import validation\nfrom cortexkit import errors\n"),
    ("cortexkit.isi.x", "from cortexkit.isi._stats import stats\nfrom . import _curves\n"),
    ("cortexkit.information.x", "from cortexkit.isi import intervals\n"),
    ("cortexkit.report.sections.x", "from cortexkit.report._build import ReportContext\n"),
    ("cortexkit.plot.x", "from cortexkit import SpikeTrains\nimport cortexkit.isi\n"),
])
def test_checker_allows(module, source):
    assert _check(module, source) == []


MAX_LINES = 600


def test_no_module_over_600_lines():
    long = {str(p.relative_to(SRC.parent)): n for p in all_modules()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines (split them by concern): {long}"
