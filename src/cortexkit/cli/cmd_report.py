"""``cortexkit report`` and ``cortexkit demo``: the self-contained HTML report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cortexkit.cli._common import (
    DataArg,
    JsonOpt,
    SampleRateOpt,
    SeedOpt,
    SortOpt,
    load_spike_data,
    print_json,
    progress,
)

REPORT_HELP = """Build a self-contained HTML report of a recording (figures embedded).

Covers the recording's description, rasters, ISI fits and entropies.
Add --models for the LIF, causality and RSA sections.

Example: cortexkit report ../shared/data/real/ibl-slidingrp-3units -o ibl.html
"""

DEMO_HELP = """Run the main job on the bundled data: the full report, models included.

Example: cortexkit demo --out cortexkit-demo
"""

QuickOpt = Annotated[bool, typer.Option("--quick", help="Smaller simulations (fast preview).")]


def _report_file(path: Path) -> Path:
    from cortexkit.errors import ValidationError

    if path.exists() and path.is_dir():
        raise ValidationError(f"-o {path} is a directory; give a file name such as report.html")
    if path.suffix.lower() not in (".html", ".htm"):
        raise ValidationError(f"-o {path}: the report is HTML; use a .html file name")
    return path


def register(app: typer.Typer) -> None:
    @app.command("report", help=REPORT_HELP)
    def report_cmd(
        data: DataArg = None,
        output: Annotated[Path, typer.Option("--output", "-o", help="Report file (.html).")] = (
            Path("report.html")),
        models: Annotated[bool, typer.Option(
            "--models", help="Also the model sections (LIF, causality, RSA).")] = False,
        quick: QuickOpt = False,
        as_json: JsonOpt = False,
        seed: SeedOpt = 0,
        sample_rate: SampleRateOpt = None,
        sort: SortOpt = False,
    ) -> None:
        from cortexkit.report import build_report

        target = _report_file(output)
        st = load_spike_data(data, seed=seed, sample_rate=sample_rate, sort=sort)
        label = str(data) if data is not None else f"bundled synthetic session (seed {seed})"
        kinds = ("data", "model") if models else ("data",)
        with progress(not as_json) as prog:
            path = build_report(target, st, data_label=label, kinds=kinds, seed=seed,
                                quick=quick, progress=prog)
        if as_json:
            print_json({"report": str(path.resolve())})
        else:
            typer.echo(f"report written to {path.resolve()}")

    @app.command("demo", help=DEMO_HELP)
    def demo_cmd(
        out: Annotated[Path, typer.Option("--out", "-o", help="Output directory.")] = Path(
            "cortexkit-demo"),
        quick: QuickOpt = False,
        as_json: JsonOpt = False,
        seed: SeedOpt = 0,
    ) -> None:
        from cortexkit.cli._common import out_dir
        from cortexkit.report import build_report

        folder = out_dir(out)
        st = load_spike_data(None, seed=seed)
        with progress(not as_json) as prog:
            path = build_report(folder / "report.html", st,
                                data_label=f"bundled synthetic session (steinmetz_like, seed "
                                           f"{seed})", kinds=("data", "model"), seed=seed,
                                quick=quick, progress=prog)
        if as_json:
            print_json({"report": str(path.resolve())})
        else:
            typer.echo(f"report written to {path.resolve()}")
