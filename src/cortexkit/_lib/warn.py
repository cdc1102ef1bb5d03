"""Warnings that point at the user's line, not at cortexkit internals."""

from __future__ import annotations

import os
import sys
from types import FrameType

_PKG = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def user_stacklevel() -> int:
    """``stacklevel`` for a warning issued by the caller, pointing at the first frame
    outside cortexkit (so ``warnings.warn(..., stacklevel=user_stacklevel())`` in a
    function of any depth names the user's code)."""
    frame: FrameType | None = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(_PKG):
        frame = frame.f_back
        level += 1
    return level
