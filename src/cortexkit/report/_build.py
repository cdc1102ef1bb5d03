"""Assemble report sections into one self-contained HTML file."""

from __future__ import annotations

import datetime as _dt
import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cortexkit import __version__

_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45}
h1{border-bottom:2px solid #444}h2{border-bottom:1px solid #ccc;margin-top:2em}
nav ol{columns:2}figure{margin:1em 0}figure img{max-width:100%}
figcaption{font-size:.9em;color:#555}table.table{border-collapse:collapse;font-size:.85em}
table.table td,table.table th{padding:2px 8px;border-bottom:1px solid #eee;text-align:right}
dl.facts{display:grid;grid-template-columns:max-content auto;gap:2px 16px}
dl.facts dt{font-weight:600}.note{color:#666;font-size:.85em}
"""


@dataclass
class ReportContext:
    """What sections receive: the recording, a seed and a progress callback.

    ``cache`` lets sections share intermediate results (e.g. ISI stats used by two
    sections) without recomputing them.
    """

    spikes: Any
    data_label: str
    seed: int = 0
    quick: bool = False
    cache: dict[str, Any] = field(default_factory=dict)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def render_html(title: str, sections: list[tuple[str, list[str]]], subtitle: str = "") -> str:
    """Render ``(section title, blocks)`` pairs into one HTML page with a table of contents.

    Parameters
    ----------
    title : str
        Page title and heading.
    sections : list of (str, list of str)
        Section title and its HTML blocks (from :mod:`cortexkit.report.html`).
    subtitle : str, optional
        Line under the heading (the version and the time are added).

    Returns
    -------
    str
        A self-contained HTML page.

    Examples
    --------
    >>> from cortexkit.report import render_html
    >>> page = render_html("Demo", [("Intro", ["<p>hello</p>"])])
    >>> page.startswith("<!DOCTYPE html>"), '<section id="intro">' in page
    (True, True)
    """
    toc = "".join(f'<li><a href="#{_slug(t)}">{html.escape(t)}</a></li>' for t, _ in sections)
    body = "".join(
        f'<section id="{_slug(t)}"><h2>{html.escape(t)}</h2>{"".join(blocks)}</section>'
        for t, blocks in sections
    )
    stamp = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p class='note'>{html.escape(subtitle)} "
        f"· cortexkit {__version__} · {stamp}</p>"
        f"<nav><h2>Contents</h2><ol>{toc}</ol></nav>{body}</body></html>"
    )


def build_report(
    out: str | Path,
    spikes: Any = None,
    *,
    data_label: str = "bundled synthetic session (steinmetz_like, seed 0)",
    kinds: tuple[str, ...] = ("data",),
    seed: int = 0,
    quick: bool = False,
    progress: Any = None,
) -> Path:
    """Build the HTML report into ``out`` (atomically) and return its path.

    Parameters
    ----------
    out : path
        Target ``.html`` file.
    spikes : SpikeTrains, optional
        The recording (default: ``ck.datasets.steinmetz_like(seed)``).
    data_label : str
        Where the data came from (shown under the title).
    kinds : tuple of str
        ``("data",)`` for the recording's sections, add ``"model"`` for the LIF,
        causality and RSA sections (as ``cortexkit demo`` does).
    seed : int
        Seed for bundled data and simulations.
    quick : bool
        Smaller simulations (used by tests).
    progress : object, optional
        Progress reporter with ``step`` / ``advance`` (see ``cortexkit.cli._common``).

    Returns
    -------
    pathlib.Path
        The written report.

    Examples
    --------
    >>> import cortexkit as ck
    >>> ck.report.build_report("report.html", quick=True)  # doctest: +SKIP
    PosixPath('report.html')
    """
    from cortexkit._lib.atomic import atomic_path
    from cortexkit.report import available_sections

    if spikes is None:
        from cortexkit.datasets import steinmetz_like

        spikes = steinmetz_like(seed=seed)
    ctx = ReportContext(spikes=spikes, data_label=data_label, seed=seed, quick=quick)
    mods = available_sections(kinds)
    task = progress.step("building report", total=len(mods)) if progress else None
    rendered = []
    for _, mod in mods:
        rendered.append((mod.TITLE, mod.build(ctx)))
        if progress:
            progress.advance(task)
    page = render_html("cortexkit report", rendered, subtitle=f"Data: {data_label}")
    out = Path(out)
    with atomic_path(out) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return out
