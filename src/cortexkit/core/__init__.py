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

from cortexkit.core._trusted import from_trusted_parts
from cortexkit.core.binned import PSTH, BinnedSpikes
from cortexkit.core.responses import Responses, bin_stimuli, tutorial_convention
from cortexkit.core.spikes import SpikeTrains

__all__ = ["SpikeTrains", "BinnedSpikes", "PSTH", "Responses", "bin_stimuli", "tutorial_convention",
           "from_trusted_parts"]
