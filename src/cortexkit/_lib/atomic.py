"""Atomic writes: write to a temporary file beside the target, then rename over it.

The temporary file is named ``.<target name>.<host>-<pid>.<random>.tmp``.  A writer
killed by SIGKILL (or a power cut) cannot remove its own temporary file, so every
atomic write first removes the temporary files of the same target that were left by
processes of this host that no longer run.  Temporary files of running writers and of
other hosts (shared folders) are never touched.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["atomic_path", "clean_stale"]


def _host() -> str:
    import socket  # only when writing: keeps `import cortexkit.io` light

    return re.sub(r"[^A-Za-z0-9_-]", "_", socket.gethostname())[:40] or "host"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def clean_stale(target: str | os.PathLike) -> list[Path]:
    """Remove temporary files of ``target`` left by dead writers on this host; return them."""
    target = Path(target)
    pattern = re.compile(rf"^\.{re.escape(target.name)}\.{re.escape(_host())}-(\d+)\.[^.]+\.tmp$")
    removed: list[Path] = []
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return removed
    for entry in entries:
        m = pattern.match(entry.name)
        if m is None or int(m.group(1)) == os.getpid() or _alive(int(m.group(1))):
            continue
        with contextlib.suppress(OSError):
            if entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; rename it onto ``target`` on success.

    On any exception the temporary file is removed and an existing ``target`` is left
    untouched.  Leftovers of killed writers of the same target are removed first (see
    the module docstring).
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{_host()}-{os.getpid()}.",
                               suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    # mkstemp creates 0600; give the file the permissions a plain open() would.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp_path, 0o666 & ~umask)
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()
