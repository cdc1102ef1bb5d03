"""Self-contained HTML report.

A report is a list of sections. Each section lives in
``cortexkit/report/sections/<name>.py`` and defines ``TITLE``, ``KIND`` (``"data"``:
computed from the recording; ``"model"``: simulations and models, shown by ``demo``)
and ``build(ctx) -> list[str]`` returning HTML blocks made with :mod:`cortexkit.report.html`.
Figures are embedded as base64 PNG, so the file makes no external request.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from cortexkit.report._build import ReportContext, build_report, render_html

# Display order; a section whose module does not exist yet is skipped.
SECTION_ORDER = ("description", "quality", "isi", "information", "lif", "causality", "rsa")

__all__ = ["SECTION_ORDER", "ReportContext", "build_report", "render_html", "available_sections"]


def available_sections(kinds: tuple[str, ...] = ("data", "model")) -> list[tuple[str, Any]]:
    """(name, module) of the section modules present, in display order.

    Parameters
    ----------
    kinds : tuple of str
        Section kinds to include: ``"data"`` (about the recording), ``"model"`` (LIF,
        causality, RSA).

    Returns
    -------
    list of (str, module)
        Each module has ``TITLE``, ``KIND`` and ``build(ctx)``.

    Examples
    --------
    >>> from cortexkit.report import available_sections
    >>> [name for name, _ in available_sections(("model",))][:2]
    ['lif', 'causality']
    """
    found = []
    for name in SECTION_ORDER:
        modname = f"cortexkit.report.sections.{name}"
        if importlib.util.find_spec(modname) is None:
            continue
        mod = importlib.import_module(modname)
        if mod.KIND in kinds:
            found.append((name, mod))
    return found


