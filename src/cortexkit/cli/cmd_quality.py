"""``cortexkit quality``: refractory-period violations and the sliding RP test per unit."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
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

HELP = """Unit quality of every unit: ISI violations (Hill ratio and the contamination from
its exact quadratic), Llobet's refractory-period contamination, presence ratio, firing range
and the IBL sliding refractory-period test; for one unit its sliding-RP confidence curve and
auto-correlogram.

Example: cortexkit quality ../shared/data/real/ibl-slidingrp-3units --unit 275 --json
"""

# Library parameter -> this command's flag, for messages.
_FLAGS = {"refractory": "--refractory", "censored": "--censored",
          "sample_rate": "--sample-rate", "unit": "--unit"}


def register(app: typer.Typer) -> None:
    @app.command("quality", help=HELP)
    def quality_cmd(
        data: DataArg = None,
        unit: Annotated[
            str | None,
            typer.Option("--unit", help="Unit id for the curve and correlogram "
                         "(default: most spikes)."),
        ] = None,
        refractory: Annotated[
            float, typer.Option("--refractory", help="Refractory period (s).")
        ] = 0.0015,
        censored: Annotated[
            float, typer.Option("--censored", help="Censored period (s), < refractory.")
        ] = 0.0,
        as_json: JsonOpt = False,
        out: OutOpt = None,
        seed: SeedOpt = 0,
        sample_rate: SampleRateOpt = None,
        sort: SortOpt = False,
        table_format: TableFmtOpt = "csv",
        figure_format: FigFmtOpt = "png",
    ) -> None:
        check_choice("--table-format", table_format, ("csv", "parquet"))
        check_choice("--figure-format", figure_format, ("png", "svg"))
        from cortexkit import quality

        st = load_spike_data(data, seed=seed, sample_rate=sample_rate, sort=sort)
        if st.n_units == 0:
            raise ValidationError("the recording has no units")
        uid = _choose_unit(st, unit)
        rate = 30000.0 if sample_rate is None else float(sample_rate)
        with progress(not as_json) as prog:
            task = prog.step("quality metrics", total=2)
            try:
                table = quality.metrics(st, refractory=refractory, censored=censored,
                                        sample_rate=rate)
                prog.advance(task)
                summary = quality.unit_summary(st, uid, refractory=refractory,
                                               censored=censored, sample_rate=rate)
            except ValidationError as exc:
                raise _with_flag(exc) from None
            prog.advance(task)
        result = _result(st, table, summary, refractory, censored, rate)
        if out is not None:
            from cortexkit.plot import quality as pq

            files = [save_table(table, out, "quality_metrics", table_format),
                     save_figure(pq.sliding_rp_curve(summary).figure, out,
                                 "quality_sliding_rp", figure_format),
                     save_figure(pq.autocorrelogram(summary.acg, refractory=refractory).figure,
                                 out, "quality_acg", figure_format),
                     save_figure(pq.contamination(table).figure, out, "quality_contamination",
                                 figure_format)]
            result["files"] = [str(f) for f in files]
        if as_json:
            print_json(result)
            return
        s, u = result["summary"], result["unit"]
        typer.echo(f"{st.n_units} units; sliding RP: {s['slidingrp_pass']} pass, "
                   f"{s['slidingrp_fail']} fail; median contamination: Hill "
                   f"{_fmt(s['median_isi_violations_contamination'])}, Llobet "
                   f"{_fmt(s['median_rp_contamination'])}")
        m = u["metrics"]
        verdict = "PASS" if m["slidingrp_pass"] else "FAIL"
        typer.echo(f"unit {u['unit']}: {m['n_spikes']} spikes, {m['rate_hz']:.3g} Hz; "
                   f"ISI violations {m['isi_violations_count']} (ratio "
                   f"{_fmt(m['isi_violations_ratio'])}, contamination "
                   f"{_fmt(m['isi_violations_contamination'])}); Llobet "
                   f"{_fmt(m['rp_contamination'])}; sliding RP {verdict} (max confidence "
                   f"{_fmt(m['slidingrp_max_confidence'])}, min contamination "
                   f"{_fmt(m['slidingrp_min_contamination'])})")
        if out is not None:
            typer.echo(f"wrote {len(result['files'])} files to {out}")


def _fmt(x: Any) -> str:
    return "n/a" if x is None or (isinstance(x, float) and not np.isfinite(x)) else f"{x:.3g}"


def _with_flag(exc: ValidationError) -> ValidationError:
    """The library's message with the parameter spelled as this command's flag."""
    param = getattr(exc, "param", None) or ""
    flag = _FLAGS.get(param)
    if flag is None:
        return exc
    msg = str(exc)
    if msg.startswith(param):
        msg = flag + msg[len(param):]
    err = ValidationError(msg)
    err.param = param
    return err


def _choose_unit(st: Any, unit: str | None) -> Any:
    """The unit id that ``--unit`` names (None: the library's default, most spikes)."""
    from cortexkit import quality

    if unit is None:
        return quality.example_unit(st)
    ids = [str(u) for u in st.unit_ids.tolist()]
    if unit not in ids:
        shown = ", ".join(ids[:10]) + (" ..." if len(ids) > 10 else "")
        raise ValidationError(f"--unit {unit!r} is not a unit of this recording; units: {shown}")
    return st.unit_ids[ids.index(unit)].item()


def _result(st, table, summary, refractory, censored, rate) -> dict[str, Any]:
    cols = ("isi_violations_contamination", "rp_contamination", "slidingrp_min_contamination")
    med = {f"median_{c}": (float(np.nanmedian(table[c])) if table[c].notna().any() else None)
           for c in cols}
    s = summary.sliding
    return {
        "n_units": int(st.n_units),
        "refractory": refractory,
        "censored": censored,
        "sample_rate": rate,
        "summary": {"slidingrp_pass": int(table["slidingrp_pass"].sum()),
                    "slidingrp_fail": int((~table["slidingrp_pass"]).sum()), **med},
        "unit": {
            "unit": summary.unit,
            "metrics": summary.metrics,
            "sliding_rp": {"rp": s.rp, "confidence_at_threshold": s.threshold_confidence,
                           "tested": s.tested,
                           "contamination_threshold": s.contamination_threshold,
                           "confidence_threshold": s.confidence_threshold},
            "acg": {"edges": summary.acg.edges, "counts": summary.acg.counts[0, 0]},
        },
        "units": table,
    }
