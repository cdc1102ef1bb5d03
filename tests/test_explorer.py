"""The explorer's server: JSON endpoints (in-process), security and binding (real process)."""

from __future__ import annotations

import json
import socket
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

import cortexkit as ck
from cortexkit.cli import main

fastapi_testclient = pytest.importorskip("fastapi.testclient")


@pytest.fixture(scope="module")
def small_session():
    """Three units with known ISI laws: exponential, gamma (regular), and a sparse one."""
    rng = np.random.default_rng(7)
    trains = [
        np.cumsum(rng.exponential(0.02, 3000)),
        np.cumsum(rng.gamma(5.0, 0.01, 2000)),
        np.sort(rng.uniform(0, 40, 30)),
    ]
    t_stop = max(float(t[-1]) for t in trains) + 0.1
    return ck.SpikeTrains.from_list(trains, t_stop=t_stop)


@pytest.fixture(scope="module")
def client(small_session):
    app = ck.explorer.create_app(small_session, data_label="three units", seed=3)
    with fastapi_testclient.TestClient(app) as c:
        yield c


def test_info_lists_units(client, small_session):
    info = client.get("/api/info").json()
    assert info["label"] == "three units"
    assert info["n_units"] == 3
    assert [u["n_spikes"] for u in info["units"]] == small_session.counts.tolist()
    assert info["default_unit"] == int(np.argmax(small_session.counts))


def test_unit_view_matches_numpy_and_scipy(client, small_session):
    for index in range(2):
        d = client.get(f"/api/unit/{index}?bins=40&range_max=0.2").json()
        isis = np.diff(small_session.train(index))
        counts, edges = np.histogram(isis, bins=40, range=(0, 0.2))
        assert d["counts"] == counts.tolist()
        np.testing.assert_allclose(d["edges"], edges)
        assert d["entropy"]["bits"]["plugin"] == pytest.approx(stats.entropy(counts, base=2))
        x = 0.5 * (edges[:-1] + edges[1:])
        p = d["curves"]["exponential"]["params"]
        pred = p["scale"] * np.exp(p["rate"] * (x - p["x0"]))
        assert d["curves"]["exponential"]["sse"] == pytest.approx(np.sum((counts - pred) ** 2))
        p = d["curves"]["linear"]["params"]
        assert d["curves"]["linear"]["sse"] == pytest.approx(
            np.sum((counts - (p["slope"] * x + p["y0"])) ** 2))
        refs = d["entropy"]["references"]
        # the maximum-entropy PMF under the mean constraint beats the other references
        for name in ("deterministic", "uniform", "exponential"):
            assert refs["max_entropy"]["entropy"] >= refs[name]["entropy"] - 1e-9
        # expected counts of the best ML fit: a distribution over the histogram's bins
        expected = np.asarray(d["distributions"]["expected_counts"])
        assert expected.shape == counts.shape and np.all(expected >= 0)
        assert expected.sum() <= isis.size + 1e-6
    # the exponential unit's exponential fit explains the histogram far better than a line
    d0 = client.get("/api/unit/0").json()
    assert d0["curves"]["exponential"]["r2"] > 0.9 > d0["curves"]["linear"]["r2"]
    # gamma(5) ISIs are regular: CV near 1/sqrt(5)
    d1 = client.get("/api/unit/1").json()
    assert d1["stats"]["cv"] == pytest.approx(1 / np.sqrt(5), rel=0.1)


def test_raster_window(client, small_session):
    d = client.get("/api/raster/1?t0=2&window=3&neighbours=1").json()
    assert [r["index"] for r in d["rows"]] == [0, 1, 2]
    tr = small_session.train(1)
    expected = tr[(tr >= 2) & (tr < 5)]
    np.testing.assert_allclose(d["rows"][1]["times"], expected, atol=1e-6)


@pytest.mark.parametrize(("path", "word"), [
    ("/api/unit/3", "unit index 3"),
    ("/api/unit/0?bins=1", "bins"),
    ("/api/unit/0?range_max=-1", "range_max"),
    ("/api/raster/0?window=0", "window"),
    ("/api/network?n_neurons=1000", "n_neurons"),
    ("/api/network?protocol=sometimes", "protocol"),
    ("/api/network?protocol=none&method=perturbation", "perturbed"),
    ("/api/network?protocol=units&units=a,b", "units"),
    ("/api/network?protocol=units&units=40", "units"),
    ("/api/rsa/status?architecture=resnet", "architecture"),
])
def test_bad_parameters_are_400_with_message(client, path, word):
    r = client.get(path)
    assert r.status_code == 400
    assert word in r.json()["error"]


def test_network_estimate_converges(client):
    d = client.get("/api/network?n_neurons=10&timesteps=6000&protocol=all"
                   "&method=perturbation&seed=1").json()
    A = np.asarray(d["A"])
    est = np.asarray(d["estimate"])
    assert A.shape == est.shape == (10, 10)
    steps = [r["steps"] for r in d["curve"]]
    assert steps == sorted(steps) and steps[-1] == 6000
    assert d["curve"][-1]["correlation"] > d["curve"][0]["correlation"]
    assert d["score"]["correlation"] > 0.8
    # the served score is the library's score of the served matrices
    s = ck.causality.score(est, A)
    assert d["score"]["correlation"] == pytest.approx(s.correlation, abs=1e-3)
    # same request, same answer (seeded)
    again = client.get("/api/network?n_neurons=10&timesteps=6000&protocol=all"
                       "&method=perturbation&seed=1").json()
    assert again["estimate"] == d["estimate"]


def test_static_files_and_headers(client):
    r = client.get("/")
    assert r.status_code == 200 and "cortexkit explorer" in r.text
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/static/nope.js").status_code == 404
    # page and script reference no other host
    for name in ("index.html", "app.js", "style.css"):
        text = client.get(f"/static/{name}").text
        assert "http://" not in text.replace("http://www.w3.org/2000/svg", "")
        assert "https://" not in text


def test_foreign_host_header_refused(client):
    # DNS rebinding: a page on another origin resolving to 127.0.0.1 is refused
    assert client.get("/api/info", headers={"host": "evil.example"}).status_code == 400


@pytest.mark.slow
def test_rsa_job_trains_in_background(client, monkeypatch, tmp_path):
    monkeypatch.setenv("CORTEXKIT_CACHE_DIR", str(tmp_path))
    assert client.get("/api/rsa/status?architecture=fc").json()["state"] == "idle"
    assert client.get("/api/rsa/result?architecture=fc").status_code == 409
    assert client.post("/api/rsa/start?architecture=fc").json()["state"] == "running"
    client.app.state.rsa_jobs["fc"].wait(timeout=300)
    status = client.get("/api/rsa/status?architecture=fc").json()
    assert status["state"] == "done", status
    res = client.get("/api/rsa/result?architecture=fc").json()
    assert res["layers"] == ["fc"]
    v1 = np.asarray(res["rdms"]["V1"])
    fc = np.asarray(res["rdms"]["fc"])
    n = len(res["orientations"])
    assert v1.shape == fc.shape == (n, n) and n == 24
    np.testing.assert_allclose(v1, v1.T, atol=1e-5)
    np.testing.assert_allclose(np.diag(v1), 0, atol=1e-5)
    iu = np.triu_indices(n, 1)
    assert res["similarity"]["fc"] == pytest.approx(
        stats.pearsonr(v1[iu], fc[iu])[0], abs=1e-3)
    # a second start does not retrain
    assert client.post("/api/rsa/start?architecture=fc").json()["state"] == "done"


# ------------------------------------------------------------------ the real server process
def _raw_get(port: int, path: str) -> tuple[int, bytes]:
    """GET ``path`` byte for byte (no client-side normalisation of ``..``)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                  "Connection: close\r\n\r\n".encode("latin-1"))
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    status = int(data.split(b" ", 2)[1])
    return status, data


TRAVERSALS = [
    "/static/../../etc/passwd",
    "/static/../../../../../../etc/passwd",
    "/static/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/static/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/static/..%252F..%252Fetc%252Fpasswd",
    "/static/%2Fetc%2Fpasswd",
    "/static//etc/passwd",
    "/static/..\\..\\..\\etc\\passwd",
    "/static/app.js/../../../../etc/passwd",
    "/../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
    # files that do exist next to the static folder must not be reachable either
    "/static/../_server.py",
    "/static/..%2F_server.py",
    "/static/%2e%2e/__init__.py",
]


def test_no_path_traversal(explorer_server):
    status, body = _raw_get(explorer_server.port, "/static/app.js")
    assert status == 200 and b"cortexkit explorer" in body  # the probe itself works
    server_src = (Path(ck.explorer.__file__).parent / "_server.py").read_bytes()
    for path in TRAVERSALS:
        status, body = _raw_get(explorer_server.port, path)
        assert status in (400, 404), (path, status)
        assert b"root:" not in body, path
        assert server_src[:200] not in body, path


def _listening_addresses(port: int) -> set[str]:
    """Local addresses of LISTEN sockets on ``port`` from /proc/net/tcp (Linux)."""
    found = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            local, state = fields[1], fields[3]
            addr, p = local.split(":")
            if int(p, 16) == port and state == "0A" and len(addr) == width:
                if width == 8:
                    found.add(socket.inet_ntop(socket.AF_INET, bytes.fromhex(addr)[::-1]))
                else:
                    raw = b"".join(bytes.fromhex(addr[i:i + 8])[::-1] for i in range(0, 32, 8))
                    found.add(socket.inet_ntop(socket.AF_INET6, raw))
    return found


def _outside_address() -> str | None:
    """This machine's non-loopback IPv4 address, if any (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))
            ip = s.getsockname()[0]
        except OSError:
            return None
    return None if ip.startswith("127.") else ip


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc/net/tcp")
def test_binds_loopback_by_default(explorer_server):
    assert _listening_addresses(explorer_server.port) == {"127.0.0.1"}
    assert f"http://127.0.0.1:{explorer_server.port}/" in explorer_server.stderr
    ip = _outside_address()
    if ip is not None:  # not reachable from the network
        with pytest.raises(OSError):
            socket.create_connection((ip, explorer_server.port), timeout=5).close()


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc/net/tcp")
def test_host_option_and_real_data(real_data_dir, start_explorer):
    folder = real_data_dir / "ibl-slidingrp-3units"
    times = np.load(folder / "spikes.times.npy")
    with start_explorer(str(folder), "--host", "0.0.0.0") as server:
        assert _listening_addresses(server.port) == {"0.0.0.0"}
        with urllib.request.urlopen(server.url + "api/info", timeout=30) as resp:
            info = json.loads(resp.read())
        # the served recording is the real one given on the command line
        assert info["n_spikes"] == times.size
        assert info["label"] == str(folder)
        clusters = np.load(folder / "spikes.clusters.npy")
        assert info["n_units"] == np.unique(clusters).size


def test_serve_bad_input_exit_2(capsys, tmp_path):
    assert main(["serve", "--port", "70000"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "--port" in err and err.count("\n") == 1
    assert main(["serve", str(tmp_path / "missing.npz"), "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert "missing.npz" in err and "Traceback" not in err


def test_serve_port_in_use_exit_2(capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert f"127.0.0.1:{port}" in err and "--port" in err
