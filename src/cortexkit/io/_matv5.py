"""A validating reader of MATLAB v5/v7 ``.mat`` files, in Python and NumPy only.

Why not :func:`scipy.io.loadmat`: its compiled reader trusts the sizes written in the
file, so a damaged file can crash the whole process (SIGSEGV) instead of raising.  This
reader checks every size before it allocates or slices: each data element must fit in
its parent, a numeric array's element count must equal the product of its dimensions,
a cell or struct cannot have more items than its bytes can hold, compressed elements
inflate to at most the size their inner tag states (and within
:func:`cortexkit.io.read_limits`), and nesting is bounded.  It reads what spike files
hold -- numeric arrays, cells, structs -- and returns the other classes (char, sparse,
complex, logical, objects, function handles, opaque classes) as :class:`Other` markers so
that the caller can refuse them with a message.  Nothing in the file is executed.

Format reference: MathWorks, "MAT-File Format" (Level 5), the same layout scipy reads.
"""

from __future__ import annotations

import math
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from cortexkit.errors import DataFormatError
from cortexkit.io._limits import check_size, open_regular

__all__ = ["Cell", "Struct", "Other", "read_mat_file"]

_MAX_DEPTH = 64
_MAX_RATIO = 200  # a big compressed element may not inflate more than this
_RATIO_FROM = 64 << 20
# mi data types -> NumPy dtype (without byte order)
_MI = {1: "i1", 2: "u1", 3: "i2", 4: "u2", 5: "i4", 6: "u4", 7: "f4", 9: "f8", 12: "i8",
       13: "u8"}
_MI_MATRIX, _MI_COMPRESSED = 14, 15
# mx array classes
_CLASS_NUMERIC = {6: "f8", 7: "f4", 8: "i1", 9: "u1", 10: "i2", 11: "u2", 12: "i4",
                  13: "u4", 14: "i8", 15: "u8"}
_CLASS_OTHER = {4: "char array", 5: "sparse matrix", 16: "function handle",
                17: "MATLAB object (opaque class)"}


@dataclass
class Cell:
    """A cell array: ``items`` in MATLAB's column-major order."""

    shape: tuple[int, ...]
    items: list[Any]


@dataclass
class Struct:
    """A struct array: one dict per element (column-major order)."""

    shape: tuple[int, ...]
    names: tuple[str, ...]
    records: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Other:
    """A value of a class that cannot hold spike times (``kind`` says which)."""

    kind: str
    shape: tuple[int, ...]

    @property
    def size(self) -> int:  # noqa: D102
        return math.prod(self.shape)


class _Bad(Exception):
    pass


def read_mat_file(path: Path) -> dict[str, Any]:
    """The variables of a v5/v7 MAT-file: name -> ndarray | Cell | Struct | Other."""
    fh, size = open_regular(path)
    check_size(size, path, "the file")
    with fh:
        buf = fh.read()
    if len(buf) < 128:
        raise DataFormatError(f"{path}: {len(buf)} bytes is too short for a MATLAB .mat file "
                              "(128-byte header); the file is truncated or of another type")
    version, endian = buf[124:126], buf[126:128]
    if buf[:10] == b"MATLAB 7.3" or (endian == b"IM" and version == b"\x00\x02") or (
            endian == b"MI" and version == b"\x02\x00"):
        raise DataFormatError(f"{path}: MATLAB v7.3 (HDF5) files are not supported; re-save "
                              "it in MATLAB with save(..., '-v7')")
    if endian not in (b"IM", b"MI") or not buf[:6].startswith(b"MATLAB"):
        raise DataFormatError(
            f"{path}: not a MATLAB v5/v7 .mat file (no 'MATLAB' header text or byte-order "
            "mark); v4 files are not supported: re-save it in MATLAB with save(..., '-v7')"
        )
    order = "<" if endian == b"IM" else ">"
    out: dict[str, Any] = {}
    pos = 128
    try:
        while pos + 8 <= len(buf):
            mtype, a, b, pos = _element(buf, pos, len(buf), order, top=True)
            data = buf
            if mtype == _MI_COMPRESSED:
                mtype, data = _inflate(memoryview(buf)[a:b], order, path)
                a, b = 0, len(data)
            if mtype != _MI_MATRIX:
                raise _Bad(f"top-level data element of type {mtype} (expected a matrix)")
            name, value = _matrix(data, a, b, order, 0)
            out[name] = value
    except _Bad as exc:
        raise DataFormatError(f"{path}: damaged MATLAB file ({exc}); export it again") from exc
    except (struct.error, ValueError, OverflowError, IndexError, TypeError,
            RecursionError) as exc:
        raise DataFormatError(f"{path}: damaged MATLAB file ({type(exc).__name__}: {exc}); "
                              "export it again") from exc
    return out


_TAG = {"<": struct.Struct("<II"), ">": struct.Struct(">II")}


def _element(buf: Any, pos: int, end: int, order: str, top: bool = False
             ) -> tuple[int, int, int, int]:
    """(type, data start, data stop, next position) of the data element at ``pos``."""
    if pos + 8 > end:
        raise _Bad(f"element tag at byte {pos} runs past its parent")
    first, second = _TAG[order].unpack_from(buf, pos)
    if first >> 16:  # small data element: 2-byte type and size, data in the tag
        nbytes = first >> 16
        if nbytes > 4:
            raise _Bad(f"small element at byte {pos} claims {nbytes} bytes")
        return first & 0xFFFF, pos + 4, pos + 4 + nbytes, pos + 8
    stop = pos + 8 + second
    if stop > end:
        raise _Bad(f"element at byte {pos} claims {second} bytes, only {end - pos - 8} left")
    nxt = stop if (top and first == _MI_COMPRESSED) else min(stop + (-second) % 8, end)
    return first, pos + 8, stop, nxt


def _inflate(data: memoryview, order: str, path: Path) -> tuple[int, bytes]:
    d = zlib.decompressobj()
    try:
        head = d.decompress(data, 8)
        if len(head) < 8:
            raise _Bad("compressed element shorter than a tag")
        mtype, nbytes = struct.unpack(order + "II", head)
        check_size(nbytes, path, "a compressed variable")
        if nbytes > _RATIO_FROM and nbytes > _MAX_RATIO * len(data):
            raise _Bad(f"{len(data)} compressed bytes claim to inflate to {nbytes} (a zip bomb?)")
        body = d.decompress(d.unconsumed_tail, nbytes)
    except zlib.error as exc:
        raise _Bad(f"compressed data: {exc}") from exc
    if len(body) < nbytes:
        raise _Bad(f"compressed variable holds {len(body)} of its {nbytes} bytes (truncated)")
    return mtype, body


def _matrix(buf: Any, start: int, end: int, order: str, depth: int) -> tuple[str, Any]:
    """(name, value) of the miMATRIX element whose content is ``buf[start:end]``."""
    if depth > _MAX_DEPTH:
        raise _Bad(f"cells/structs nested deeper than {_MAX_DEPTH} levels")
    if end == start:
        return "", np.empty((0, 0))
    t, a, b, pos = _element(buf, start, end, order)
    if t != 6 or b - a != 8:
        raise _Bad("array flags missing")
    word = _TAG[order].unpack_from(buf, a)[0]
    cls = word & 0xFF
    if cls == 17:  # opaque classes have no dimensions element
        return "", Other(_CLASS_OTHER[17], (1, 1))
    t, a, b, pos = _element(buf, pos, end, order)
    if t != 5 or b - a < 8 or (b - a) % 4:
        raise _Bad("dimensions missing")
    dims = struct.unpack_from(f"{order}{(b - a) // 4}i", buf, a)
    if min(dims) < 0:
        raise _Bad(f"negative dimension in {dims}")
    count = math.prod(dims)
    t, a, b, pos = _element(buf, pos, end, order)
    if t not in (1, 2):
        raise _Bad("array name missing")
    name = bytes(buf[a:b]).decode("latin-1") if b > a else ""
    if cls in _CLASS_OTHER:
        return name, Other(_CLASS_OTHER[cls], dims)
    if cls == 1:  # cell
        if count * 8 > end - pos:
            raise _Bad(f"cell of {count} items in {end - pos} bytes")
        items = []
        for _ in range(count):
            t, a, b, pos = _element(buf, pos, end, order)
            if t != _MI_MATRIX:
                raise _Bad(f"cell item of type {t}")
            items.append(_matrix(buf, a, b, order, depth + 1)[1])
        return name, Cell(dims, items)
    if cls in (2, 3):  # struct, object
        if cls == 3:
            t, a, b, pos = _element(buf, pos, end, order)
        t, a, b, pos = _element(buf, pos, end, order)
        if t != 5 or b - a != 4:
            raise _Bad("struct field-name length missing")
        width = struct.unpack_from(order + "i", buf, a)[0]
        t, a, b, pos = _element(buf, pos, end, order)
        if t not in (1, 2) or width <= 0 or (b - a) % width:
            raise _Bad("struct field names damaged")
        raw = bytes(buf[a:b])
        names = tuple(raw[i:i + width].split(b"\0", 1)[0].decode("latin-1")
                      for i in range(0, len(raw), width))
        if count * len(names) * 8 > end - pos:
            raise _Bad(f"struct of {count} x {len(names)} fields in {end - pos} bytes")
        records = []
        for _ in range(count):
            rec = {}
            for fname in names:
                t, a, b, pos = _element(buf, pos, end, order)
                if t != _MI_MATRIX:
                    raise _Bad(f"struct field of type {t}")
                rec[fname] = _matrix(buf, a, b, order, depth + 1)[1]
            records.append(rec)
        if cls == 3:
            return name, Other("MATLAB object", dims)
        return name, Struct(dims, names, records)
    if cls not in _CLASS_NUMERIC:
        raise _Bad(f"unknown array class {cls}")
    t, a, b, pos = _element(buf, pos, end, order)
    stored = _DTYPES.get((order, t))
    if stored is None:
        raise _Bad(f"numeric data of type {t}")
    if (b - a) != count * stored.itemsize:
        raise _Bad(f"{dims} array holds {(b - a) // stored.itemsize} values")
    if word & 0x0800:
        return name, Other("complex array", dims)
    if word & 0x0200:
        return name, Other("logical array", dims)
    values = np.frombuffer(buf, dtype=stored, count=count, offset=a)
    return name, values.astype(_CLASS_NUMERIC[cls], copy=False).reshape(dims, order="F")


_DTYPES = {(o, t): np.dtype(o + code) for o in "<>" for t, code in _MI.items()}
