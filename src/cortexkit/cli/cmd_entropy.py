"""``cortexkit entropy``: ISI entropy of every unit, its max-entropy bound, references."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cortexkit.cli._common import (
    DataArg,
    FigFmtOpt,
    JsonOpt,
    OutOpt,
    SampleRateOpt,
    SeedOpt,
    SortOpt,
    TableFmtOpt,
    check_choice,
    load_spike_data,
    print_json,
    progress,
    save_figure,
    save_table,
)
from cortexkit.errors import ValidationError

HELP = """Entropy (bits) of every unit's binned ISI distribution, with each unit's
maximum-entropy bound at its mean ISI, and the deterministic / uniform / exponential /
maximum-entropy reference distributions at the population mean ISI.

Estimators: plugin, miller_madow, jackknife, nsb (Nemenman-Shafee-Bialek).

Example: cortexkit entropy ../shared/data/real/ibl-slidingrp-3units --estimator nsb --json
"""


def register(app: typer.Typer) -> None:
    @app.command("entropy", help=HELP)
    def entropy_cmd(
        data: DataArg = None,
        bins: Annotated[int, typer.Option("--bins", help="Number of ISI bins.")] = 50,
        isi_range: Annotated[
            tuple[float, float],
            typer.Option("--range", help="LO HI: ISI range in seconds."),
        ] = (0.0, 0.25),
        estimator: Annotated[
            str, typer.Option("--estimator",
                              help="plugin, miller_madow, jackknife or nsb.")
        ] = "plugin",
        as_json: JsonOpt = False,
        out: OutOpt = None,
        seed: SeedOpt = 0,
        sample_rate: SampleRateOpt = None,
        sort: SortOpt = False,
        table_format: TableFmtOpt = "csv",
        figure_format: FigFmtOpt = "png",
    ) -> None:
        from cortexkit import information

        if bins < 1:
            raise ValidationError(f"--bins must be a positive integer; got {bins}")
        lo, hi = isi_range
        if not lo < hi or lo < 0:
            raise ValidationError(
                f"--range LO HI needs 0 <= LO < HI (seconds); got {lo:g} {hi:g}"
            )
        check_choice("--estimator", estimator, information.ESTIMATORS)
        if data is not None and not data.exists():
            raise ValidationError(f"DATA path {str(data)!r} does not exist; give a spike file "
                                  "or folder, or omit it for the bundled session")
        st = load_spike_data(data, seed=seed, sample_rate=sample_rate, sort=sort)
        with progress(not as_json) as prog:
            task = prog.step("ISI entropy of every unit", total=1)
            s = information.entropy_summary(st, bins, (lo, hi), estimator=estimator)
            prog.advance(task)
        units = s.units
        result: dict[str, Any] = {
            "estimator": estimator, "base": 2, "unit": "bits", "bins": bins,
            "range": [lo, hi],
            "summary": {
                "n_units": int(st.n_units),
                "n_units_with_isis": s.n_units_with_isis,
                "mean_entropy": s.mean_entropy,
                "median_entropy": s.median_entropy,
                "median_gap_to_bound": s.median_gap,
                "closest_to_bound": s.closest["unit"].tolist(),
                "farthest_from_bound": s.farthest["unit"].tolist(),
            },
            "population_mean_isi": s.population_mean_isi,
            "references": s.reference_entropies,
            "note": s.note,
            "units": units,
        }
        if out is not None:
            result["files"] = [str(p) for p in _write(s, out, table_format, figure_format)]
        if as_json:
            print_json(result)
            return
        _echo(result, units)


def _write(s: Any, out: Any, table_format: str, figure_format: str) -> list[Any]:
    import pandas as pd

    from cortexkit.plot import information as pinfo

    files = [save_table(s.units, out, "entropy_units", table_format)]
    refs = pd.DataFrame({"reference": list(s.reference_entropies),
                         "entropy_bits": list(s.reference_entropies.values())})
    files.append(save_table(refs, out, "entropy_references", table_format))
    if s.references:
        pmfs = {k: v for k, v in s.references.items() if k != "max_entropy"}
        fig = pinfo.reference_pmfs(pmfs, s.edges, entropies=s.reference_entropies,
                                   max_entropy=s.references["max_entropy"])
        files.append(save_figure(fig, out, "entropy_references", figure_format))
    u = s.units
    ax = pinfo.entropy_vs_rate(u["rate_hz"], u["entropy"], bound=u["max_entropy"])
    files.append(save_figure(ax.figure, out, "entropy_vs_rate", figure_format))
    return files


def _echo(result: dict[str, Any], units: Any) -> None:
    s = result["summary"]
    lo, hi = result["range"]
    typer.echo(f"ISI entropy ({result['estimator']}, {result['bins']} bins on "
               f"{lo:g}-{hi:g} s), bits: {s['n_units_with_isis']} of {s['n_units']} units "
               "have ISIs in range")
    if s["n_units_with_isis"]:
        typer.echo(f"mean {s['mean_entropy']:.3f}, median {s['median_entropy']:.3f}; "
                   f"median gap to the max-entropy bound {s['median_gap_to_bound']:.3f}")
        typer.echo(f"references at the population mean ISI "
                   f"{result['population_mean_isi'] * 1e3:.2f} ms: " + ", ".join(
                       f"{k} {v:.3f}" for k, v in result["references"].items()))
    if result["note"]:
        typer.echo(f"note: {result['note']}", err=True)
    typer.echo(units.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    if "files" in result:
        typer.echo(f"wrote {len(result['files'])} files")
