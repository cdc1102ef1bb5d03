"""``cortexkit causality``: estimate a simulated network's connectivity with every method."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cortexkit.cli._common import (
    FigFmtOpt,
    JsonOpt,
    OutOpt,
    SeedOpt,
    TableFmtOpt,
    print_json,
    progress,
    save_figure,
    save_table,
)

HELP = """Simulate a random stable network x[t+1] = sigmoid(A x[t] + noise), record all or a
random fraction of its neurons, and estimate who causes whom by perturbation (clamping
neurons to random 0/1 every other step), perturbation correlation, instrumental variables,
lagged correlation and regression; print how well each estimate matches the truth
(correlation, AUROC of edge detection, sign accuracy, relative error).

Example: cortexkit causality --n-neurons 30 --timesteps 20000 --observed 0.5 --json
"""


def register(app: typer.Typer) -> None:
    """Add the ``causality`` command to ``app``."""

    @app.command("causality", help=HELP)
    def causality_cmd(
        n_neurons: Annotated[int, typer.Option("--n-neurons", help="Network size.")] = 20,
        timesteps: Annotated[
            int, typer.Option("--timesteps", help="Time steps per simulated run.")
        ] = 10_000,
        method: Annotated[
            list[str] | None,
            typer.Option("--method", help="Estimator (repeatable): perturbation, "
                         "perturbation_corr, iv, correlation, regression (default: all).",
                         show_default=False),
        ] = None,
        observed: Annotated[
            float, typer.Option("--observed", help="Fraction of neurons recorded, in (0, 1].")
        ] = 1.0,
        p: Annotated[float, typer.Option("--p", help="Connection probability.")] = 0.1,
        seed: SeedOpt = 0,
        as_json: JsonOpt = False,
        out: OutOpt = None,
        table_format: TableFmtOpt = "csv",
        figure_format: FigFmtOpt = "png",
    ) -> None:
        from cortexkit import causality

        methods = tuple(method) if method else causality.METHODS
        with progress(not as_json) as prog:
            task = prog.step("simulating and estimating", total=None)
            cmp = causality.compare_methods(n_neurons, timesteps, observed, methods, p=p,
                                            seed=seed)
            prog.advance(task)
        n = int(cmp.A.shape[0])
        result: dict[str, Any] = {
            "n_neurons": n, "timesteps": timesteps, "observed": observed,
            "n_observed": int(cmp.observed.size), "observed_neurons": cmp.observed,
            "p": p, "seed": seed, "n_edges": int((cmp.A != 0).sum()),
            "protocols": {m: causality.METHOD_PROTOCOL[m] for m in methods},
            "scores": cmp.scores,
        }
        if out is not None:
            result["files"] = [str(f) for f in _write_outputs(cmp, out, table_format,
                                                              figure_format)]
        if as_json:
            print_json(result)
            return
        typer.echo(f"network: {n} neurons, {result['n_edges']} connections (p={p:g}); "
                   f"{timesteps} steps; {cmp.observed.size} of {n} neurons observed")
        typer.echo(f"{'method':<18}{'run':<10}{'corr':>8}{'AUROC':>8}{'sign':>8}{'rel.err':>9}")
        for row in cmp.scores.itertuples(index=False):
            proto = causality.METHOD_PROTOCOL[row.method] or "none"
            typer.echo(f"{row.method:<18}{proto:<10}{row.correlation:>8.3f}{row.auroc:>8.3f}"
                       f"{row.sign_accuracy:>8.3f}{row.rel_error:>9.3f}")
        if out is not None:
            typer.echo(f"wrote {len(result['files'])} files to {out}")


def _write_outputs(cmp: Any, out: Any, table_format: str, figure_format: str) -> list:
    import numpy as np
    import pandas as pd

    from cortexkit.plot import causality as pc

    n = cmp.A.shape[0]
    to_idx, from_idx = np.divmod(np.arange(n * n), n)
    long = pd.DataFrame({"to": to_idx, "from": from_idx, "true": cmp.A.ravel(),
                         **{m: e.ravel() for m, e in cmp.estimates.items()}})
    files = [save_table(cmp.scores, out, "causality_scores", table_format),
             save_table(long, out, "causality_connectivity", table_format)]
    for m, est in cmp.estimates.items():
        fig = pc.true_vs_estimated(cmp.A, est, method=m, observed=cmp.observed)
        files.append(save_figure(fig, out, f"causality_{m}", figure_format))
    run = cmp.runs.get("all") or next(iter(cmp.runs.values()))
    ax = pc.activity(run, title=f"activity (perturb={run.perturb!r})")
    files.append(save_figure(ax.figure, out, "causality_activity", figure_format))
    return files
