"""Plotting, kept apart from computation.

One module per topic (``ck.plot.spikes``, ``ck.plot.isi``, ``ck.plot.information``,
``ck.plot.lif``, ``ck.plot.causality``, ``ck.plot.rsa``, ``ck.plot.encoding``), loaded on
first use. Every function takes computed results, accepts an optional matplotlib ``ax``,
returns the Figure or Axes and never calls ``plt.show()``.
"""

from __future__ import annotations

import importlib
from typing import Any

_TOPICS = {"spikes", "isi", "information", "lif", "causality", "rsa", "encoding", "quality"}

__all__ = sorted(_TOPICS)


def __getattr__(name: str) -> Any:
    if name in _TOPICS:
        return importlib.import_module(f"cortexkit.plot.{name}")
    raise AttributeError(f"module 'cortexkit.plot' has no attribute {name!r}")
