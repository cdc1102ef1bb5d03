"""``cortexkit isi``: inter-spike interval statistics and model fits."""

from __future__ import annotations

import sys
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
    load_spike_data,
    print_json,
    progress,
    save_figure,
    save_table,
)
from cortexkit.errors import ValidationError

HELP = """ISI statistics of every unit (rate, CV, LV, CV2, refractory violations), best ML
ISI distribution per unit, and for one unit the ISI histogram with exponential, inverse and
linear least-squares fits plus the maximum-likelihood densities.

Example: cortexkit isi ../shared/data/real/ibl-slidingrp-3units --unit 274 --range 0 0.5 --json
"""


def register(app: typer.Typer) -> None:
    @app.command("isi", help=HELP)
    def isi_cmd(
        data: DataArg = None,
        unit: Annotated[
            str | None,
            typer.Option("--unit", help="Unit id to plot/fit (default: most spikes)."),
        ] = None,
        bins: Annotated[int, typer.Option("--bins", help="Histogram bins.")] = 50,
        hist_range: Annotated[
            tuple[float, float] | None,
            typer.Option("--range", help="LO HI: histogram range in seconds "
                         "(default: the unit's 1st to 95th ISI percentile, leaving out the "
                         "refractory dip that none of the curves can follow)."),
        ] = None,
        refractory: Annotated[
            float, typer.Option("--refractory", help="Refractory limit (s).")
        ] = 0.0015,
        as_json: JsonOpt = False,
        out: OutOpt = None,
        seed: SeedOpt = 0,
        sample_rate: SampleRateOpt = None,
        sort: SortOpt = False,
        table_format: TableFmtOpt = "csv",
        figure_format: FigFmtOpt = "png",
    ) -> None:
        if bins < 1:
            raise ValidationError(f"--bins must be a positive integer; got {bins}")
        if hist_range is not None and not hist_range[0] < hist_range[1]:
            raise ValidationError(
                f"--range LO HI needs LO < HI; got {hist_range[0]:g} {hist_range[1]:g}"
            )
        from cortexkit import isi

        st = load_spike_data(data, seed=seed, sample_rate=sample_rate, sort=sort)
        uid = _choose_unit(st, unit)
        with progress(not as_json) as prog:
            task = prog.step("ISI statistics and fits", total=3)
            table = isi.stats(st, refractory=refractory)
            prog.advance(task)
            fits_all = isi.fit_all(st)
            prog.advance(task)
            table = table.merge(fits_all[["unit", "best_model"]], on="unit", how="left")
            unit_result, figure = _unit_fits(st, uid, bins, hist_range, out is not None)
            prog.advance(task)

        counts = table["best_model"].value_counts().to_dict()
        result: dict[str, Any] = {
            "n_units": int(st.n_units),
            "refractory": refractory,
            "summary": {
                "median_cv": _med(table["cv"]), "median_lv": _med(table["lv"]),
                "median_cv2": _med(table["cv2"]),
                "units_with_refractory_violations": int((table["refractory_count"] > 0).sum()),
                "best_model_counts": {str(k): int(v) for k, v in counts.items()},
            },
            "unit": unit_result,
            "units": table,
        }
        if out is not None:
            files = [save_table(table, out, "isi_stats", table_format),
                     save_table(fits_all, out, "isi_fits", table_format)]
            if figure is not None:
                files.append(save_figure(figure, out, "isi_fits_unit", figure_format))
            from cortexkit.plot import isi as pisi

            files.append(save_figure(pisi.variability(table).figure, out, "isi_cv_lv",
                                     figure_format))
            result["files"] = [str(f) for f in files]
        if as_json:
            print_json(result)
            return
        s = result["summary"]
        typer.echo(f"{st.n_units} units; median CV {s['median_cv']:.3g}, LV {s['median_lv']:.3g}"
                   f", CV2 {s['median_cv2']:.3g}; {s['units_with_refractory_violations']} units "
                   f"with ISIs < {refractory * 1e3:g} ms")
        typer.echo("best ISI model per unit (AIC): " + ", ".join(
            f"{k} {v}" for k, v in s["best_model_counts"].items()))
        u = unit_result
        typer.echo(f"unit {u['unit']}: {u['n_spikes']} spikes, CV {u['cv']:.3g}, "
                   f"LV {u['lv']:.3g}; best ML model {u['best_model']}")
        for c in u["curves"]:
            typer.echo(f"  {c['model']:<12} R2 {c['r2']:.4f}  SSE {c['sse']:.4g}  {c['params']}")
        if out is not None:
            typer.echo(f"wrote {len(result['files'])} files to {out}")


def _med(col: Any) -> float:
    v = col.dropna()
    return float(v.median()) if len(v) else float("nan")


def _choose_unit(st: Any, unit: str | None) -> Any:
    """The unit id that ``--unit`` names (None: the library's default, most spikes)."""
    if unit is None:
        return None
    ids = [str(u) for u in st.unit_ids.tolist()]
    if unit not in ids:
        shown = ", ".join(ids[:10]) + (" ..." if len(ids) > 10 else "")
        raise ValidationError(f"--unit {unit!r} is not a unit of this recording; units: {shown}")
    return st.unit_ids[ids.index(unit)].item()


def _unit_fits(st: Any, uid: Any, bins: int, hist_range: Any, want_figure: bool):
    import numpy as np

    from cortexkit import isi

    if st.n_spikes > 0:  # (with no spikes at all, example_unit says so)
        pos = int(np.argmax(st.counts)) if uid is None else st.unit_ids.tolist().index(uid)
        if st.counts[pos] < 3:
            raise ValidationError(f"unit {st.unit_ids[pos].item()!r} has {st.counts[pos]} "
                                  "spikes; choose a unit with at least 3 (--unit)")
    ex = isi.example_unit(st, uid, bins=bins, range=hist_range)
    ex.raise_first_error()
    if ex.n_zero:
        print(f"note: {ex.n_zero} zero ISI(s) (duplicate spikes) of unit {ex.unit} left out "
              "of the maximum-likelihood fits", file=sys.stderr)
    curves = list(ex.curves.values())
    out = {
        "unit": ex.unit, "n_spikes": ex.n_spikes, "cv": float(ex.stats["cv"]),
        "lv": float(ex.stats["lv"]), "cv2": float(ex.stats["cv2"]),
        "range": list(ex.range), "bins": ex.bins,
        "histogram": {"counts": ex.counts, "edges": ex.edges},
        "curves": [{"model": c.model, "params": c.params, "sse": c.sse, "r2": c.r2}
                   for c in curves],
        "best_model": ex.best_model,
        "distributions": None if ex.distributions is None else ex.distributions.table,
    }
    fig = None
    if want_figure:
        from cortexkit.plot import isi as pisi

        ax = pisi.fits(ex.counts, ex.edges, curves, ex.distributions)
        ax.set_title(f"unit {ex.unit}")
        fig = ax.figure
    return out, fig
