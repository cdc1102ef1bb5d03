"""The batch's output: a directory holding a Parquet dataset, one part per recording.

Layout of ``out``::

    part-<digest of the recording>.parquet   one per recording (its rows, or one error row)
    _manifest.json                           version, analyses, parameters, inputs
    _batch.lock                              held while a run writes here

Readers of Parquet datasets skip names starting with ``_`` or ``.`` (pyarrow, pandas,
dask.dataframe) and ``out/*.parquet`` matches the parts only (DuckDB), so the directory
reads as one table.  Every file is written to a hidden temporary name in ``out`` and
renamed over its target (atomic on POSIX): a part is whole or absent.  Temporary files
left by a killed writer are removed when a run starts and when it ends.

Each part carries its own provenance in the Parquet key-value metadata (key
``cortexkit``): recording, path, input size and mtime, analyses key, error.  A rerun
reads those footers to decide what is up to date, so a part and the record of what it
was computed from can never disagree.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cortexkit.errors import ValidationError

MANIFEST = "_manifest.json"
LOCK = "_batch.lock"
META_KEY = b"cortexkit"
FORMAT = 1
_TMP_SUFFIX = ".tmp"


def part_name(recording: str) -> str:
    """File name of a recording's part (stable: a digest of the recording as given)."""
    return f"part-{hashlib.sha1(recording.encode('utf-8')).hexdigest()[:20]}.parquet"


def schema(columns: dict[str, str]):
    """Arrow schema of the table: recording, unit, the analyses' columns, error."""
    import pyarrow as pa

    types = {"float64": pa.float64(), "int64": pa.int64(), "string": pa.string(),
             "bool": pa.bool_()}
    fields = [pa.field("recording", pa.string()), pa.field("unit", pa.string())]
    fields += [pa.field(c, types[t]) for c, t in columns.items()]
    fields.append(pa.field("error", pa.string()))
    return pa.schema(fields)


def _unit_strings(units: Any) -> list[str]:
    out = []
    for u in units:
        if isinstance(u, float) and u.is_integer():
            u = int(u)
        out.append(str(u.item() if hasattr(u, "item") else u))
    return out


def table_of(recording: str, rows: Any, error: str | None, columns: dict[str, str],
             meta: dict[str, Any]):
    """The part's Arrow table: the analyses' rows, or one error row when ``error``."""
    import numpy as np
    import pyarrow as pa

    sch = schema(columns)
    if error is not None:
        data = {f.name: pa.nulls(1, f.type) for f in sch}
        data["recording"] = pa.array([recording], pa.string())
        data["error"] = pa.array([error], pa.string())
    else:
        n = len(rows)
        data = {"recording": pa.array([recording] * n, pa.string()),
                "unit": pa.array(_unit_strings(rows["unit"]), pa.string())}
        for f in sch:
            if f.name in ("recording", "unit", "error"):
                continue
            col = rows[f.name]
            if pa.types.is_floating(f.type):
                data[f.name] = pa.array(np.asarray(col, dtype=np.float64), f.type,
                                        from_pandas=True)  # NaN -> null
            elif pa.types.is_string(f.type):
                data[f.name] = pa.array([None if _missing(v) else str(v) for v in col],
                                        f.type)
            elif (arr := np.asarray(col)).dtype.kind in ("b" if pa.types.is_boolean(f.type)
                                                          else "iu"):
                data[f.name] = pa.array(arr, f.type)  # no missing values possible
            else:
                data[f.name] = pa.array([None if _missing(v) else v for v in col], f.type)
        data["error"] = pa.nulls(n, pa.string())
    table = pa.table(data, schema=sch)
    return table.replace_schema_metadata({META_KEY: json.dumps(meta).encode()})


def _missing(value: Any) -> bool:
    try:
        import pandas as pd

        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def write_part(path: Path, table) -> None:
    """Write ``table`` to ``path`` atomically: a temporary file in the same folder, renamed
    over ``path`` once complete.  On any failure the temporary file is removed.

    A killed process leaves the old part or the new one, never a mix.  There is no fsync
    (it cost ~20 ms per part here, a tenth of a session's analysis): after a power failure
    a part may be unreadable, and the next run then recomputes it, since a part whose
    footer cannot be read counts as missing.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}{_TMP_SUFFIX}")
    # dictionary encoding for the text columns only: on the numbers it cost ~0.7 ms of a
    # part's ~2 ms and saved nothing
    text = [f.name for f in table.schema if pa.types.is_string(f.type)]
    try:
        pq.write_table(table, tmp, compression="zstd", use_dictionary=text)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def read_part_meta(path: Path) -> dict[str, Any] | None:
    """The provenance of a part (None when the file is missing or not a readable part)."""
    info = read_part_info(path)
    return None if info is None else info[0]


def read_part_info(path: Path) -> tuple[dict[str, Any], int] | None:
    """The provenance and the number of rows of a part (None when it is not readable)."""
    import pyarrow.parquet as pq

    try:
        md = pq.read_metadata(path)
        return json.loads((md.metadata or {})[META_KEY]), md.num_rows
    except (OSError, KeyError, ValueError, TypeError):
        return None


def clean_temporaries(out: Path) -> int:
    """Remove temporary files of killed writers; the number removed."""
    n = 0
    for p in out.glob(f".*{_TMP_SUFFIX}"):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()
            n += 1
    return n


def check_out(out: Any) -> Path:
    """``out`` as a Path: a new directory, or one holding a batch dataset."""
    if not isinstance(out, str | os.PathLike) or not os.fspath(out):
        raise ValidationError(f"out must be a directory path, got {out!r}")
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise ValidationError(
            f"out {str(path)!r} is a file; out is the directory of a Parquet dataset "
            f"(one part per recording), e.g. {str(path.with_suffix(''))!r}")
    if path.is_dir() and not (path / MANIFEST).exists():
        strangers = [p.name for p in path.iterdir() if p.name != LOCK][:5]
        if strangers:
            raise ValidationError(
                f"out {str(path)!r} is a directory that is not a cortexkit batch dataset "
                f"(it holds {strangers}); give a new or empty directory")
    return path


def read_manifest(out: Path) -> dict[str, Any] | None:
    """The dataset's manifest (None when there is none yet)."""
    path = out / MANIFEST
    if not path.exists():
        return None
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ValidationError(f"out {str(out)!r}: {MANIFEST} is unreadable ({exc}); give a "
                              "new directory") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ValidationError(f"out {str(out)!r}: {MANIFEST} is not a cortexkit batch "
                              f"manifest of format {FORMAT}; give a new directory")
    return manifest


def write_manifest(out: Path, manifest: dict[str, Any]) -> None:
    """Write the manifest atomically."""
    tmp = out / f".{MANIFEST}.{uuid.uuid4().hex[:12]}{_TMP_SUFFIX}"
    try:
        with open(tmp, "w") as fp:
            json.dump(manifest, fp, indent=1)
            fp.flush()
            os.fsync(fp.fileno())
        os.replace(tmp, out / MANIFEST)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


@contextlib.contextmanager
def locked(out: Path) -> Iterator[None]:
    """Hold ``out/_batch.lock`` (an exclusive flock) so that two runs never share ``out``.

    The kernel drops the lock when the holder dies, so a killed run never blocks the next.
    """
    import fcntl

    out.mkdir(parents=True, exist_ok=True)
    fd = os.open(out / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                raise ValidationError(f"out {str(out)!r} is in use by another batch run; "
                                      "wait for it or give another directory") from exc
            raise
        yield
    finally:
        os.close(fd)
