"""Import optional heavy dependencies at call time with a helpful error."""

from __future__ import annotations

import importlib
from types import ModuleType

from cortexkit.errors import MissingDependencyError

_EXTRA = {
    "torch": "torch",
    "dask": "dask",
    "distributed": "dask",
    "pynwb": "nwb",
    "h5py": "nwb",
    "neo": "interop",
    "quantities": "interop",
    "pynapple": "interop",
    "fastapi": "explorer",
    "uvicorn": "explorer",
}


def optional_import(name: str) -> ModuleType:
    """Import ``name`` or raise :class:`MissingDependencyError` with an install hint."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        top = name.split(".")[0]
        extra = _EXTRA.get(top, "all")
        raise MissingDependencyError(
            f"this feature needs the optional package {top!r}, which is not installed; "
            f"install it with: pip install 'cortexkit[{extra}]'"
        ) from exc
