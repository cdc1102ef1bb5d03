"""The progress-callback protocol shared by long-running library entry points.

Library code (``batch``, ``report``) reports progress through an object with two
methods, :class:`Progress`; it never draws anything itself.  The CLI owns the rich
progress bar (``cortexkit.cli._common.progress``) and passes it in; everyone else gets
:data:`NO_PROGRESS`, which does nothing.

>>> with progress(True) as p:          # no bar given: a no-op object
...     task = p.step("fitting", total=3)
...     p.advance(task)
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Protocol, runtime_checkable

__all__ = ["Progress", "NoProgress", "NO_PROGRESS", "progress", "as_progress"]


@runtime_checkable
class Progress(Protocol):
    """What a progress reporter offers: named steps with an optional total."""

    def step(self, description: str, total: float | None = None) -> int:
        """Start a step; returns its task id."""
        ...

    def advance(self, task: int, n: float = 1) -> None:
        """Advance task ``task`` by ``n`` units."""
        ...


class NoProgress:
    """A :class:`Progress` that does nothing."""

    def step(self, description: str, total: float | None = None) -> int:
        return 0

    def advance(self, task: int, n: float = 1) -> None:
        return None


NO_PROGRESS = NoProgress()


def as_progress(value: object) -> Progress:
    """``value`` if it implements :class:`Progress`, else :data:`NO_PROGRESS`
    (for ``None``, ``False`` or ``True`` without a bar)."""
    return value if isinstance(value, Progress) else NO_PROGRESS


@contextlib.contextmanager
def progress(enabled: bool = True, *, bar: Progress | None = None) -> Iterator[Progress]:
    """Yield ``bar`` when enabled and given, else :data:`NO_PROGRESS`.

    Same shape as the CLI's ``progress(enabled)`` context manager, so code written
    against either works with both.
    """
    yield bar if (enabled and bar is not None) else NO_PROGRESS
