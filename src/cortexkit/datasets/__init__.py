"""Bundled data: generated on the fly, so nothing needs the network.

- :func:`steinmetz_like` — a realistic synthetic Neuropixels session (default of every spike
  command).
- :func:`brain_wide_like` — a corpus of ALF sessions on disk like the IBL brain-wide map
  (for batch runs and their benchmarks).
- :func:`v1_orientation_like` — synthetic mouse-V1 orientation responses (default of RSA).

Real recordings are read with :func:`cortexkit.io.load_spikes` and
:func:`cortexkit.io.load_responses`.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "brain_wide_like": "cortexkit.datasets._brain_wide",
    "steinmetz_like": "cortexkit.datasets._steinmetz",
    "v1_orientation_like": "cortexkit.datasets._v1",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'cortexkit.datasets' has no attribute {name!r}")
