"""End to end: the self-contained HTML report opened from file:// in headless Chromium.

Every request the page makes is intercepted; anything that is not ``file:`` or ``data:``
fails the test (the report must need nothing from the network).
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlparse

import pytest

from cortexkit import report

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def built_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "report.html"
    path = report.build_report(out, kinds=("data", "model"), quick=True)
    return path


def _open(watched_page, path):
    page = watched_page.page
    external: list[str] = []

    def guard(route):
        scheme = urlparse(route.request.url).scheme
        if scheme in ("file", "data"):
            route.continue_()
        else:
            external.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.goto(path.resolve().as_uri())
    page.wait_for_load_state("load")
    page.wait_for_function("() => Array.from(document.images).every(i => i.complete)")
    return page, external


def test_report_sections_and_figures(built_report, watched_page):
    page, external = _open(watched_page, built_report)
    available = report.available_sections(("data", "model"))
    # every section of the report's contract exists (description, ISI, information, LIF,
    # causality, RSA) and is shown in this order
    assert [name for name, _ in available] == list(report.SECTION_ORDER)
    expected = [mod.TITLE for _, mod in available]
    headings = [h.strip() for h in page.locator("section > h2").all_inner_texts()]
    assert headings == expected

    # every section has at least one figure, and every figure decoded to real pixels
    for title in expected:
        sec = page.locator("section", has=page.locator("h2", has_text=title)).first
        n_img = sec.locator("figure img").count()
        assert n_img >= 1, f"section {title!r} has no figure"
    sizes = page.evaluate(
        "() => Array.from(document.images).map(i => [i.naturalWidth, i.naturalHeight, "
        "i.currentSrc.slice(0, 22)])")
    assert sizes, "the report has no images"
    for w, h, src in sizes:
        assert w > 0 and h > 0
        assert src.startswith("data:image/")

    # the table of contents points at every section
    hrefs = page.locator("nav a").evaluate_all("els => els.map(a => a.getAttribute('href'))")
    assert len(hrefs) == len(expected)
    for href in hrefs:
        assert href.startswith("#") and page.locator(href).count() == 1

    assert watched_page.console_errors == []
    assert external == []
    assert all(urlparse(u).scheme in ("file", "data") for u in watched_page.requests)


def test_report_file_loads_nothing_external(built_report):
    # Hyperlinks in the text are fine (they are not loaded); anything the browser would
    # fetch by itself (src=, <link href>, CSS url(), @import) must be inline data.
    text = html.unescape(built_report.read_text(encoding="utf-8"))
    fetched = re.findall(r"""(?:src|srcset|poster|data)\s*=\s*["']?([^"'\s>]+)""", text)
    fetched += re.findall(r"""<link[^>]*href\s*=\s*["']?([^"'\s>]+)""", text)
    fetched += re.findall(r"""url\(\s*["']?([^"')]+)""", text)
    fetched += re.findall(r"""@import\s+["']([^"']+)""", text)
    assert fetched, "no embedded resources found at all"
    assert [u for u in fetched if not u.startswith("data:")] == []
