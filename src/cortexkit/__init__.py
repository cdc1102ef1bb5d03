"""cortexkit: a toolkit for computational neuroscience.

>>> import cortexkit as ck
>>> st = ck.datasets.steinmetz_like(seed=0)      # doctest: +SKIP
>>> ck.describe(st)                              # doctest: +SKIP

Submodules (``ck.io``, ``ck.isi``, ``ck.information``, ``ck.lif``, ``ck.causality``,
``ck.encoding``, ``ck.rsa``, ``ck.plot``, ``ck.batch``, ``ck.datasets``) are imported on
first access so that ``import cortexkit`` stays fast and never pulls in torch or dask.
"""

from __future__ import annotations

import importlib
from typing import Any

from cortexkit import errors
from cortexkit._version import __version__
from cortexkit.core import SpikeTrains
from cortexkit.errors import CortexkitError, DataFormatError, ValidationError
from cortexkit.summary import describe, interval_fraction

_SUBMODULES = {
    "io", "isi", "information", "lif", "causality", "encoding", "rsa", "plot", "batch",
    "datasets", "report", "explorer", "summary", "quality",
}

__all__ = ["SpikeTrains", "CortexkitError", "DataFormatError", "ValidationError", "errors",
           "describe", "interval_fraction", "__version__", "correlograms",
           *sorted(_SUBMODULES)]


# Functions of submodules offered at the top level, imported on first access.
_LAZY_FUNCTIONS = {"correlograms": "quality"}


def __getattr__(name: str) -> Any:
    if name in _LAZY_FUNCTIONS:
        return getattr(importlib.import_module(f"cortexkit.{_LAZY_FUNCTIONS[name]}"), name)
    if name in _SUBMODULES:
        return importlib.import_module(f"cortexkit.{name}")
    raise AttributeError(f"module 'cortexkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
