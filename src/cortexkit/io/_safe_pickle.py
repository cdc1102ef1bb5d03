"""Read ``.npy`` / ``.npz`` arrays, including object arrays, without executing code.

NumPy stores object arrays (the Neuromatch ``spike_times`` layout) as a pickle.  Loading
a pickle with ``pickle.load`` or ``np.load(allow_pickle=True)`` runs whatever callables
the file names, so a crafted file can run ``os.system``.  Here the pickle stream goes
through :class:`RestrictedUnpickler`, whose ``find_class`` hands out only stand-ins for
the few NumPy functions that rebuild arrays, dtypes and scalars; any other global
(``os.system``, ``builtins.eval``, ...) stops the load with
:class:`~cortexkit.errors.DataFormatError` before anything is called.

The stand-ins never call NumPy's own ``ndarray.__setstate__`` (which trusts its state
and crashes on a short object list) nor ``numpy.ndarray(shape, dtype)`` (which would
allocate uninitialised memory of any size): every array is built from bytes or items
that are in the file, after checking that their count matches the stated shape.

Validate before allocating: the ``.npy`` header is parsed here (all format versions
1.0-3.0) with :func:`ast.literal_eval`, and the stated size is checked against the bytes
the file (or zip member) holds and against :func:`cortexkit.io.read_limits`.  Zip
members must be stored or deflated, unencrypted, within the limit and not inflate more
than ``_MAX_RATIO`` times (zip bombs).
"""

from __future__ import annotations

import ast
import codecs
import math
import pickle
import struct
import zlib
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np

if TYPE_CHECKING:
    import zipfile

from cortexkit.errors import DataFormatError
from cortexkit.io._limits import check_size, open_regular

_HEADER_LIMIT = 100_000  # bytes of the npy header dictionary
_MAGIC = b"\x93NUMPY"
_MAX_RATIO = 200  # largest inflation of a big zip member (deflate of real data: < 20)
_RATIO_FROM = 64 << 20  # members above this many bytes are checked for the ratio
_DTYPE_KINDS = "biufcSUO"


class _Refused(pickle.UnpicklingError):
    pass


def _latin1_encode(obj: str, encoding: str = "utf-8", errors: str = "strict") -> bytes:
    """``_codecs.encode`` as Python-2 era NumPy pickles use it, limited to latin-1."""
    if not isinstance(obj, str) or codecs.lookup(encoding).name != "iso8859-1":
        raise _Refused(f"refused _codecs.encode with encoding {encoding!r}")
    return obj.encode("latin-1", "strict")


def _plain_dtype(code: Any) -> np.dtype:
    if isinstance(code, np.dtype):
        dt = code
    elif isinstance(code, _PendingDtype):
        dt = code.dtype
    else:
        if not isinstance(code, str | bytes) or len(code) > 8:
            raise _Refused(f"refused dtype {code!r}")
        try:
            dt = np.dtype(code.decode("latin-1") if isinstance(code, bytes) else code)
        except (TypeError, ValueError) as exc:
            raise _Refused(f"refused dtype {code!r}") from exc
    if dt.kind not in _DTYPE_KINDS or dt.fields is not None or dt.subdtype is not None:
        raise _Refused(f"refused dtype {dt} (only plain numbers, text and objects)")
    return dt


class _NDArrayClass:
    """Stand-in for ``numpy.ndarray`` in a pickle: usable only as ``_reconstruct``'s tag."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        raise _Refused("refused numpy.ndarray(shape, dtype): it allocates memory that does "
                       "not come from the file")


class _PendingDtype:
    """A dtype being rebuilt: ``np.dtype(code, align, copy)`` then ``__setstate__``."""

    def __init__(self, code: Any, align: Any = False, copy: Any = False) -> None:
        self.dtype = _plain_dtype(code)

    def __setstate__(self, state: Any) -> None:
        if not isinstance(state, tuple) or len(state) < 2 or any(s is not None
                                                                  for s in state[2:4]):
            raise _Refused("refused a dtype with fields or sub-arrays")
        order = state[1]
        if order in ("<", ">") and self.dtype.itemsize > 1:
            self.dtype = self.dtype.newbyteorder(order)
        elif order not in ("<", ">", "|", "="):
            raise _Refused(f"refused dtype byte order {order!r}")


class _PendingArray:
    """An array being rebuilt: ``_reconstruct(ndarray, (0,), b'b')`` then ``__setstate__``."""

    def __init__(self) -> None:
        self.array: np.ndarray | None = None

    def __setstate__(self, state: Any) -> None:
        if not isinstance(state, tuple) or len(state) != 5:
            raise _Refused("refused an array state that is not (version, shape, dtype, "
                           "fortran, data)")
        _, shape, dtype, fortran, data = state
        dtype = _plain_dtype(dtype)
        shape = _shape(shape)
        n = math.prod(shape)
        order: Literal["F", "C"] = "F" if fortran else "C"
        if dtype.hasobject:
            if not isinstance(data, list) or len(data) != n:
                raise _Refused(f"object array of shape {shape} with "
                               f"{len(data) if isinstance(data, list) else 'no'} items")
            arr = np.empty(n, dtype=object)
            for i, item in enumerate(data):
                arr[i] = _resolve(item)
            self.array = arr.reshape(shape, order=order)
            return
        if not isinstance(data, bytes | bytearray) or len(data) != n * dtype.itemsize:
            raise _Refused(f"array of shape {shape} and dtype {dtype} needs "
                           f"{n * dtype.itemsize} bytes of data; the file holds "
                           f"{len(data) if isinstance(data, bytes | bytearray) else 'none'}")
        self.array = np.frombuffer(bytes(data), dtype=dtype).reshape(shape, order=order)


def _shape(shape: Any) -> tuple[int, ...]:
    if not isinstance(shape, tuple) or len(shape) > 32 or not all(
            type(s) is int and s >= 0 for s in shape):
        raise _Refused(f"refused array shape {shape!r}")
    return shape


def _resolve(item: Any) -> Any:
    if isinstance(item, _PendingArray):
        if item.array is None:
            raise _Refused("an array inside the object array was never filled")
        return item.array
    if isinstance(item, _PendingDtype):
        raise _Refused("a dtype is not an item of a spike-time array")
    return item


def _reconstruct(subtype: Any, shape: Any, code: Any) -> _PendingArray:
    if subtype is not _NDArrayClass or shape != (0,):
        raise _Refused("refused _reconstruct of anything but an empty numpy.ndarray")
    return _PendingArray()


def _scalar(dtype: Any, data: Any = None) -> Any:
    dtype = _plain_dtype(dtype)
    if dtype.kind not in "biufc" or not isinstance(data, bytes) or len(data) != dtype.itemsize:
        raise _Refused(f"refused a numpy scalar of dtype {dtype}")
    return np.frombuffer(data, dtype=dtype)[0]


def _frombuffer(buf: Any, dtype: Any, shape: Any, order: Any) -> np.ndarray:
    dtype = _plain_dtype(dtype)
    shape = _shape(shape)
    raw = bytes(buf) if isinstance(buf, bytes | bytearray | pickle.PickleBuffer) else None
    if dtype.hasobject or raw is None or len(raw) != math.prod(shape) * dtype.itemsize:
        raise _Refused(f"refused a buffer that does not hold an array of shape {shape}")
    return np.frombuffer(raw, dtype=dtype).reshape(shape, order="F" if order == "F" else "C")


_ALLOWED: dict[tuple[str, str], Any] = {
    ("numpy", "ndarray"): _NDArrayClass,
    ("numpy", "dtype"): _PendingDtype,
    ("_codecs", "encode"): _latin1_encode,
}
for _core in ("numpy.core", "numpy._core"):
    _ALLOWED[(f"{_core}.multiarray", "_reconstruct")] = _reconstruct
    _ALLOWED[(f"{_core}.multiarray", "scalar")] = _scalar
    _ALLOWED[(f"{_core}.numeric", "_frombuffer")] = _frombuffer


class _Bounded:
    """A read-only view of a stream that never reads (or allocates) past ``limit`` bytes."""

    def __init__(self, fp: IO[bytes], limit: int) -> None:
        self._fp, self._left = fp, max(int(limit), 0)

    def read(self, n: int = -1) -> bytes:
        n = self._left if n is None or n < 0 else min(n, self._left)
        data = self._fp.read(n) if n else b""
        self._left -= len(data)
        return data

    def readline(self, limit: int = -1) -> bytes:
        n = self._left if limit is None or limit < 0 else min(limit, self._left)
        data = self._fp.readline(n) if n else b""
        self._left -= len(data)
        return data

    def readinto(self, buf: Any) -> int:
        data = self.read(len(buf))
        buf[:len(data)] = data
        return len(data)


class RestrictedUnpickler(pickle._Unpickler):
    """An unpickler that can only rebuild NumPy arrays, dtypes and scalars from file data.

    It is the pure-Python unpickler, on purpose: the C one sizes its memo table from the
    index in a ``LONG_BINPUT`` opcode, so a 4-byte change in a file makes it allocate
    and clear gigabytes.  Here the memo is a dict, and reads are bounded by the stream.
    """

    dispatch: ClassVar[dict[int, Any]] = dict(pickle._Unpickler.dispatch)
    stack: list[Any]  # the pure-Python unpickler's value stack

    def _load_build(self) -> None:
        """BUILD only on the stand-ins: never set attributes of other objects."""
        state = self.stack.pop()
        inst = self.stack[-1]
        if not isinstance(inst, _PendingArray | _PendingDtype):
            raise _Refused(f"refused to set the state of a {type(inst).__name__}")
        inst.__setstate__(state)

    dispatch[pickle.BUILD[0]] = _load_build

    def find_class(self, module: str, name: str) -> Any:  # noqa: D102
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise _Refused(
                f"the file's pickle refers to {module}.{name}, which is not a NumPy array "
                "constructor"
            ) from None

    def persistent_load(self, pid: Any) -> Any:  # noqa: D102
        raise _Refused("persistent ids are not allowed")


def _read_header(fp: IO[bytes], source: str) -> tuple[tuple[int, ...], bool, np.dtype, int]:
    """(shape, fortran_order, dtype, header bytes) of an npy stream positioned at 0."""
    head = fp.read(8)
    if len(head) < 8 or head[:6] != _MAGIC:
        raise DataFormatError(f"{source}: not a .npy array (no NumPy magic bytes); the file is "
                              "damaged or of another type")
    major = head[6]
    if major == 1:
        raw = fp.read(2)
        hlen = struct.unpack("<H", raw)[0] if len(raw) == 2 else -1
        start = 10
    elif major in (2, 3):
        raw = fp.read(4)
        hlen = struct.unpack("<I", raw)[0] if len(raw) == 4 else -1
        start = 12
    else:
        raise DataFormatError(f"{source}: .npy format version {major}.{head[7]} is not known "
                              "(1.0-3.0 are); re-save it with numpy.save")
    if not 0 <= hlen <= _HEADER_LIMIT:
        raise DataFormatError(f"{source}: damaged .npy header (length {hlen})")
    text = fp.read(hlen)
    try:
        header = ast.literal_eval(text.decode("utf-8" if major == 3 else "latin-1"))
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError,
            UnicodeDecodeError) as exc:
        raise DataFormatError(f"{source}: damaged .npy header ({type(exc).__name__}); copy or "
                              "download the file again") from exc
    if not isinstance(header, dict) or set(header) != {"descr", "fortran_order", "shape"}:
        raise DataFormatError(f"{source}: damaged .npy header (expected descr, fortran_order "
                              "and shape)")
    try:
        shape = _shape(header["shape"])
        if not isinstance(header["fortran_order"], bool):
            raise _Refused("fortran_order")
        descr = header["descr"]
        if isinstance(descr, str):
            dtype = np.dtype(descr)
        else:  # structured dtypes (list of fields): only numeric fields
            dtype = np.lib.format.descr_to_dtype(descr)
            if dtype.hasobject:
                raise _Refused("object fields")
    except (_Refused, TypeError, ValueError, KeyError, IndexError, RecursionError,
            SyntaxError, MemoryError) as exc:  # np.dtype parses comma strings with ast
        raise DataFormatError(f"{source}: damaged .npy header (bad shape, dtype or order: "
                              f"{exc})") from exc
    return shape, header["fortran_order"], dtype, start + hlen


def read_npy(fp: IO[bytes], source: str, size: int, mmap: bool = False) -> np.ndarray:
    """Read one ``.npy`` stream of ``size`` bytes; object arrays via the restricted unpickler.

    ``mmap=True`` (``fp`` a real file) maps a numeric array read-only once its header has
    been checked against the size, instead of reading it.
    """
    shape, fortran, dtype, offset = _read_header(fp, source)
    if dtype.hasobject:
        check_size(size, source, "the object array")
        return _unpickle(fp, shape, source, size - offset)
    nbytes = math.prod(shape) * dtype.itemsize
    check_size(nbytes, source)
    if offset + nbytes > size:
        raise DataFormatError(
            f"{source}: the header states {shape} {dtype} ({nbytes} bytes of data) but the "
            f"file holds {max(size - offset, 0)}; it is truncated or damaged: copy or download "
            "it again"
        )
    order: Literal["F", "C"] = "F" if fortran else "C"
    if mmap and nbytes:
        return np.memmap(fp, dtype=dtype, mode="r", offset=offset, shape=shape, order=order)
    arr = np.empty(math.prod(shape), dtype=dtype)
    got = _readinto(fp, memoryview(arr.data).cast("B")) if nbytes else 0
    if got != nbytes:
        raise DataFormatError(f"{source}: the array data is incomplete ({got} of {nbytes} "
                              "bytes); the file may be truncated: copy or download it again")
    return arr.reshape(shape, order=order)


def _readinto(fp: Any, view: memoryview) -> int:
    got = 0
    while got < len(view):
        n = fp.readinto(view[got:])
        if not n:
            break
        got += n
    return got


def _unpickle(fp: IO[bytes], shape: tuple[int, ...], source: str, size: int) -> np.ndarray:
    try:
        obj = RestrictedUnpickler(_Bounded(fp, size), encoding="latin1").load()
    except _Refused as exc:
        raise DataFormatError(
            f"{source}: refused to load: {exc}. Only numeric arrays whose data are in the "
            "file are read (no general unpickling); this one was not loaded"
        ) from exc
    except Exception as exc:  # damaged pickle: EOFError, ValueError, TypeError, ...
        raise DataFormatError(
            f"{source}: the object array is damaged or truncated ({type(exc).__name__}: "
            f"{exc}); copy or download the file again"
        ) from exc
    return check_spike_object(_resolve(obj), shape, source)


def check_spike_object(obj: Any, shape: tuple, source: str) -> np.ndarray:
    """Accept an object array whose items are numeric vectors (or numbers); else refuse.

    An item with more than one non-singleton axis (a units x trials grid, a matrix) is
    refused, not flattened into one unit.
    """
    if not isinstance(obj, np.ndarray) or obj.dtype != object or obj.shape != tuple(shape):
        raise DataFormatError(
            f"{source}: expected an object array of per-unit spike-time arrays; got "
            f"{type(obj).__name__}"
        )
    for i, item in enumerate(obj.ravel(order="K")):
        ok = (isinstance(item, np.ndarray) and item.dtype.kind in "iuf"
              ) or (isinstance(item, int | float | np.integer | np.floating)
                    and not isinstance(item, bool | np.bool_))
        if not ok:
            what = (f"an array of dtype {item.dtype}" if isinstance(item, np.ndarray)
                    else type(item).__name__)
            raise DataFormatError(
                f"{source}: item {i} of the object array is {what}, not an array of spike "
                "times (numbers)"
            )
        if isinstance(item, np.ndarray) and sum(d > 1 for d in item.shape) > 1:
            raise DataFormatError(
                f"{source}: item {i} of the object array has shape {item.shape}; each unit "
                "needs a vector of spike times (select one trial/column first)"
            )
    return obj


def read_npz(path: Path) -> dict[str, np.ndarray]:
    """All arrays of an ``.npz`` archive, read safely (see :func:`read_npy`)."""
    import zipfile  # with threading, shutil, bz2, lzma ~2 ms (-X importtime): not for .npy

    fh, size = open_regular(path)
    with fh:
        try:
            zf = zipfile.ZipFile(fh)
            infos = zf.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError,
                struct.error, NotImplementedError) as exc:
            raise DataFormatError(
                f"{path}: not a readable .npz archive ({exc}); the file may be truncated or "
                "not an npz: copy it again or check the file type"
            ) from exc
        out: dict[str, np.ndarray] = {}
        with zf:
            for info in infos:
                if not info.filename.endswith(".npy"):
                    continue
                key = info.filename[:-4]
                _check_member(info, path, key, size)
                try:
                    with zf.open(info) as member:
                        out[key] = read_npy(member, f"{path}[{key}]", info.file_size)
                except (zipfile.BadZipFile, OSError, EOFError, zlib.error, ValueError,
                        NotImplementedError, struct.error) as exc:
                    if isinstance(exc, DataFormatError):
                        raise
                    raise DataFormatError(
                        f"{path}: member {key!r} is damaged ({exc}); the file may be truncated"
                    ) from exc
    return out


def _check_member(info: zipfile.ZipInfo, path: Path, key: str, size: int) -> None:
    import zipfile

    if info.flag_bits & 0x1:
        raise DataFormatError(f"{path}: member {key!r} is encrypted; cortexkit reads only "
                              "unencrypted npz archives (save it again with numpy.savez)")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise DataFormatError(f"{path}: member {key!r} uses zip compression method "
                              f"{info.compress_type}; only stored or deflated members (as "
                              "numpy.savez / savez_compressed write) are read")
    check_size(info.file_size, f"{path}[{key}]", "the unpacked member")
    if info.compress_type == zipfile.ZIP_STORED and info.file_size > size:
        raise DataFormatError(f"{path}: member {key!r} claims {info.file_size} bytes but the "
                              f"archive has {size}; it is damaged")
    if info.file_size > _RATIO_FROM and info.file_size > _MAX_RATIO * max(info.compress_size, 1):
        raise DataFormatError(
            f"{path}: member {key!r} would inflate {info.compress_size} bytes to "
            f"{info.file_size} (over {_MAX_RATIO}x): a zip bomb or a damaged archive; it was "
            "not unpacked"
        )


def read_npy_file(path: Path, mmap: bool = False) -> np.ndarray:
    """One ``.npy`` file, read safely (regular files only).

    ``mmap=True`` maps a numeric array read-only instead of reading it, once its header
    has been checked against the file's size (object arrays are always read): no copy,
    and the pages stay the kernel's.  The file must not shrink while the array is in use
    (the process would get SIGBUS), so only callers that own their process use it.
    """
    fh, size = open_regular(path)
    with fh:
        return read_npy(fh, str(path), size, mmap)
