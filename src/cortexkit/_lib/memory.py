"""Refuse absurd sizes before allocating: a ValidationError instead of a MemoryError.

:func:`check_alloc` compares the bytes a call is about to allocate with half of the
machine's physical memory and names the parameter to change.
"""

from __future__ import annotations

import os

from cortexkit.errors import ValidationError

__all__ = ["memory_limit", "check_alloc"]


def memory_limit() -> int:
    """Half of the machine's physical memory in bytes (4 GiB when unknown)."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")) // 2
    except (ValueError, OSError, AttributeError):
        return 4 << 30


def check_alloc(param: str, nbytes: float, what: str, fix: str) -> None:
    """ValidationError (``param`` set) when ``nbytes`` exceed :func:`memory_limit`."""
    limit = memory_limit()
    if not nbytes <= limit:
        raise ValidationError(
            f"{what} needs about {nbytes / 2**30:.3g} GiB, more than half of this machine's "
            f"memory ({limit / 2**30:.3g} GiB); {fix}", param=param)
