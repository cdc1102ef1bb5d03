"""Options and helpers shared by the CLI commands."""

from __future__ import annotations

import contextlib
import json
import math
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

from cortexkit.errors import ValidationError

DataArg = Annotated[
    Path | None,
    typer.Argument(help="Data file or folder (default: the bundled synthetic session).",
                   show_default=False),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON on stdout.")]
def check_writable(path: Path | None) -> Path | None:
    """Typer callback: refuse an ``--out`` that cannot be written, before any work is done.

    The nearest existing part of the path must be a folder in which a file can be
    created (probed with a temporary file that is removed at once), or an existing
    writable file (commands that write one file, e.g. ``batch``).
    """
    if path is None:
        return None
    target = Path(path)
    probe = target
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if probe != target and not probe.is_dir():
        raise typer.BadParameter(f"cannot create {path}: {probe} is a file, not a folder")
    folder = probe if probe.is_dir() else probe.parent
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise typer.BadParameter(f"cannot write to {path}: the folder {folder} is not "
                                 f"writable ({exc.strerror or exc}); choose another path"
                                 ) from None
    return path


def check_seed(seed: int) -> int:
    """Typer callback: a seed must be a non-negative integer (numpy.random.default_rng)."""
    if seed < 0:
        raise typer.BadParameter(f"must be a non-negative integer; got {seed}")
    return seed


OutOpt = Annotated[
    Path | None,
    typer.Option("--out", "-o", help="Directory for tables (CSV/Parquet) and figures (PNG/SVG).",
                 callback=check_writable),
]
SeedOpt = Annotated[int, typer.Option("--seed", help="Random seed (bundled data, simulations).",
                                      callback=check_seed)]
TableFmtOpt = Annotated[str, typer.Option("--table-format", help="csv or parquet.")]
FigFmtOpt = Annotated[str, typer.Option("--figure-format", help="png or svg.")]
SampleRateOpt = Annotated[
    float | None,
    typer.Option("--sample-rate", help="Sampling rate (Hz) for data whose times are in samples."),
]
SortOpt = Annotated[
    bool,
    typer.Option("--sort", help="Sort spike times that are out of order (with a note) instead "
                 "of refusing the file."),
]


def load_spike_data(path: Path | None, seed: int = 0, **options: Any):
    """The recording at ``path``, or the bundled synthetic session when ``path`` is None.

    Data warnings (sorted input, duplicates ...) are shown on stderr as ``note:`` lines.
    """
    from cortexkit.io import load_recording

    return load_recording(path, seed=seed, on_warning=note, **options)


def note(message: str) -> None:
    """Print ``note: message`` on stderr."""
    print(f"note: {message}", file=sys.stderr)


def check_choice(option: str, value: str, choices: Any) -> None:
    """Raise a one-line ValidationError unless ``value`` is one of ``choices``."""
    if value not in choices:
        raise ValidationError(f"{option} must be one of {', '.join(choices)}; got {value!r}")


def to_jsonable(obj: Any) -> Any:
    """Convert numpy / pandas values to JSON types (NaN and inf become null)."""
    import pandas as pd

    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, pd.DataFrame):
        return [to_jsonable(r) for r in obj.to_dict(orient="records")]
    if isinstance(obj, pd.Series):
        return to_jsonable(obj.to_dict())
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, Path):
        return str(obj)
    if obj is pd.NA or obj is pd.NaT:
        return None
    return obj


def print_json(obj: Any) -> None:
    """Write ``obj`` as JSON to stdout (the only thing a --json run prints there)."""
    sys.stdout.write(json.dumps(to_jsonable(obj), indent=2, allow_nan=False) + "\n")


def out_dir(path: Path) -> Path:
    """Create the --out directory (refusing a path that is an existing file)."""
    if path.exists() and not path.is_dir():
        raise ValidationError(f"--out {path} is an existing file; give a directory")
    path.mkdir(parents=True, exist_ok=True)
    return path


def save_table(df: Any, out: Path, name: str, fmt: str = "csv") -> Path:
    """Write a DataFrame into ``out`` as CSV or Parquet, atomically."""
    from cortexkit._lib.atomic import atomic_path

    if fmt not in ("csv", "parquet"):
        raise ValidationError(f"--table-format must be csv or parquet, got {fmt!r}")
    target = out_dir(out) / f"{name}.{fmt}"
    with atomic_path(target) as tmp:
        if fmt == "csv":
            df.to_csv(tmp, index=False)
        else:
            df.to_parquet(tmp, index=False)
    return target


def save_figure(fig: Any, out: Path, name: str, fmt: str = "png") -> Path:
    """Write a matplotlib figure into ``out`` as PNG or SVG, atomically, and close it."""
    import matplotlib.pyplot as plt

    from cortexkit._lib.atomic import atomic_path

    if fmt not in ("png", "svg"):
        raise ValidationError(f"--figure-format must be png or svg, got {fmt!r}")
    target = out_dir(out) / f"{name}.{fmt}"
    with atomic_path(target) as tmp:
        fig.savefig(tmp, format=fmt, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return target


@contextlib.contextmanager
def progress(enabled: bool = True) -> Iterator[Any]:
    """A rich progress bar on stderr, shown only on a terminal and never with --json.

    Yields an object with ``step(description, total=None)`` returning a task id and
    ``advance(task, n=1)``; when disabled both do nothing.
    """
    show = enabled and sys.stderr.isatty()
    if not show:
        yield _NoProgress()
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                  TimeElapsedColumn(), console=Console(stderr=True), transient=True) as p:
        yield _RichProgress(p)


class _NoProgress:
    def step(self, description: str, total: float | None = None) -> int:
        return 0

    def advance(self, task: int, n: float = 1) -> None:
        pass


class _RichProgress:
    def __init__(self, p: Any) -> None:
        self._p = p

    def step(self, description: str, total: float | None = None) -> int:
        return self._p.add_task(description, total=total)

    def advance(self, task: int, n: float = 1) -> None:
        self._p.advance(task, n)
