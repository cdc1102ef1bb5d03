"""``cortexkit describe``: what is in this recording."""

from __future__ import annotations

from typing import Annotated

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
    load_spike_data,
    print_json,
    save_figure,
    save_table,
)

HELP = """Describe a recording: units, spikes, duration, spike counts per unit.

Example: cortexkit describe ../shared/data/real/ibl-slidingrp-3units --interval 0 600 --json
"""


def register(app: typer.Typer) -> None:
    @app.command("describe", help=HELP)
    def describe_cmd(
        data: DataArg = None,
        interval: Annotated[
            tuple[float, float] | None,
            typer.Option("--interval", help="T0 T1: fraction of spikes in [T0, T1) vs time."),
        ] = None,
        as_json: JsonOpt = False,
        out: OutOpt = None,
        seed: SeedOpt = 0,
        sample_rate: SampleRateOpt = None,
        sort: SortOpt = False,
        table_format: TableFmtOpt = "csv",
        figure_format: FigFmtOpt = "png",
    ) -> None:

        import pandas as pd

        from cortexkit.summary import describe, interval_fraction

        st = load_spike_data(data, seed=seed, sample_rate=sample_rate, sort=sort)
        desc = describe(st)
        result = desc.to_dict()
        frac = None
        if interval is not None:
            frac = interval_fraction(st, *interval)
            result["interval"] = {"t0": frac.t0, "t1": frac.t1, "n_spikes": frac.n_spikes,
                                  "fraction_spikes": frac.fraction_spikes,
                                  "fraction_time": frac.fraction_time}
        if out is not None:
            from cortexkit.plot import spikes as pspikes
            from cortexkit.summary import population_rate

            table = pd.DataFrame({"unit": st.unit_ids, "n_spikes": desc.counts,
                                  "rate_hz": st.rates})
            files = [save_table(table, out, "units", table_format)]
            files.append(save_figure(pspikes.count_histogram(desc).figure, out,
                                     "spike_counts", figure_format))
            files.append(save_figure(pspikes.raster(st, every=max(1, st.n_units // 60)).figure,
                                     out, "raster", figure_format))
            c, r = population_rate(st, bin_size=max(st.duration / 500, 1e-3))
            files.append(save_figure(pspikes.population_rate(c, r).figure, out,
                                     "population_rate", figure_format))
            result["files"] = [str(f) for f in files]
        if as_json:
            print_json(result)
            return
        typer.echo(f"{desc.n_units} units, {desc.n_spikes} spikes, "
                   f"{desc.duration:.1f} s ({desc.t_start:g} to {desc.t_stop:g} s)")
        typer.echo(f"spikes per unit: mean {desc.mean_count:.1f}, median {desc.median_count:.0f}"
                   f", quartiles {desc.q1_count:.0f}-{desc.q3_count:.0f}; "
                   f"{desc.fraction_below_mean:.0%} of units below the mean")
        typer.echo(f"rates: median {desc.median_rate:.2f} Hz, mean {desc.mean_rate:.2f} Hz; "
                   f"population {desc.population_rate:.1f} spikes/s")
        if desc.n_empty_units or desc.n_duplicates:
            typer.echo(f"{desc.n_empty_units} empty units, {desc.n_duplicates} duplicate spikes")
        if frac is not None:
            typer.echo(f"[{frac.t0:g}, {frac.t1:g}) s holds {frac.fraction_spikes:.1%} of spikes "
                       f"in {frac.fraction_time:.1%} of the time (ratio {frac.ratio:.2f})")
        if out is not None:
            typer.echo(f"wrote {len(result['files'])} files to {out}")

