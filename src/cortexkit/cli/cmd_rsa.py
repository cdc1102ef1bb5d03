"""``cortexkit rsa``: does a grating-trained CNN represent stimuli like the recorded neurons?"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

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
from cortexkit.errors import DataFormatError, ValidationError

HELP = """Train (or load from the user cache) the orientation CNN, feed it the stimuli of
the responses (gratings at the recorded orientations, or the recorded images resized to
48 x 64), and compare the RDM of each chosen layer with the responses' RDM: similarity,
bootstrap confidence interval over stimuli, permutation p-value and linear CKA.

RESPONSES: a Stringer-style .npz (resp, stimuli), the Allen Neuropixels gratings folder or
the Allen 2-photon natural-scenes folder (default: bundled synthetic V1 responses).

Example: cortexkit rsa ../shared/data/real/allen-vcnp-gratings-pseudopop --layers conv,pool,fc
"""

ResponsesArg = Annotated[
    Path | None,
    typer.Argument(help="Responses file/folder (default: bundled synthetic V1 data).",
                   show_default=False),
]


def _parse_layers(text: str, architecture: str) -> tuple[str, ...]:
    from cortexkit import encoding

    check_choice("--architecture", architecture, encoding.ARCHITECTURES)
    layers = tuple(s.strip() for s in text.split(",") if s.strip())
    bad = [s for s in layers if s not in encoding.LAYERS[architecture]]
    if bad or not layers:
        raise ValidationError(
            f"--layers {text!r}: unknown layer(s) {', '.join(bad) or '(none given)'} for "
            f"architecture {architecture}; choose from "
            f"{','.join(encoding.LAYERS[architecture])}")
    return layers


def load_data(path: Path | None, seed: int, bin_width: float | None, convention: str) -> Any:
    """The responses at ``path`` (or the bundled synthetic data) in the model's convention."""
    from cortexkit import datasets, io
    from cortexkit.io.responses import bin_stimuli, tutorial_convention

    if convention not in ("auto", "tutorial", "none"):
        raise ValidationError(f"--convention must be auto, tutorial or none; got {convention!r}")
    if path is None:
        res = datasets.v1_orientation_like(seed=seed)
        if bin_width is not None:
            res = bin_stimuli(res, bin_width)
        return tutorial_convention(res) if convention != "none" else res
    if not path.exists():
        raise DataFormatError(f"RESPONSES path {str(path)!r} does not exist; give a responses "
                              ".npz or an Allen data folder, or omit it for the bundled data")
    res = io.load_responses(path, bin_width=bin_width)
    if res.kind == "orientation" and convention in ("auto", "tutorial"):
        res = io.load_responses(path, bin_width=bin_width, convention="tutorial")
    return res


def register(app: typer.Typer) -> None:
    @app.command("rsa", help=HELP)
    def rsa_cmd(
        data: ResponsesArg = None,
        layers: Annotated[str, typer.Option("--layers", help="Comma-separated layers.")]
        = "pool,fc",
        compare: Annotated[str, typer.Option(
            "--compare", help="pearson, spearman or kendall_tau_a.")] = "pearson",
        metric: Annotated[str, typer.Option(
            "--metric", help="RDM metric: correlation, euclidean or cosine.")] = "correlation",
        architecture: Annotated[str, typer.Option(
            "--architecture", help="conv_pool_fc, conv_fc or fc.")] = "conv_pool_fc",
        bin_width: Annotated[float | None, typer.Option(
            "--bin-width", help="Average responses in orientation bins (degrees).")] = None,
        convention: Annotated[str, typer.Option(
            "--convention", help="auto/tutorial: orientations on -90..90 with 0 = vertical "
            "(Stringer: keep <= 180 deg, minus 90); none: as stored.")] = "auto",
        n_boot: Annotated[int, typer.Option("--n-boot", help="Bootstrap resamples.")] = 1000,
        n_perm: Annotated[int, typer.Option("--n-perm", help="Permutations (0: skip).")] = 1000,
        n_train: Annotated[int, typer.Option("--n-train", help="Training gratings.")] = 1000,
        epochs: Annotated[int, typer.Option("--epochs", help="Training epochs.")] = 25,
        no_cache: Annotated[bool, typer.Option(
            "--no-cache", help="Always train; do not read or write the model cache.")] = False,
        as_json: JsonOpt = False,
        out: OutOpt = None,
        seed: SeedOpt = 0,
        table_format: TableFmtOpt = "csv",
        figure_format: FigFmtOpt = "png",
    ) -> None:
        from cortexkit import encoding, rsa

        check_choice("--compare", compare, rsa.METHODS)
        check_choice("--metric", metric, rsa.METRICS)
        chosen = _parse_layers(layers, architecture)
        for name, v, lo in (("--n-boot", n_boot, 1), ("--n-perm", n_perm, 0),
                            ("--n-train", n_train, 2), ("--epochs", epochs, 1)):
            if v < lo:
                raise ValidationError(f"{name} must be >= {lo}; got {v}")
        res = load_data(data, seed, bin_width, convention)

        with progress(not as_json) as prog:
            task = prog.step("training / loading the CNN", total=1)
            ex = encoding.orientation_experiment(
                res, chosen, architecture=architecture, n_train=n_train, epochs=epochs,
                seed=seed, use_cache=not no_cache, method=compare, metric=metric,
                n_boot=n_boot, n_perm=n_perm)
            prog.advance(task)
        cmp = ex.comparison
        result: dict[str, Any] = {
            "data": {"source": res.source, "kind": res.kind, "n_stimuli": res.n_stimuli,
                     "n_neurons": res.n_neurons, "notes": list(res.notes)},
            "model": {"architecture": ex.architecture, "n_train": ex.n_train,
                      "epochs": ex.epochs, "seed": ex.seed, "from_cache": ex.from_cache,
                      "cache_file": ex.cache_file, "final_loss": float(ex.losses[-1]),
                      "held_out_accuracy": ex.accuracy},
            "method": compare, "metric": metric, "n_boot": n_boot, "n_perm": n_perm,
            "layers": cmp.table.drop(columns=["method", "metric"]),
        }
        if out is not None:
            result["files"] = [str(p) for p in _write(cmp, res, out, table_format,
                                                      figure_format)]
        if as_json:
            print_json(result)
            return
        _echo(result)


def _write(cmp: Any, res: Any, out: Path, table_format: str, figure_format: str) -> list[Path]:
    import numpy as np

    from cortexkit.plot import rsa as prsa

    files = [save_table(cmp.table, out, "rsa_layers", table_format)]
    order = np.argsort(res.stimuli, kind="stable")
    rdms = {k: v[np.ix_(order, order)] for k, v in cmp.rdms.items()}
    files.append(save_figure(prsa.rdm_grid(rdms, np.asarray(res.stimuli)[order]), out,
                             "rsa_rdms", figure_format))
    files.append(save_figure(prsa.similarity_bars(cmp.table).figure, out, "rsa_similarity",
                             figure_format))
    pick = np.linspace(0, res.n_stimuli - 1, min(6, res.n_stimuli)).astype(int)
    files.append(save_figure(prsa.stimuli(cmp.inputs[order][pick]), out, "rsa_stimuli",
                             figure_format))
    return files


def _echo(result: dict[str, Any]) -> None:
    d, m = result["data"], result["model"]
    typer.echo(f"data: {d['source']} ({d['n_stimuli']} {d['kind']} stimuli x "
               f"{d['n_neurons']} neurons)")
    typer.echo(f"model: {m['architecture']}, {m['n_train']} gratings x {m['epochs']} epochs, "
               f"seed {m['seed']} ({'cached' if m['from_cache'] else 'trained now'}); "
               f"held-out accuracy {m['held_out_accuracy']:.3f}")
    typer.echo(f"RDM {result['metric']} distance, compared by {result['method']} "
               f"(95% bootstrap CI over stimuli, {result['n_boot']} resamples):")
    for _, r in result["layers"].iterrows():
        typer.echo(f"  {r['layer']:>5} ({r['n_units']:>5} units): {r['similarity']:+.3f} "
                   f"[{r['ci_low']:+.3f}, {r['ci_high']:+.3f}]  p={r['p_value']:.4f}  "
                   f"CKA={r['cka']:.3f}")
    for f in result.get("files", []):
        typer.echo(f"wrote {f}")
