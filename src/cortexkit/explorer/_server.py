"""FastAPI application and uvicorn runner of the explorer."""

from __future__ import annotations

import ipaddress
import sys
from pathlib import Path
from typing import Any, cast

from cortexkit._lib.optional import optional_import
from cortexkit._lib.validation import check_choice, check_int
from cortexkit.errors import CortexkitError, ValidationError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8050
STATIC_DIR = Path(__file__).parent / "static"

_MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}
# The page may load only its own files: no other host, no inline script.
_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


def _static_files() -> dict[str, Path]:
    """name -> path of every file directly in the static folder (the only files served)."""
    return {p.name: p for p in STATIC_DIR.iterdir() if p.is_file() and p.suffix in _MEDIA_TYPES}


def create_app(
    spikes: Any = None,
    *,
    data_label: str | None = None,
    seed: int = 0,
    allowed_hosts: list[str] | None = None,
    rsa_train: int = 400,
    rsa_epochs: int = 10,
) -> Any:
    """Build the explorer's FastAPI application for one recording.

    Parameters
    ----------
    spikes : SpikeTrains, optional
        The recording to explore (default: ``ck.datasets.steinmetz_like(seed)``). It is the
        only data the app serves.
    data_label : str, optional
        Where the data came from (shown on the page).
    seed : int, default 0
        Seed of the bundled data and of the simulations and model training.
    allowed_hosts : list of str, optional
        Accepted ``Host`` headers (default: loopback names only, which protects a local
        server against DNS rebinding); ``["*"]`` accepts any.
    rsa_train, rsa_epochs : int
        Size of the orientation network's training run of the RDM view.

    Returns
    -------
    fastapi.FastAPI

    Examples
    --------
    >>> from fastapi.testclient import TestClient          # doctest: +SKIP
    >>> client = TestClient(create_app())                  # doctest: +SKIP
    >>> client.get("/api/info").json()["n_units"]          # doctest: +SKIP
    400
    """
    fastapi = optional_import("fastapi")
    from fastapi.responses import FileResponse, JSONResponse, Response
    from starlette.middleware.trustedhost import TrustedHostMiddleware

    from cortexkit.encoding import ARCHITECTURES
    from cortexkit.explorer._network import network_view
    from cortexkit.explorer._rsa import RSAJob
    from cortexkit.explorer._views import ExplorerData

    if spikes is None:
        from cortexkit.datasets import steinmetz_like

        spikes = steinmetz_like(seed=seed)
        data_label = data_label or f"bundled synthetic session (steinmetz_like, seed {seed})"
    data = ExplorerData(spikes, data_label or "recording", seed=seed)
    rsa_jobs = {arch: RSAJob(seed=seed, n_train=rsa_train, epochs=rsa_epochs, architecture=arch)
                for arch in ARCHITECTURES}

    def rsa_job(architecture: str) -> RSAJob:
        check_choice("architecture", architecture, rsa_jobs)
        return rsa_jobs[architecture]

    files = _static_files()

    app = fastapi.FastAPI(title="cortexkit explorer", docs_url=None, redoc_url=None,
                          openapi_url=None)
    app.state.data = data
    app.state.rsa_jobs = rsa_jobs
    hosts = allowed_hosts or ["127.0.0.1", "localhost", "[::1]", "::1", "testserver"]
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=hosts)

    @app.middleware("http")
    async def security_headers(request: Any, call_next: Any) -> Any:
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = _CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    @app.exception_handler(CortexkitError)
    async def bad_input(request: Any, exc: CortexkitError) -> Any:
        return JSONResponse({"error": str(exc)}, status_code=400)

    def static(name: str) -> Any:
        # Only names listed in the static folder: no path from the request ever reaches
        # the file system, so "../" and encoded variants cannot escape it.
        path = files.get(name)
        if path is None:
            return JSONResponse({"error": "not found"}, status_code=404)
        return FileResponse(path, media_type=_MEDIA_TYPES[path.suffix],
                            headers={"Cache-Control": "no-cache"})

    @app.get("/", include_in_schema=False)
    def index() -> Any:
        return static("index.html")

    @app.get("/static/{name:path}", include_in_schema=False)
    def static_file(name: str) -> Any:
        return static(name)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Any:
        return Response(status_code=204)

    @app.get("/api/info")
    def info() -> Any:
        return data.info()

    @app.get("/api/unit/{index}")
    def unit(index: int, bins: int = 50, range_max: float = 0.25) -> Any:
        return data.unit(index, bins=bins, range_max=range_max)

    @app.get("/api/quality/{index}")
    def unit_quality(index: int) -> Any:
        from cortexkit.explorer._quality import quality_view

        return quality_view(data.spikes, data._check_unit(index))

    @app.get("/api/raster/{index}")
    def raster(index: int, t0: float | None = None, window: float = 10.0,
               neighbours: int = 10) -> Any:
        return data.raster(index, t0=t0, window=window, n_neighbours=neighbours)

    @app.get("/api/network")
    def network(n_neurons: int = 12, p: float = 0.25, timesteps: int = 4000,
                protocol: str = "all", method: str = "perturbation", fraction: float = 0.5,
                units: str = "0", seed: int | None = None) -> Any:
        try:
            unit_list = [int(u) for u in units.split(",") if u.strip()]
        except ValueError:
            raise ValidationError(
                f"units must be comma-separated neuron indices like '0,3'; got {units!r}",
                param="units"
            ) from None
        if seed is not None:
            seed = check_int("seed", seed, low=0, high=2**63 - 1)
        return network_view(n_neurons=n_neurons, p=p, timesteps=timesteps, protocol=protocol,
                            method=method, fraction=fraction, units=unit_list,
                            seed=data.seed if seed is None else seed)

    @app.post("/api/rsa/start")
    def rsa_start(architecture: str = "conv_pool_fc") -> Any:
        return rsa_job(architecture).start()

    @app.get("/api/rsa/status")
    def rsa_status(architecture: str = "conv_pool_fc") -> Any:
        return rsa_job(architecture).status()

    @app.get("/api/rsa/result")
    def rsa_result(architecture: str = "conv_pool_fc") -> Any:
        job = rsa_job(architecture)
        result = job.result()
        if result is None:
            return JSONResponse({"error": "not ready", **job.status()}, status_code=409)
        return result

    return app


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve(
    data: str | Path | None = None,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    seed: int = 0,
    spikes: Any = None,
    load_options: dict[str, Any] | None = None,
) -> None:
    """Run the explorer on ``http://host:port/`` until interrupted (Ctrl-C).

    Parameters
    ----------
    data : path, optional
        Recording to load with :func:`cortexkit.io.load_spikes` (default: bundled data).
    host : str, default "127.0.0.1"
        Interface to bind. The default is reachable from this computer only; give
        ``0.0.0.0`` to expose the explorer on the network (it has no authentication).
    port : int, default 8050
        TCP port (0 picks a free one; the address is printed on stderr).
    seed : int, default 0
        Seed of the bundled data and the simulations.
    spikes : SpikeTrains, optional
        An already loaded recording (instead of ``data``).
    load_options : dict, optional
        Extra options of ``load_spikes`` (e.g. ``sample_rate``).

    Examples
    --------
    >>> import cortexkit as ck
    >>> ck.explorer.serve(port=8050)       # doctest: +SKIP
    """
    optional_import("uvicorn")
    if not 0 <= int(port) <= 65535:
        raise ValidationError(f"port must be between 0 and 65535; got {port}", param="port")
    sock = _bind(host, int(port))  # fail fast, before loading data
    try:
        label = None
        if spikes is None:
            from cortexkit.io import load_recording

            spikes = load_recording(data, seed=seed, on_warning=_note, **(load_options or {}))
            label = (str(data) if data is not None
                     else f"bundled synthetic session (steinmetz_like, seed {seed})")
        allowed = None if _is_loopback(host) else ["*"]
        app = create_app(spikes, data_label=label, seed=seed, allowed_hosts=allowed)
        config = server_config(app, host, int(port))
        server = _make_server(config)
        server.run(sockets=[sock])
    finally:
        sock.close()


HEADER_TIMEOUT = 10.0  # s for a client to send a request's headers (slow-header clients)
KEEP_ALIVE_TIMEOUT = 5.0  # s an idle keep-alive connection stays open


def server_config(app: Any, host: str, port: int, *, header_timeout: float = HEADER_TIMEOUT,
                  keep_alive: float = KEEP_ALIVE_TIMEOUT) -> Any:
    """The uvicorn configuration of the explorer: h11 with a header timeout and limits.

    uvicorn closes idle keep-alive connections (``timeout_keep_alive``) but waits forever
    for the headers of a request that never completes them; the protocol here closes a
    connection whose headers are not complete ``header_timeout`` seconds after it opened
    or after its previous response.  Header size is capped by h11 (16 KiB) and the
    number of open connections by ``limit_concurrency``.
    """
    import uvicorn

    return uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False,
                          lifespan="off", http=_header_timeout_protocol(header_timeout),
                          timeout_keep_alive=cast(Any, keep_alive),  # float s work too
                          limit_concurrency=64,
                          h11_max_incomplete_event_size=16 * 1024)


def _header_timeout_protocol(seconds: float) -> Any:
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class HeaderTimeoutProtocol(H11Protocol):
        _header_timer: Any = None

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._arm()

        def _arm(self) -> None:
            self._disarm()
            self._header_timer = self.loop.call_later(seconds, self._header_timeout)

        def _disarm(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _header_timeout(self) -> None:
            self._header_timer = None
            if self.conn.their_state in (h11.IDLE,) and not self.transport.is_closing():
                self.transport.close()

        def handle_events(self) -> None:
            super().handle_events()
            if self.conn.their_state is not h11.IDLE:
                self._disarm()  # the request's headers are complete

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

    return HeaderTimeoutProtocol


def _note(message: str) -> None:
    print(f"note: {message}", file=sys.stderr)


def _bind(host: str, port: int) -> Any:
    """A socket bound to (host, port), or a ValidationError saying what to change."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                   flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise ValidationError(f"host {host!r} is not a usable address ({exc}); "
                              "use 127.0.0.1 (default) or 0.0.0.0", param="host") from None
    family, _, _, _, addr = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(addr)
    except OSError as exc:
        sock.close()
        raise ValidationError(f"cannot listen on {host}:{port} ({exc.strerror}); choose "
                              "another port (port=0 picks a free one)", param="port") from None
    return sock


def _make_server(config: Any) -> Any:
    """A uvicorn.Server that prints the address it actually bound once it listens."""
    import uvicorn

    class Server(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets=sockets)
            for srv in getattr(self, "servers", []):
                for sock in srv.sockets:
                    h, p = sock.getsockname()[:2]
                    shown = f"[{h}]" if ":" in h else h
                    print(f"cortexkit explorer listening on http://{shown}:{p}/ "
                          "(Ctrl-C to stop)", file=sys.stderr, flush=True)

    return Server(config)
