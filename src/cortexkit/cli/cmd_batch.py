"""``cortexkit batch INPUTS... --out DIR``: many recordings on Dask into a Parquet dataset."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from cortexkit.cli._common import JsonOpt, check_writable, print_json
from cortexkit.errors import ValidationError


@contextlib.contextmanager
def _bar(enabled: bool) -> Iterator[Any]:
    """A rich progress bar with ETA on stderr (only on a terminal), or None."""
    if not (enabled and sys.stderr.isatty()):
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                  console=Console(stderr=True), transient=True) as p:
        yield _Bar(p)


class _Bar:
    """The ``_lib.progress`` protocol on a rich Progress."""

    def __init__(self, p: Any) -> None:
        self._p = p

    def step(self, description: str, total: float | None = None) -> int:
        return self._p.add_task(description, total=total)

    def advance(self, task: int, n: float = 1) -> None:
        self._p.advance(task, n)


def _analyses(value: str | None) -> list[str] | None:
    if value is None:
        return None
    from cortexkit.batch import ANALYSES

    names = [v.strip() for v in value.split(",") if v.strip()]
    unknown = [n for n in names if n not in ANALYSES]
    if unknown or not names:
        raise ValidationError(f"--analyses takes names from {', '.join(sorted(ANALYSES))} "
                              f"separated by commas; got {value!r}")
    return names


def register(app: typer.Typer) -> None:
    """Add the ``batch`` command to ``app``."""

    @app.command("batch")
    def batch(
        inputs: Annotated[
            list[str] | None,
            typer.Argument(help="Recordings: spike files, ALF or Kilosort/phy folders, or "
                           "folders of sessions (searched for them).", metavar="INPUTS",
                           show_default=False),
        ] = None,
        out: Annotated[
            Path | None,
            typer.Option("--out", "-o", help="Output directory: a Parquet dataset, one part "
                         "per recording (a rerun computes only what is missing, failed or "
                         "changed).", show_default=False, callback=check_writable),
        ] = None,
        analyses: Annotated[
            str | None,
            typer.Option("--analyses", help="Comma-separated per-recording analyses: "
                         "isi_stats, isi_fits, entropy, quality (default: "
                         "isi_stats,isi_fits,entropy).", show_default=False),
        ] = None,
        scheduler: Annotated[
            str | None,
            typer.Option("--scheduler", help="Address of a running `dask scheduler`, "
                         "e.g. tcp://127.0.0.1:8786 (default: a local cluster).",
                         show_default=False),
        ] = None,
        workers: Annotated[
            int | None,
            typer.Option("--workers", help="Worker processes of the local cluster "
                         "(default: one per CPU).", show_default=False),
        ] = None,
        timeout: Annotated[
            float | None,
            typer.Option("--timeout", help="Seconds a recording may take; past it the "
                         "recording becomes an error row.", show_default=False),
        ] = None,
        memory_limit: Annotated[
            str | None,
            typer.Option("--memory-limit", help="Memory per local worker, e.g. '4GiB' "
                         "(default: the machine's memory shared by the workers).",
                         show_default=False),
        ] = None,
        dashboard: Annotated[
            bool,
            typer.Option("--dashboard", help="Serve the Dask dashboard on 127.0.0.1 "
                         "(needs bokeh) and print its address."),
        ] = False,
        json_out: JsonOpt = False,
    ) -> None:
        """Per-unit tables of many recordings, run as Dask tasks (one part file per recording).

        A recording that fails, runs past --timeout or exceeds its worker's memory becomes
        one row with its error message and the others complete. Ctrl-C stops the run and
        keeps every finished recording. A user-started cluster should keep its HTTP
        endpoints local: `dask scheduler --dashboard-address 127.0.0.1:0`.

        Example: cortexkit batch corpus/ --out results --workers 2 --timeout 600
        """
        from cortexkit import batch as ck_batch

        if not inputs:
            raise ValidationError("no INPUTS given; pass recording files or folders, "
                                  "e.g. `cortexkit batch corpus/ --out results`")
        if out is None:
            raise ValidationError("--out is required: the directory of the Parquet "
                                  "dataset to write, e.g. --out results")
        if out.exists() and not out.is_dir():
            raise ValidationError(f"--out {str(out)!r} is a file; give a directory (the "
                                  "dataset holds one Parquet part per recording)")
        if workers is not None and workers < 1:
            raise ValidationError(f"--workers must be at least 1, got {workers}")
        if workers is not None and scheduler is not None:
            raise ValidationError("--workers applies to the local cluster only; start "
                                  "workers for --scheduler with `dask worker ADDRESS`")
        if timeout is not None and not timeout > 0:
            raise ValidationError(f"--timeout must be a positive number of seconds, got "
                                  f"{timeout}")
        chosen = _analyses(analyses)
        try:
            with _bar(not json_out) as update:
                summary = ck_batch.run(
                    list(inputs), out, analyses=chosen, scheduler=scheduler,
                    workers=workers, timeout=timeout, memory_limit=memory_limit,
                    dashboard=dashboard, progress=update,
                    on_dashboard=lambda link: print(f"dashboard: {link}", file=sys.stderr))
        except KeyboardInterrupt:
            print(f"interrupted: the finished recordings are kept in {str(out)!r}; run the "
                  "same command again to do the rest", file=sys.stderr)
            raise typer.Exit(130) from None
        if json_out:
            print_json(summary.to_dict())
            return
        for recording, message in summary.errors.items():
            print(f"failed: {recording}: {message}", file=sys.stderr)
        print(f"batch: {summary.done} done, {summary.failed} failed, {summary.skipped} "
              f"skipped in {summary.seconds:.1f} s; {summary.n_rows} rows -> {summary.out}")
