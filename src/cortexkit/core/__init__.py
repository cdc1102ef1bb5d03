"""Containers: the data structures every analysis accepts and returns.

- :class:`SpikeTrains` (``core/spikes.py``): spike times of many units, stored flat.
  Its pieces: ``_grouping`` (event labels -> units, the one-pass validation scan and
  the dispatch to the numba kernels of ``_kernels``), ``_checks`` (the one validated
  construction path), ``_plausibility`` (warnings about suspicious data), ``_interop``
  (neo / pynapple conversion; kept in this layer so that ``core`` never imports
  ``io``, not even lazily).
- :class:`Responses` (``core/responses.py``): stimulus x neuron response matrices, with
  :func:`bin_stimuli` and :func:`tutorial_convention`; the loaders stay in
  :mod:`cortexkit.io`.
- :class:`BinnedSpikes` and :class:`PSTH` (``core/binned.py``): what
  ``SpikeTrains.bin`` and ``SpikeTrains.psth`` return.
- :func:`from_trusted_parts`: a SpikeTrains from parts valid by construction (library
  kernels), without checks.

This layer imports only :mod:`cortexkit.errors` and :mod:`cortexkit._lib`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from cortexkit.core._trusted import from_trusted_parts
from cortexkit.core.spikes import SpikeTrains

if TYPE_CHECKING:
    from cortexkit.core.binned import PSTH, BinnedSpikes
    from cortexkit.core.responses import Responses, bin_stimuli, tutorial_convention

__all__ = ["SpikeTrains", "BinnedSpikes", "PSTH", "Responses", "bin_stimuli", "tutorial_convention",
           "from_trusted_parts"]

# imported on first use: their module bodies (frozen dataclasses) cost ~2.5 ms of every
# `import cortexkit` (`python -X importtime`), and loading spike trains needs neither
_LAZY = {"BinnedSpikes": "binned", "PSTH": "binned", "Responses": "responses",
         "bin_stimuli": "responses", "tutorial_convention": "responses"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"cortexkit.core.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'cortexkit.core' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
