"""``cortexkit lif``: simulate leaky integrate-and-fire neurons."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import typer

from cortexkit.cli._common import (
    FigFmtOpt,
    JsonOpt,
    OutOpt,
    SeedOpt,
    TableFmtOpt,
    check_choice,
    print_json,
    progress,
    save_figure,
    save_table,
)
from cortexkit.errors import ValidationError

HELP = """Simulate a population of leaky integrate-and-fire neurons (SPEC defaults: tau_m 20 ms,
E_L -60 mV, V_reset -70 mV, V_th -50 mV, R 100 MOhm) driven by a sine, constant, white-noise,
Ornstein-Uhlenbeck or balanced excitatory/inhibitory Poisson input; report rates, ISI CV,
membrane-potential statistics and the analytic rate for the mean input.

Example: cortexkit lif --input poisson --n-neurons 20 --t-max 5 --dt 1e-4 --json
"""

# record V (for statistics and the figure) only below this many samples
_MAX_V_SAMPLES = 20_000_000


def register(app: typer.Typer) -> None:
    @app.command("lif", help=HELP)
    def lif_cmd(
        input_kind: Annotated[str, typer.Option(
            "--input", help="sine | constant | noise | ou | poisson")] = "sine",
        n_neurons: Annotated[int, typer.Option("--n-neurons", help="Number of neurons.")] = 10,
        t_max: Annotated[float, typer.Option("--t-max", help="Duration (s).")] = 1.0,
        dt: Annotated[float, typer.Option("--dt", help="Time step (s).")] = 1e-4,
        i_mean: Annotated[float | None, typer.Option(
            "--i-mean", help="Mean input current (A); default 150 pA (sine, constant, noise, "
            "ou) or 0 (poisson: bias on top of the balanced synaptic drive).")] = None,
        sd: Annotated[float, typer.Option(
            "--sd", help="Noise sd (A) for --input noise (per step) and ou (stationary).")
        ] = 1e-10,
        t_ref: Annotated[float, typer.Option("--t-ref", help="Refractory period (s).")] = 0.0,
        method: Annotated[str, typer.Option("--method", help="exact | euler")] = "exact",
        as_json: JsonOpt = False,
        out: OutOpt = None,
        seed: SeedOpt = 0,
        table_format: TableFmtOpt = "csv",
        figure_format: FigFmtOpt = "png",
    ) -> None:
        from cortexkit import lif

        check_choice("--input", input_kind, lif.INPUT_KINDS)
        if n_neurons < 1:
            raise ValidationError(f"--n-neurons must be a positive integer; got {n_neurons}")
        params = lif.LIFParams(dt=dt, t_max=t_max, t_ref=t_ref)
        record = n_neurons * params.n_steps <= _MAX_V_SAMPLES
        with progress(not as_json) as prog:
            task = prog.step(f"simulating {n_neurons} LIF neurons", total=1)
            run = lif.run_input(input_kind, params, n_neurons, i_mean=i_mean, sd=sd,
                                method=method, record_v=record, seed=seed)
            prog.advance(task)
        summary = _summary(run, record)
        if out is not None:
            _save(run.result, summary, out, table_format, figure_format)
        if as_json:
            print_json(summary)
        else:
            _print_text(summary)


def _summary(run: Any, recorded: bool) -> dict[str, Any]:
    from dataclasses import asdict

    res = run.result
    out: dict[str, Any] = {
        "input": run.kind,
        "method": res.method,
        "n_neurons": int(res.spikes.n_units),
        "n_steps": int(res.t.size),
        "params": asdict(res.params),
        "i_mean": run.i_mean,
        "rheobase": res.params.rheobase,
        "analytic_rate_hz_at_i_mean": run.analytic_rate_hz,
        "n_spikes": run.n_spikes,
        "mean_rate_hz": run.mean_rate_hz,
        "cv_mean": run.cv_mean,
        "rate_hz": res.spikes.rates.tolist(),
        "cv": run.cv.tolist(),
        "v_recorded": recorded,
    }
    if run.membrane is not None:
        out.update(v_mean=run.membrane.mean, v_std=run.membrane.std)
    return out


def _save(res: Any, summary: dict[str, Any], out: Any, table_format: str,
          figure_format: str) -> None:
    import pandas as pd

    from cortexkit.plot import lif as plif

    st = res.spikes
    save_table(st.to_dataframe(), out, "lif_spikes", table_format)
    save_table(pd.DataFrame({"unit": st.unit_ids, "n_spikes": st.counts,
                             "rate_hz": st.rates, "cv": summary["cv"]}),
               out, "lif_neurons", table_format)
    if res.v is not None:
        window = (0.0, min(res.params.t_max, 0.5))
        save_figure(plif.voltage(res, 0, t_window=window).figure, out, "lif_voltage",
                    figure_format)
    cur = res.current
    if np.ndim(cur) >= 1:
        save_figure(plif.current(res.t, cur, label=summary["input"]).figure, out,
                    "lif_current", figure_format)


def _print_text(s: dict[str, Any]) -> None:
    print(f"{s['n_neurons']} LIF neurons, {s['input']} input (i_mean {s['i_mean']:.3g} A, "
          f"rheobase {s['rheobase']:.3g} A), {s['method']} integration, "
          f"{s['n_steps']} steps")
    print(f"spikes: {s['n_spikes']}, mean rate {s['mean_rate_hz']:.2f} Hz "
          f"(analytic for a constant i_mean: {s['analytic_rate_hz_at_i_mean']:.2f} Hz)")
    if s["cv_mean"] is not None:
        print(f"ISI CV (mean over neurons): {s['cv_mean']:.3f}")
    if s["v_recorded"]:
        print(f"membrane potential: mean {s['v_mean'] * 1e3:.2f} mV, "
              f"sd {s['v_std'] * 1e3:.2f} mV")
