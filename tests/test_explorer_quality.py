"""Explorer quality view: the API returns ck.quality.unit_summary's numbers; the page
draws them (headless Chromium)."""

from __future__ import annotations

import json
import urllib.request

import numpy as np
import pytest

import cortexkit as ck

fastapi_testclient = pytest.importorskip("fastapi.testclient")


@pytest.fixture(scope="module")
def ibl(real_data_dir):
    return ck.io.load_spikes(real_data_dir / "ibl-slidingrp-3units")


def test_quality_api_is_the_workflow(ibl, monkeypatch):
    seen = []
    original = ck.quality.unit_summary

    def spy(*a, **k):
        seen.append(original(*a, **k))
        return seen[-1]

    monkeypatch.setattr(ck.quality, "unit_summary", spy)
    client = fastapi_testclient.TestClient(ck.explorer.create_app(ibl, data_label="ibl"))
    res = client.get("/api/quality/2").json()
    assert len(seen) == 1
    q = seen[0]
    assert res["id"] == 275 == q.unit and res["unit"] == 2
    assert res["metrics"]["slidingrp_min_contamination"] == q.metrics[
        "slidingrp_min_contamination"]
    assert res["metrics"]["slidingrp_pass"] is False
    np.testing.assert_allclose(res["sliding"]["confidence"], q.sliding.threshold_confidence)
    np.testing.assert_allclose(res["sliding"]["rp_ms"], q.sliding.rp * 1e3)
    assert res["acg"]["counts"] == q.acg.counts[0, 0].tolist()
    # NaN metrics are null in JSON
    assert client.get("/api/quality/0").json()["metrics"]["slidingrp_min_contamination"] is None
    bad = client.get("/api/quality/3")
    assert bad.status_code == 400 and "out of range" in bad.json()["error"]


def _api(server, path):
    with urllib.request.urlopen(server.url + path.lstrip("/"), timeout=60) as resp:
        return json.loads(resp.read())


@pytest.mark.browser
@pytest.mark.slow
def test_quality_panel_follows_the_picked_unit(explorer_server, watched_page):
    page = watched_page.page
    page.goto(explorer_server.url)
    page.wait_for_selector("#quality-acg-svg[data-unit]", timeout=120_000)
    first = int(page.get_attribute("#quality-acg-svg", "data-unit"))
    st = ck.datasets.steinmetz_like(seed=0)
    q = ck.quality.unit_summary(st, st.unit_ids[first].item())
    shown = json.loads(page.get_attribute("#quality-acg-svg", "data-counts"))
    assert shown == q.acg.counts[0, 0].tolist()
    conf = json.loads(page.get_attribute("#quality-curve-svg", "data-confidence"))
    np.testing.assert_allclose(conf, q.sliding.threshold_confidence, rtol=1e-12)
    verdict = "PASS" if q.metrics["slidingrp_pass"] else "FAIL"
    assert f"sliding RP {verdict}" in page.inner_text("#quality-facts")

    other = (first + 1) % st.n_units
    page.select_option("#unit-select", str(other))
    page.wait_for_selector(f"#quality-acg-svg[data-unit='{other}']", timeout=60_000)
    api = _api(explorer_server, f"/api/quality/{other}")
    assert json.loads(page.get_attribute("#quality-acg-svg", "data-counts")) == \
        api["acg"]["counts"]
    assert page.locator("#error-box").is_hidden()
    assert watched_page.console_errors == []
