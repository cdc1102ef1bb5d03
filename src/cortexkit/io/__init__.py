"""Reading and writing spike data and population responses.

``load_spikes`` / ``save_spikes`` handle every spike format of the SPEC (Neuromatch npz/npy
read without unpickling, ALF, Kilosort/phy, NWB, CSV/Parquet, MATLAB);
``load_responses`` reads stimulus x neuron response matrices; ``load_recording`` is a file
or the bundled session, what the front ends load.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "load_spikes": "cortexkit.io.spikes",
    "save_spikes": "cortexkit.io.spikes",
    "load_responses": "cortexkit.io.responses",
    "read_limits": "cortexkit.io._limits",
    "load_recording": "cortexkit.io._recording",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'cortexkit.io' has no attribute {name!r}")
