"""Write the API reference pages (``docs/api/*.rst``) from the package's public names.

The public API is what ``cortexkit.__all__`` names: its functions and classes, and its
modules with their own ``__all__``; a module whose ``__all__`` names modules (``ck.plot``)
contributes those modules in turn. Every other top-level package without a leading
underscore that defines ``__all__`` (``cortexkit.core``, ``cortexkit.cli``) is public too.
Each module gets one page with an autosummary table of its names, and autosummary one
page per name. Nothing here is written by hand, so a name
added to an ``__all__`` is in the reference at the next build; ``tools/check_api_docs.py``
checks the built inventory against the same list.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from types import ModuleType

ROOT_MODULE = "cortexkit"


def _module_names(module: ModuleType) -> tuple[list[str], list[ModuleType]]:
    """``(object names, submodules)`` of a module's ``__all__``."""
    names, subs = [], []
    for name in getattr(module, "__all__", []):
        if name.startswith("__"):
            continue
        obj = getattr(module, name)
        if isinstance(obj, ModuleType):
            subs.append(obj)
        else:
            names.append(name)
    return names, subs


def public_api() -> dict[str, list[str]]:
    """``{module name: [public names]}`` for every public module, in reference order."""
    api: dict[str, list[str]] = {}
    root = importlib.import_module(ROOT_MODULE)
    todo = [root]
    for info in pkgutil.iter_modules(root.__path__):
        if not info.name.startswith("_"):
            module = importlib.import_module(f"{ROOT_MODULE}.{info.name}")
            if hasattr(module, "__all__"):
                todo.append(module)
    while todo:
        module = todo.pop(0)
        if module.__name__ in api:
            continue
        names, subs = _module_names(module)
        if names or module.__name__ == ROOT_MODULE:
            api[module.__name__] = names
        todo += sorted(subs, key=lambda m: m.__name__)
    top = api.pop(ROOT_MODULE)
    return {ROOT_MODULE: top, **dict(sorted(api.items()))}


def _page(module: str, names: list[str]) -> str:
    title = f"``{module}``"
    lines = [title, "=" * len(title), "",
             f".. automodule:: {module}", "   :no-members:", "",
             f".. currentmodule:: {module}", ""]
    if names:
        lines += [".. autosummary::", "   :toctree: generated", "   :nosignatures:", ""]
        lines += [f"   {name}" for name in names]
    return "\n".join(lines) + "\n"


def write_api_pages(folder: Path) -> dict[str, list[str]]:
    """(Re)write ``folder/index.rst`` and one page per public module; return the API."""
    api = public_api()
    folder.mkdir(parents=True, exist_ok=True)
    wanted = {f"{module}.rst" for module in api} | {"index.rst"}
    for old in folder.glob("*.rst"):
        if old.name not in wanted:
            old.unlink()
    index = ["API reference", "=============", "",
             "Every public name of cortexkit, module by module (generated from each "
             "module's ``__all__``).", "", ".. toctree::", "   :maxdepth: 1", ""]
    index += [f"   {module}" for module in api]
    _write(folder / "index.rst", "\n".join(index) + "\n")
    for module, names in api.items():
        _write(folder / f"{module}.rst", _page(module, names))
    return api


def _write(path: Path, text: str) -> None:
    """Write only when the text changed, so Sphinx does not reread unchanged pages."""
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
