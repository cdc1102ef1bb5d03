"""What the batch's INPUTS mean: files, recording folders and folders of sessions."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cortexkit.errors import ValidationError

__all__ = ["find_recordings", "fingerprint"]

#: Spike files picked up inside a folder of sessions.
SPIKE_SUFFIXES = (".npz", ".npy", ".nwb", ".mat", ".csv", ".tsv", ".parquet", ".pq")
_ALF_DATASET = re.compile(r"^[^.]+\.[^.]+(\.[^.]+)*\.npy$")  # object.attribute[.x].npy
_MAX_DEPTH = 8


def is_recording_folder(folder: Path) -> bool:
    """ALF (``spikes.times*.npy``), Kilosort/phy or epoch-indexed folder (``spike_times.npy``
    with ``spike_clusters.npy``, ``spike_templates.npy`` or ``ii_spike_times.npy``)."""
    try:
        names = {p.name for p in folder.iterdir()}
    except OSError:
        return False
    if any(n.startswith("spikes.times") and n.endswith(".npy") for n in names):
        return True
    return "spike_times.npy" in names and bool(
        names & {"spike_clusters.npy", "spike_templates.npy", "ii_spike_times.npy"})


def _is_dataset(folder: Path) -> bool:
    return (folder / "_manifest.json").exists() and any(folder.glob("part-*.parquet"))


def _scan(folder: Path, shown: str, depth: int, skip: set[Path]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    try:
        entries = sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError:
        return found
    for p in entries:
        if p.name.startswith((".", "_")) or p.resolve() in skip:
            continue
        name = os.path.join(shown, p.name)
        if p.is_dir():
            if is_recording_folder(p):
                found.append((name, str(p.resolve())))
            elif depth < _MAX_DEPTH and not _is_dataset(p):
                found.extend(_scan(p, name, depth + 1, skip))
        elif p.is_file() and p.suffix.lower() in SPIKE_SUFFIXES:
            if p.suffix.lower() == ".npy" and _ALF_DATASET.match(p.name):
                continue  # an ALF dataset such as trials.intervals.npy, not a recording
            found.append((name, str(p.resolve())))
    return found


def find_recordings(inputs: Any, exclude: Path | None = None) -> list[tuple[str, str]]:
    """The recordings that ``inputs`` stand for, as ``(recording, absolute path)`` pairs.

    A file is one recording, named as given.  A folder that is itself a recording (ALF,
    Kilosort/phy, epoch-indexed) is one recording.  Any other folder is a folder of
    sessions: it is searched (sorted, up to 8 levels deep) for recording folders, which
    are not searched further, and for spike files (``.npz .npy .nwb .mat .csv .tsv
    .parquet .pq``; ALF datasets like ``trials.intervals.npy`` are not spike files);
    names starting with ``.`` or ``_``, batch output folders and ``exclude`` are skipped.
    Each recording found is named by the given folder joined with its relative path.
    A path that does not exist is kept: it becomes an error row.  Repeats are dropped.

    Parameters
    ----------
    inputs : path or list of paths
        Files, recording folders or folders of sessions.
    exclude : Path, optional
        A folder never taken as input (the batch output itself).

    Returns
    -------
    list of (str, str)
        ``(recording name, absolute path)`` of every recording, in order.

    Examples
    --------
    >>> from cortexkit.batch import find_recordings
    >>> find_recordings(["no/such/file.npz"])[0][0]
    'no/such/file.npz'

    Raises
    ------
    ValidationError
        For no inputs, a non-path, or a folder holding no recordings.
    """
    if isinstance(inputs, str | os.PathLike):
        inputs = [inputs]
    if not isinstance(inputs, Iterable):
        raise ValidationError(f"inputs must be a path or a list of paths, got "
                              f"{type(inputs).__name__}")
    skip = {exclude.resolve()} if exclude is not None else set()
    found: list[tuple[str, str]] = []
    for item in inputs:
        if not isinstance(item, str | os.PathLike) or not os.fspath(item):
            raise ValidationError(f"inputs must hold file or folder paths, got {item!r}")
        given = os.fspath(item)
        path = Path(given)
        if path.is_dir() and not is_recording_folder(path):
            if path.resolve() in skip or _is_dataset(path):
                raise ValidationError(f"input {given!r} is a batch output directory, not "
                                      "recordings")
            inner = _scan(path, given, 1, skip)
            if not inner:
                raise ValidationError(
                    f"input folder {given!r} holds no recordings (no ALF or Kilosort/phy "
                    f"folders, no {' '.join(SPIKE_SUFFIXES)} files); check the path")
            found.extend(inner)
        else:
            found.append((given, os.path.abspath(given)))
    if not found:
        raise ValidationError("inputs is empty; give at least one recording file or folder")
    unique: dict[str, str] = {}
    for recording, where in found:
        unique.setdefault(recording, where)
    return list(unique.items())


def fingerprint(path: str) -> dict[str, int] | None:
    """Size and modification time of a recording (a folder: of the files directly in it).

    ``{"size": bytes, "mtime_ns": latest, "files": count}``, or None when it is missing.
    """
    try:
        st = os.stat(path)
    except OSError:
        return None
    if not os.path.isdir(path):
        return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "files": 1}
    size, mtime, files = 0, st.st_mtime_ns, 0
    try:
        with os.scandir(path) as it:
            for entry in it:
                if entry.is_file():
                    s = entry.stat()
                    size += s.st_size
                    mtime = max(mtime, s.st_mtime_ns)
                    files += 1
    except OSError:
        return None
    return {"size": size, "mtime_ns": mtime, "files": files}
