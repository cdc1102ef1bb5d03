"""``cortexkit serve``: the interactive web explorer."""

from __future__ import annotations

from typing import Annotated

import typer

from cortexkit.cli._common import DataArg, SampleRateOpt, SeedOpt, SortOpt

HELP = """Explore a recording in the browser: unit picker, raster, ISI histogram with fitted
curves and sliders, entropy, a network perturbation explorer and layer-vs-V1 RDMs.

The server binds 127.0.0.1 (this computer only) unless --host is given; it has no
authentication, so only use --host 0.0.0.0 on a trusted network. Stop it with Ctrl-C.

Example: cortexkit serve ../shared/data/real/ibl-slidingrp-3units --port 8050
"""


def register(app: typer.Typer) -> None:
    @app.command("serve", help=HELP)
    def serve_cmd(
        data: DataArg = None,
        port: Annotated[int, typer.Option("--port", "-p",
                                          help="TCP port (0 picks a free one).")] = 8050,
        host: Annotated[str, typer.Option("--host", help="Interface to bind.")] = "127.0.0.1",
        seed: SeedOpt = 0,
        sample_rate: SampleRateOpt = None,
        sort: SortOpt = False,
    ) -> None:
        from cortexkit.errors import ValidationError
        from cortexkit.explorer import serve

        if not 0 <= port <= 65535:
            raise ValidationError(f"--port must be between 0 and 65535, got {port}")
        if data is not None and not data.exists():
            raise ValidationError(f"data path {data} does not exist; give a recording file or "
                                  "folder, or omit it for the bundled data")
        serve(data, host=host, port=port, seed=seed,
              load_options={"sample_rate": sample_rate, "sort": sort})
