"""The interactive web explorer behind ``cortexkit serve``.

A small FastAPI application (JSON endpoints) plus one static HTML + vanilla-JS page that
draws every plot as inline SVG — no build step, no CDN, no request to any other host.
Views:

- unit picker -> raster, ISI histogram, fitted curves / distributions and entropy;
- sliders of the exponential / inverse / linear curves over the ISI histogram with a live
  sum of squared errors (initial values from :func:`cortexkit.isi.fit_curve`);
- network perturbation explorer (:func:`cortexkit.causality.simulate` + ``estimate``);
- layer-vs-V1 RDM comparison (:mod:`cortexkit.encoding` + :mod:`cortexkit.rsa`; the small
  network is trained in the background on first request, with a status endpoint).

The server only serves the recording it loaded and the files of its ``static`` folder, and
binds ``127.0.0.1`` unless another host is given.

Examples
--------
>>> import cortexkit as ck
>>> app = ck.explorer.create_app()                # doctest: +SKIP
>>> ck.explorer.serve(port=8050)                  # doctest: +SKIP
"""

from __future__ import annotations

from cortexkit.explorer._server import DEFAULT_HOST, DEFAULT_PORT, create_app, serve

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "create_app", "serve"]
