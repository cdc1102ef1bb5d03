"""Read limits and file checks shared by every loader: validate before allocating.

- :func:`read_limits` sets (for a ``with`` block) the largest array a loader may
  allocate from sizes written in a file (``max_bytes``) and the time limit of the
  readers that run in a child process (``timeout``, NWB/HDF5).  Defaults: 4 GiB and
  120 s, or the environment variables ``CORTEXKIT_MAX_BYTES`` / ``CORTEXKIT_READ_TIMEOUT``.
- :func:`regular_file` refuses anything but a regular file (named pipes, devices,
  folders) using ``os.stat`` before opening, so a FIFO never blocks the reader;
  :func:`open_regular` opens with ``O_NONBLOCK`` and re-checks the opened descriptor.
- :func:`check_size` compares a size taken from a header with the limit.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import IO, NamedTuple

from cortexkit.errors import DataFormatError, ValidationError

__all__ = ["Limits", "read_limits", "current", "regular_file", "open_regular", "check_size"]

_GIB = 1 << 30


class Limits(NamedTuple):
    """Largest allocation from file sizes (bytes) and child-reader time limit (s)."""

    max_bytes: int
    timeout: float


def _env_default() -> Limits:
    def num(name: str, default: float) -> float:
        raw = os.environ.get(name)
        if raw is None:
            return default
        try:
            value = float(raw)
        except ValueError:
            value = float("nan")
        if not value > 0 or value == float("inf"):
            raise ValidationError(
                f"environment variable {name} must be a positive number; got {raw!r}; "
                f"unset it to use the default {default:g}"
            )
        return value

    return Limits(int(num("CORTEXKIT_MAX_BYTES", 4 * _GIB)),
                  num("CORTEXKIT_READ_TIMEOUT", 120.0))


_LIMITS: contextvars.ContextVar[Limits | None] = contextvars.ContextVar("cortexkit_io_limits",
                                                                        default=None)


def current() -> Limits:
    """The limits in force (set by :func:`read_limits`, else the defaults)."""
    value = _LIMITS.get()
    return _env_default() if value is None else value


@contextlib.contextmanager
def read_limits(max_bytes: int | None = None, timeout: float | None = None) -> Iterator[Limits]:
    """Change the loaders' limits inside a ``with`` block.

    Parameters
    ----------
    max_bytes : int, optional
        Largest array (bytes) a loader may allocate from sizes stated in a file
        (default 4 GiB, or ``CORTEXKIT_MAX_BYTES``).
    timeout : float, optional
        Seconds an NWB/HDF5 file may take to read in the reader's child process
        (default 120, or ``CORTEXKIT_READ_TIMEOUT``).

    Examples
    --------
    >>> import cortexkit as ck
    >>> with ck.io.read_limits(max_bytes=16 * 2**30):
    ...     pass  # ck.io.load_spikes("huge_session") may allocate up to 16 GiB here
    """
    base = current()
    if max_bytes is not None and (isinstance(max_bytes, bool) or not isinstance(max_bytes, int)
                                  or max_bytes <= 0):
        raise ValidationError(f"max_bytes must be a positive integer (bytes); got {max_bytes!r}",
                              param="max_bytes")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, int | float)
                                or not 0 < timeout < float("inf")):
        raise ValidationError(f"timeout must be a positive number of seconds; got {timeout!r}",
                              param="timeout")
    new = Limits(base.max_bytes if max_bytes is None else int(max_bytes),
                 base.timeout if timeout is None else float(timeout))
    token = _LIMITS.set(new)
    try:
        yield new
    finally:
        _LIMITS.reset(token)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def regular_file(path: str | os.PathLike) -> int:
    """Size in bytes of ``path``; DataFormatError unless it is a regular file."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise DataFormatError(f"{path}: no such file; check the path") from None
    except OSError as exc:
        raise DataFormatError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    if not stat.S_ISREG(st.st_mode):
        raise DataFormatError(
            f"{path} is {_kind(st.st_mode)}, not a regular file; copy the data into a file "
            "and load that"
        )
    return int(st.st_size)


def open_regular(path: str | os.PathLike) -> tuple[IO[bytes], int]:
    """Open a regular file for reading without blocking on FIFOs; returns (file, size)."""
    regular_file(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise DataFormatError(f"{path}: cannot be opened ({exc.strerror or exc})") from exc
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):  # replaced between the stat and the open
        os.close(fd)
        raise DataFormatError(f"{path} is {_kind(st.st_mode)}, not a regular file")
    return os.fdopen(fd, "rb"), int(st.st_size)


def check_size(nbytes: int, source: str | Path, what: str = "the array") -> None:
    """DataFormatError when ``nbytes`` (from a header) exceeds the ``max_bytes`` limit."""
    limit = current().max_bytes
    if nbytes > limit:
        raise DataFormatError(
            f"{source}: {what} would need {nbytes / _GIB:.3g} GiB, above the limit of "
            f"{limit / _GIB:.3g} GiB; if the file is genuine, raise the limit with "
            "`with ck.io.read_limits(max_bytes=...)` (or CORTEXKIT_MAX_BYTES)"
        )
