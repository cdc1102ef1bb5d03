"""End to end: ``cortexkit serve`` in a subprocess, driven by headless Chromium.

What the page shows is checked against values computed here independently (NumPy
histogram of the same bundled session, SciPy entropy, the SSE formula in NumPy), and
against the server's own least-squares fit.
"""

from __future__ import annotations

import json
import urllib.request
from urllib.parse import urlparse

import numpy as np
import pytest
from scipy import stats

import cortexkit as ck

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def session():
    return ck.datasets.steinmetz_like(seed=0)


def _api(server, path):
    with urllib.request.urlopen(server.url + path.lstrip("/"), timeout=60) as resp:
        return json.loads(resp.read())


def _shown_counts(page):
    return json.loads(page.get_attribute("#isi-hist", "data-counts"))


def _shown_bits(page, estimator="plugin"):
    return float(page.get_attribute(
        f'#entropy-t tr[data-estimator="{estimator}"] td.value', "data-bits"))


def _shown_sse(page):
    return float(page.get_attribute("#sse-value", "data-sse"))


def _expected(session, index, bins=50, rmax=0.25):
    isis = np.diff(session.train(index))
    counts, edges = np.histogram(isis, bins=bins, range=(0.0, rmax))
    return counts, edges


def _sse_numpy(model, p, counts, edges):
    x = 0.5 * (edges[:-1] + edges[1:])
    if model == "exponential":
        pred = p["scale"] * np.exp(p["rate"] * (x - p["x0"]))
    elif model == "inverse":
        pred = p["scale"] / (x - p["x0"])
    else:
        pred = p["slope"] * x + p["y0"]
    return float(np.sum((np.asarray(counts) - pred) ** 2))


def _only_local(requests, port):
    bad = []
    for url in requests:
        u = urlparse(url)
        if u.scheme == "data":
            continue
        if (u.scheme, u.hostname, u.port) != ("http", "127.0.0.1", port):
            bad.append(url)
    return bad


def test_pick_unit_and_move_slider(explorer_server, watched_page, session):
    page = watched_page.page
    page.goto(explorer_server.url)
    page.wait_for_selector("#isi-hist[data-unit]", timeout=120_000)
    first = int(page.get_attribute("#isi-hist", "data-unit"))
    info = _api(explorer_server, "/api/info")
    assert first == info["default_unit"]
    assert page.locator("#unit-select option").count() == session.n_units

    # What is shown for the first unit equals NumPy/SciPy on the same data.
    counts1, edges = _expected(session, first)
    assert _shown_counts(page) == counts1.tolist()
    assert _shown_bits(page) == pytest.approx(stats.entropy(counts1, base=2), rel=1e-9)
    fit1 = _api(explorer_server, f"/api/unit/{first}")["curves"]["exponential"]
    assert _shown_sse(page) == pytest.approx(fit1["sse"], rel=1e-9)
    assert _shown_sse(page) == pytest.approx(
        _sse_numpy("exponential", fit1["params"], counts1, edges), rel=1e-9)
    raster_first = page.get_attribute("#raster-svg", "data-unit")
    assert raster_first == str(first)

    # Pick another unit: a regular unit with a clearly different ISI distribution.
    kinds = session.unit_info["kind"].to_numpy()
    candidates = [i for i in np.argsort(-session.counts)
                  if kinds[i] == "regular" and i != first]
    other = int(candidates[0])
    page.select_option("#unit-select", str(other))
    page.wait_for_selector(f"#isi-hist[data-unit='{other}']", timeout=60_000)
    page.wait_for_selector(f"#raster-svg[data-unit='{other}']", timeout=60_000)
    counts2, _ = _expected(session, other)
    shown2 = _shown_counts(page)
    assert shown2 == counts2.tolist()
    assert shown2 != counts1.tolist()
    bits2 = _shown_bits(page)
    assert bits2 == pytest.approx(stats.entropy(counts2, base=2), rel=1e-9)
    assert bits2 != pytest.approx(stats.entropy(counts1, base=2), rel=1e-6)
    fit2 = _api(explorer_server, f"/api/unit/{other}")["curves"]["exponential"]
    sse2_attr = page.get_attribute("#sse-value", "data-sse")
    sse2 = float(sse2_attr)
    assert sse2 == pytest.approx(fit2["sse"], rel=1e-9)
    # the raster highlights the picked unit in red
    assert page.locator("#raster-svg path[stroke='#d62728']").count() == 1

    # Move the exponential rate slider with the keyboard, as a user would.
    curve_before = page.get_attribute("#slider-curve", "d")
    slider = page.locator("#slider-rate")
    slider.focus()
    for _ in range(6):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "s => document.getElementById('sse-value').dataset.sse !== s",
        arg=sse2_attr)
    params = json.loads(page.get_attribute("#sse-value", "data-params"))
    assert params["rate"] > fit2["params"]["rate"]  # ArrowRight increases the rate
    assert params["scale"] == fit2["params"]["scale"]
    sse3 = _shown_sse(page)
    assert sse3 == pytest.approx(_sse_numpy("exponential", params, counts2, edges), rel=1e-9)
    assert sse3 > sse2  # away from the least-squares optimum the error grows
    assert page.inner_text("#value-rate") != ""
    assert page.get_attribute("#slider-curve", "d") != curve_before

    # Switch to the linear curve: sliders restart at its fit, then move the slope.
    page.select_option("#curve-model", "linear")
    page.wait_for_function("() => document.getElementById('sse-value').dataset.model"
                           " === 'linear'")
    lin = _api(explorer_server, f"/api/unit/{other}")["curves"]["linear"]
    sse_lin = page.get_attribute("#sse-value", "data-sse")
    assert float(sse_lin) == pytest.approx(lin["sse"], rel=1e-9)
    page.locator("#slider-slope").focus()
    page.keyboard.press("ArrowLeft")
    page.wait_for_function(
        "s => document.getElementById('sse-value').dataset.sse !== s", arg=sse_lin)
    p_lin = json.loads(page.get_attribute("#sse-value", "data-params"))
    assert p_lin["slope"] < lin["params"]["slope"]
    assert _shown_sse(page) == pytest.approx(_sse_numpy("linear", p_lin, counts2, edges),
                                             rel=1e-9)
    assert _shown_sse(page) > lin["sse"]

    # The inverse curve: its x0 slider cannot cross the first bin centre (a pole).
    page.select_option("#curve-model", "inverse")
    page.wait_for_function("() => document.getElementById('sse-value').dataset.model"
                           " === 'inverse'")
    inv = _api(explorer_server, f"/api/unit/{other}")["curves"]["inverse"]
    sse_inv = page.get_attribute("#sse-value", "data-sse")
    assert float(sse_inv) == pytest.approx(inv["sse"], rel=1e-9)
    x0_max = float(page.get_attribute("#slider-x0", "max"))
    assert x0_max < 0.5 * (edges[0] + edges[1])
    page.locator("#slider-scale").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "s => document.getElementById('sse-value').dataset.sse !== s", arg=sse_inv)
    p_inv = json.loads(page.get_attribute("#sse-value", "data-params"))
    assert _shown_sse(page) == pytest.approx(_sse_numpy("inverse", p_inv, counts2, edges),
                                             rel=1e-9)

    # Fewer bins: the histogram is recomputed on the server.
    page.fill("#hist-bins", "20")
    page.press("#hist-bins", "Enter")
    page.wait_for_function("() => JSON.parse(document.getElementById('isi-hist')"
                           ".dataset.counts).length === 20")
    counts20, _ = _expected(session, other, bins=20)
    assert _shown_counts(page) == counts20.tolist()
    assert _shown_bits(page) == pytest.approx(stats.entropy(counts20, base=2), rel=1e-9)

    assert page.locator("#error-box").is_hidden()
    assert watched_page.console_errors == []
    assert _only_local(watched_page.requests, explorer_server.port) == []


def test_network_view_converges(explorer_server, watched_page):
    page = watched_page.page
    page.goto(explorer_server.url + "#network-view")
    page.wait_for_selector("#isi-hist[data-unit]", timeout=120_000)
    page.fill("#net-form input[name=n_neurons]", "10")
    page.fill("#net-form input[name=timesteps]", "6000")
    page.click("#net-run")
    page.wait_for_selector("#net-score-t", timeout=60_000)
    assert page.locator("#net-true-svg rect").count() == 100
    assert page.locator("#net-est-svg rect").count() == 100
    corr = float(page.get_attribute('#net-score-t tr[data-score="correlation"] td.value',
                                    "data-value"))
    # the same request through the API gives the same final score and a converging curve
    res = _api(explorer_server, "/api/network?n_neurons=10&p=0.25&timesteps=6000&protocol=all"
                                "&method=perturbation&fraction=0.5&units=0,1&seed=0")
    assert corr == pytest.approx(res["score"]["correlation"])
    assert res["curve"][-1]["correlation"] > res["curve"][0]["correlation"]
    assert corr > 0.8
    # a bad parameter shows the server's message instead of failing silently
    page.fill("#net-form input[name=n_neurons]", "1000")
    page.click("#net-run")
    page.wait_for_function("() => document.getElementById('net-status')"
                           ".textContent.startsWith('error')")
    assert "n_neurons" in page.inner_text("#net-status")
    assert watched_page.console_errors == [] or all(
        "400" in e for e in watched_page.console_errors)
    assert _only_local(watched_page.requests, explorer_server.port) == []


def test_rdm_view_trains_and_compares(explorer_server, watched_page):
    page = watched_page.page
    page.goto(explorer_server.url + "#rsa-view")
    page.wait_for_selector("#isi-hist[data-unit]", timeout=120_000)
    page.select_option("#rsa-arch", "fc")
    page.click("#rsa-start")
    page.wait_for_function(
        "() => ['done', 'error'].includes(document.getElementById('rsa-status').dataset.state)",
        timeout=300_000)
    assert page.get_attribute("#rsa-status", "data-state") == "done", \
        page.inner_text("#rsa-status")
    page.wait_for_selector("#rsa-t")
    systems = page.locator("#rsa-rdms .rdm").evaluate_all(
        "els => els.map(e => e.dataset.system)")
    assert systems == ["V1", "fc"]
    # each RDM is drawn as a 24 x 24 grid of cells
    assert page.locator("#rsa-rdms .rdm[data-system='V1'] rect").count() == 24 * 24
    shown = float(page.get_attribute("#rsa-bars-svg rect[data-layer='fc']", "data-similarity"))
    res = _api(explorer_server, "/api/rsa/result?architecture=fc")
    assert shown == pytest.approx(res["similarity"]["fc"])
    v1 = np.asarray(res["rdms"]["V1"])
    fc = np.asarray(res["rdms"]["fc"])
    iu = np.triu_indices(v1.shape[0], 1)
    assert shown == pytest.approx(stats.pearsonr(v1[iu], fc[iu])[0], abs=1e-3)
    assert watched_page.console_errors == []
    assert _only_local(watched_page.requests, explorer_server.port) == []
