"""Read ``.npy`` / ``.npz`` arrays, including object arrays, without executing code.

NumPy stores object arrays (the Neuromatch ``spike_times`` layout) as a pickle.  Loading
a pickle with ``pickle.load`` or ``np.load(allow_pickle=True)`` runs whatever callables
the file names, so a crafted file can run ``os.system``.  Here the pickle stream goes
through :class:`RestrictedUnpickler`, whose ``find_class`` hands out only the few NumPy
functions that rebuild arrays, dtypes and scalars; any other global (``os.system``,
``builtins.eval``, ...) stops the load with :class:`~cortexkit.errors.DataFormatError`
before anything is called.  The loaded object is then checked to be what spike files
contain: an object array of numeric arrays, or a numeric array.
"""

from __future__ import annotations

import codecs
import io
import pickle
import zipfile
import zlib
from pathlib import Path
from typing import IO, Any

import numpy as np

from cortexkit.errors import DataFormatError

# Any: numpy's stubs lack the max_header_size argument and the private _read_array_header
_fmt: Any = np.lib.format
_HEADER_LIMIT = 100_000  # bytes of the npy header dictionary


def _latin1_encode(obj: str, encoding: str = "utf-8", errors: str = "strict") -> bytes:
    """``_codecs.encode`` as Python-2 era NumPy pickles use it, limited to latin-1."""
    if not isinstance(obj, str) or codecs.lookup(encoding).name != "iso8859-1":
        raise pickle.UnpicklingError(f"refused _codecs.encode with encoding {encoding!r}")
    return obj.encode("latin-1", errors)


def _allowed_globals() -> dict[tuple[str, str], Any]:
    """The only callables a spike-time pickle may name (NumPy's own reconstructors)."""
    reconstruct = np.ndarray((0,)).__reduce__()[0]  # numpy.(_)core.multiarray._reconstruct
    scalar = np.float64(0).__reduce__()[0]  # numpy.(_)core.multiarray.scalar
    frombuffer = np.ndarray((1,)).__reduce_ex__(5)[0]  # numpy.(_)core.numeric._frombuffer
    allowed: dict[tuple[str, str], Any] = {
        ("numpy", "ndarray"): np.ndarray,
        ("numpy", "dtype"): np.dtype,
        ("_codecs", "encode"): _latin1_encode,
    }
    for core in ("numpy.core", "numpy._core"):
        allowed[(f"{core}.multiarray", "_reconstruct")] = reconstruct
        allowed[(f"{core}.multiarray", "scalar")] = scalar
        allowed[(f"{core}.numeric", "_frombuffer")] = frombuffer
    return allowed


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that can only rebuild NumPy arrays, dtypes and scalars."""

    def __init__(self, file: IO[bytes], **kwargs: Any) -> None:
        super().__init__(file, **kwargs)
        self._allowed = _allowed_globals()

    def find_class(self, module: str, name: str) -> Any:  # noqa: D102
        try:
            return self._allowed[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"the file's pickle refers to {module}.{name}, which is not a NumPy array "
                "constructor"
            ) from None

    def persistent_load(self, pid: Any) -> Any:  # noqa: D102
        raise pickle.UnpicklingError("persistent ids are not allowed")


def read_npy(fp: IO[bytes], source: str) -> np.ndarray:
    """Read one ``.npy`` stream; object arrays go through :class:`RestrictedUnpickler`."""
    try:
        version = _fmt.read_magic(fp)
        if version == (1, 0):
            shape, fortran, dtype = _fmt.read_array_header_1_0(fp, _HEADER_LIMIT)
        elif version == (2, 0):
            shape, fortran, dtype = _fmt.read_array_header_2_0(fp, _HEADER_LIMIT)
        else:
            shape, fortran, dtype = _fmt._read_array_header(fp, version, _HEADER_LIMIT)
    except (ValueError, EOFError, OSError) as exc:
        raise DataFormatError(f"{source}: not a valid .npy array ({exc})") from exc
    if not dtype.hasobject:
        fp.seek(0)
        try:
            return _fmt.read_array(fp, allow_pickle=False)
        except (ValueError, EOFError, OSError) as exc:
            raise DataFormatError(
                f"{source}: the array data is incomplete or damaged ({exc}); the file may be "
                "truncated: copy or download it again"
            ) from exc
    try:
        obj = RestrictedUnpickler(fp, encoding="latin1").load()
    except pickle.UnpicklingError as exc:
        raise DataFormatError(
            f"{source}: refused to load: {exc}. Spike-time files may only contain numeric "
            "arrays; this one could run code when unpickled, so it was not loaded"
        ) from exc
    except Exception as exc:  # damaged pickle: EOFError, ValueError, TypeError, ...
        raise DataFormatError(
            f"{source}: the object array is damaged or truncated ({type(exc).__name__}: "
            f"{exc}); copy or download the file again"
        ) from exc
    return check_spike_object(obj, shape, source)


def check_spike_object(obj: Any, shape: tuple, source: str) -> np.ndarray:
    """Accept an object array whose items are numeric arrays (or numbers); else refuse."""
    if not isinstance(obj, np.ndarray) or obj.dtype != object or obj.shape != tuple(shape):
        raise DataFormatError(
            f"{source}: expected an object array of per-unit spike-time arrays; got "
            f"{type(obj).__name__}"
        )
    for i, item in enumerate(obj.ravel(order="K")):
        ok = (isinstance(item, np.ndarray) and item.dtype.kind in "iuf"
              ) or (isinstance(item, int | float | np.integer | np.floating)
                    and not isinstance(item, bool))
        if not ok:
            what = (f"an array of dtype {item.dtype}" if isinstance(item, np.ndarray)
                    else type(item).__name__)
            raise DataFormatError(
                f"{source}: item {i} of the object array is {what}, not an array of spike "
                "times (numbers)"
            )
    return obj


def read_npz(path: Path) -> dict[str, np.ndarray]:
    """All arrays of an ``.npz`` archive, read safely (see :func:`read_npy`)."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise DataFormatError(
            f"{path}: not a readable .npz archive ({exc}); the file may be truncated or not "
            "an npz: copy it again or check the file type"
        ) from exc
    out: dict[str, np.ndarray] = {}
    with zf:
        for info in zf.infolist():
            if not info.filename.endswith(".npy"):
                continue
            key = info.filename[:-4]
            try:
                data = zf.read(info)
            except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
                raise DataFormatError(
                    f"{path}: member {key!r} is damaged ({exc}); the file may be truncated"
                ) from exc
            out[key] = read_npy(io.BytesIO(data), f"{path}[{key}]")
    return out


def read_npy_file(path: Path) -> np.ndarray:
    """One ``.npy`` file, read safely."""
    with open(path, "rb") as fp:
        return read_npy(fp, str(path))
