"""``cortexkit batch INPUTS... --out results.parquet``: many recordings on Dask."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from cortexkit.cli._common import JsonOpt, check_writable, print_json
from cortexkit.errors import ValidationError


def register(app: typer.Typer) -> None:
    """Add the ``batch`` command to ``app``."""

    @app.command("batch")
    def batch(
        inputs: Annotated[
            list[str] | None,
            typer.Argument(help="Recordings (any format load_spikes reads), kept as given "
                           "in the `recording` column.", metavar="INPUTS",
                           show_default=False),
        ] = None,
        out: Annotated[
            Path | None,
            typer.Option("--out", "-o", help="Output .parquet table (merged into if it "
                         "exists: finished recordings are skipped, failed ones retried).",
                         show_default=False, callback=check_writable),
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
        json_out: JsonOpt = False,
    ) -> None:
        """Per-unit ISI statistics, best ISI model and ISI entropy of many recordings.

        One Dask task per recording; a recording that fails becomes one row with its
        error message and the others complete. A rerun skips finished recordings.
        A user-started cluster should keep its HTTP endpoints local:
        `dask scheduler --dashboard-address 127.0.0.1:0`.

        Example: cortexkit batch rec1.npz rec2.npz phy_folder/ --out results.parquet --workers 2
        """
        from cortexkit import batch as ck_batch

        if not inputs:
            raise ValidationError("no INPUTS given; pass one or more recording paths, "
                                  "e.g. `cortexkit batch a.npz b.npz --out results.parquet`")
        if out is None:
            raise ValidationError("--out is required: the .parquet file to write, "
                                  "e.g. --out results.parquet")
        if out.is_dir():
            raise ValidationError(f"--out {str(out)!r} is a directory; give a file name such "
                                  f"as {str(out / 'results.parquet')!r}")
        if workers is not None and workers < 1:
            raise ValidationError(f"--workers must be at least 1, got {workers}")
        if workers is not None and scheduler is not None:
            raise ValidationError("--workers applies to the local cluster only; start "
                                  "workers for --scheduler with `dask worker ADDRESS`")
        summary = ck_batch.run(list(inputs), out, scheduler=scheduler,
                               workers=workers, progress=not json_out)
        if json_out:
            print_json(summary.to_dict())
            return
        for recording, message in summary.errors.items():
            print(f"failed: {recording}: {message}", file=sys.stderr)
        print(f"batch: {summary.done} done, {summary.failed} failed, {summary.skipped} "
              f"skipped in {summary.seconds:.1f} s; {summary.n_rows} rows -> {summary.out}")
