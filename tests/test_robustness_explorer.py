"""Regression tests of issue 14 for the explorer: every parameter validated, never a 500;
regression in the convergence view; idle and slow-header connections are closed."""

from __future__ import annotations

import socket
import time

import numpy as np
import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient  # noqa: E402

import cortexkit as ck  # noqa: E402
from cortexkit.explorer._server import HEADER_TIMEOUT, create_app  # noqa: E402


@pytest.fixture(scope="module")
def client():
    rng = np.random.default_rng(0)
    st = ck.SpikeTrains.from_list([np.sort(rng.uniform(0, 60, 400)) for _ in range(3)],
                                  t_stop=60.0)
    return TestClient(create_app(st), raise_server_exceptions=False)


BAD = [
    "/api/network?seed=-1",
    "/api/network?seed=99999999999999999999999",
    "/api/unit/0?range_max=1e308",
    "/api/unit/0?range_max=-1",
    "/api/unit/0?bins=1e9",
    "/api/unit/0?bins=100000",
    "/api/network?timesteps=nan",
    "/api/network?n_neurons=100000",
    "/api/network?method=regression&protocol=none&n_neurons=40&timesteps=30",
    "/api/network?p=2",
    "/api/raster/0?t0=nan",
    "/api/raster/0?neighbours=-5",
    "/api/quality/-1",
    "/api/rsa/status?architecture=zz",
]


@pytest.mark.parametrize("url", BAD)
def test_bad_parameter_is_4xx_with_message(client, url):
    r = client.get(url)
    assert r.status_code in (400, 422), (r.status_code, r.text)
    body = r.json()
    assert body.get("error") or body.get("detail")


@pytest.mark.parametrize("n", [12, 18, 20, 40])
def test_regression_in_convergence_view(client, n):
    r = client.get(f"/api/network?method=regression&protocol=none&n_neurons={n}"
                   "&timesteps=4000&seed=0")
    assert r.status_code == 200, r.text
    curve = r.json()["curve"]
    assert curve[0]["steps"] >= n + 4 and curve[-1]["steps"] == 4000
    assert curve[-1]["correlation"] is not None


def _closed_within(sock: socket.socket, bound: float) -> bool:
    """True if the peer closes ``sock`` (recv returns b"") within ``bound`` seconds."""
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        sock.settimeout(max(deadline - time.monotonic(), 0.01))
        try:
            data = sock.recv(4096)
        except TimeoutError:
            return False
        except ConnectionResetError:
            return True
        if not data:
            return True
    return False


@pytest.mark.parametrize("sent", [b"", b"GET /api/info HTTP/1.1\r\nHost: 127.0.0.1\r\n",
                                  b"GET /api/info HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"])
def test_idle_and_slow_header_connections_are_closed(explorer_server, sent):
    """Nothing sent, headers never finished, or a complete request then idle."""
    with socket.create_connection(("127.0.0.1", explorer_server.port), timeout=10) as s:
        if sent:
            s.sendall(sent)
        if sent.endswith(b"\r\n\r\n"):
            assert s.recv(65536).startswith(b"HTTP/1.1 200")
        assert _closed_within(s, 3 * HEADER_TIMEOUT + 10)


def test_slow_drip_of_header_bytes_is_closed(explorer_server):
    """A client that sends one header byte every second never finishes: closed anyway."""
    with socket.create_connection(("127.0.0.1", explorer_server.port), timeout=10) as s:
        s.sendall(b"GET /api/info HTTP/1.1\r\n")
        deadline = time.monotonic() + 3 * HEADER_TIMEOUT + 10
        closed = False
        while time.monotonic() < deadline:
            try:
                s.sendall(b"X")
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            if _closed_within(s, 1.0):
                closed = True
                break
        assert closed
