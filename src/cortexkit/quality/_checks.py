"""Argument checks of :mod:`cortexkit.quality`, on the one message template of
:mod:`cortexkit._lib.validation` (``{param} must be {expected}; got {given}[; {fix}]``)."""

from __future__ import annotations

from typing import Any

from cortexkit._lib.engine import check_engine
from cortexkit._lib.validation import check_number, invalid

__all__ = ["invalid", "check_number", "check_engine", "check_spikes"]


def check_spikes(st: Any) -> None:
    """A ValidationError unless ``st`` is a SpikeTrains."""
    from cortexkit.core import SpikeTrains

    if not isinstance(st, SpikeTrains):
        raise invalid("st", "a cortexkit.SpikeTrains", type(st).__name__,
                      "build one with ck.SpikeTrains.from_list or ck.io.load_spikes")
