"""Run a reader of an untrusted C library (HDF5/NWB) in a child process with a time limit.

The parent keeps one reader process (started on first use, reused while it is healthy,
restarted after a crash, a timeout or a fork).  A request is one JSON line on the
child's stdin; the reply is a length-prefixed frame of a JSON header plus ``.npy``
blobs of plain arrays, parsed in the parent by the safe ``.npy`` reader (no pickle ever
crosses the pipe).  If the child does not answer within
:func:`cortexkit.io.read_limits`' ``timeout`` it is killed, and if it dies (e.g. SIGSEGV
in a C library) the caller gets a :class:`~cortexkit.errors.DataFormatError`; the
parent process is never at risk.

The child side is :func:`serve` (``python -m cortexkit.io._child``): it imports the
readers named in :data:`READERS` and answers until its stdin closes.
"""

from __future__ import annotations

import atexit
import io
import json
import os
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any, cast

import numpy as np

from cortexkit.errors import DataFormatError, MissingDependencyError

__all__ = ["run", "serve", "READERS"]

READERS = {"nwb": "cortexkit.io._nwb:extract"}
_READY = b"R"
_START_TIMEOUT = 120.0  # s for the child to start and import its readers


class _Worker:
    def __init__(self) -> None:
        pkg_root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([pkg_root, env.get("PYTHONPATH", "")]).rstrip(
            os.pathsep)
        self.pid_parent = os.getpid()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "cortexkit.io._child"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, close_fds=True)
        self.fd = cast(IO[bytes], self.proc.stdout).fileno()
        if self._read(1, time.monotonic() + _START_TIMEOUT) != _READY:
            self.kill()
            raise DataFormatError("the NWB reader process did not start; check that "
                                  "'python -m cortexkit.io._child' runs")

    def _read(self, n: int, deadline: float) -> bytes | None:
        chunks, left = [], n
        while left:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([self.fd], [], [], wait)[0]:
                return None
            chunk = os.read(self.fd, min(left, 1 << 20))
            if not chunk:
                return b""
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def request(self, msg: dict, timeout: float) -> bytes | None:
        """The reply frame, b"" when the child died, None on timeout."""
        try:
            stdin = cast(IO[bytes], self.proc.stdin)
            stdin.write(json.dumps(msg).encode() + b"\n")
            stdin.flush()
        except (BrokenPipeError, OSError):
            return b""
        deadline = time.monotonic() + timeout
        head = self._read(8, deadline)
        if not head or len(head) < 8:
            return head
        return self._read(struct.unpack(">Q", head)[0], deadline)

    def kill(self) -> None:
        try:
            self.proc.kill()
            self.proc.wait(5)
        except (OSError, subprocess.TimeoutExpired):
            pass
        for pipe in (self.proc.stdin, self.proc.stdout):
            try:
                if pipe is not None:
                    pipe.close()
            except OSError:
                pass

    def died(self) -> str:
        try:
            code = self.proc.wait(5)
        except subprocess.TimeoutExpired:
            return "stopped answering"
        if code < 0:
            try:
                return f"crashed ({signal.Signals(-code).name})"
            except ValueError:
                return f"crashed (signal {-code})"
        return f"exited with code {code}"


_LOCK = threading.Lock()
_WORKER: _Worker | None = None


def _stop() -> None:
    if _WORKER is not None and _WORKER.pid_parent == os.getpid():
        _WORKER.kill()


atexit.register(_stop)


def run(kind: str, path: Path, max_bytes: int, timeout: float) -> tuple[dict, dict]:
    """(meta, arrays) that reader ``kind`` extracted from ``path`` in the child process.

    ``kind`` is a key of :data:`READERS` or a ``"module:function"`` taking
    ``(path, max_bytes)`` (the parent names the code; nothing in the file does).
    """
    global _WORKER
    with _LOCK:
        if _WORKER is None or _WORKER.pid_parent != os.getpid() or \
                _WORKER.proc.poll() is not None:
            _WORKER = _Worker()
        worker = _WORKER
        frame = worker.request({"target": READERS.get(kind, kind), "path": str(path),
                                "max_bytes": max_bytes}, timeout)
        if frame is None:
            worker.kill()
            _WORKER = None
            raise DataFormatError(
                f"{path}: reading took longer than {timeout:g} s and was stopped; the file is "
                "damaged or very large (raise the limit with "
                "`with ck.io.read_limits(timeout=...)`)"
            )
        if not frame:
            why = worker.died()
            worker.kill()
            _WORKER = None
            raise DataFormatError(f"{path}: the file reader {why} on this file; the file is "
                                  "damaged: export it again")
    return _parse(frame, path)


def _parse(frame: bytes, path: Path) -> tuple[dict, dict]:
    from cortexkit.io._safe_pickle import read_npy

    hlen = struct.unpack(">I", frame[:4])[0]
    meta = json.loads(frame[4:4 + hlen])
    if "error" in meta:
        cls = MissingDependencyError if meta.get("missing") else DataFormatError
        raise cls(meta["error"])
    arrays, pos = {}, 4 + hlen
    for name, size in meta.pop("arrays"):
        blob = io.BytesIO(frame[pos:pos + size])
        arrays[name] = read_npy(blob, f"{path} ({name})", size)
        pos += size
    return meta, arrays


# --------------------------------------------------------------------------- child side
def _frame(meta: dict, arrays: dict[str, np.ndarray]) -> bytes:
    blobs = []
    for name, arr in arrays.items():
        buf = io.BytesIO()
        np.save(buf, np.ascontiguousarray(arr), allow_pickle=False)
        blobs.append((name, buf.getvalue()))
    meta = {**meta, "arrays": [(n, len(b)) for n, b in blobs]}
    head = json.dumps(meta).encode()
    body = struct.pack(">I", len(head)) + head + b"".join(b for _, b in blobs)
    return struct.pack(">Q", len(body)) + body


def serve() -> None:
    """Answer read requests on stdin/stdout until stdin closes (the child's main loop)."""
    import importlib
    import warnings

    warnings.simplefilter("ignore")
    # Replies go to a private copy of stdout; anything a library prints goes to stderr.
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    readers: dict[str, Any] = {}

    def reader(target: str) -> Any:
        if target not in readers:
            mod, func = target.split(":")
            readers[target] = getattr(importlib.import_module(mod), func)
        return readers[target]

    missing = None
    try:
        import h5py  # noqa: F401
        import pynwb  # noqa: F401
    except ImportError:
        missing = ("this feature needs the optional package 'pynwb', which is not installed; "
                   "install it with: pip install 'cortexkit[nwb]'")
    else:
        reader(READERS["nwb"])
    out.write(_READY)
    out.flush()
    for line in sys.stdin.buffer:
        msg = json.loads(line)
        try:
            if missing:
                frame = _frame({"error": missing, "missing": True}, {})
            else:
                meta, arrays = reader(msg["target"])(Path(msg["path"]), int(msg["max_bytes"]))
                frame = _frame(meta, arrays)
        except DataFormatError as exc:
            frame = _frame({"error": str(exc)}, {})
        except Exception as exc:  # noqa: BLE001 - h5py/hdmf raise many types on bad files
            frame = _frame({"error": f"{msg['path']}: not a readable NWB (HDF5) file "
                                     f"({type(exc).__name__}: {exc})"}, {})
        out.write(frame)
        out.flush()


if __name__ == "__main__":
    serve()
