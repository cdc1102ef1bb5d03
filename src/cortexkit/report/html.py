"""Small HTML building blocks for report sections (all output is escaped)."""

from __future__ import annotations

import base64
import html
import io
from typing import Any


def figure(fig: Any, caption: str, *, close: bool = True) -> str:
    """Embed a matplotlib figure as a base64 PNG ``<figure>`` with a caption."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    if close:
        plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    cap = html.escape(caption)
    return (f'<figure><img alt="{cap}" src="data:image/png;base64,{data}">'
            f"<figcaption>{cap}</figcaption></figure>")


def table(df: Any, *, max_rows: int = 30, float_format: str = "{:.4g}") -> str:
    """An HTML table of a DataFrame (first ``max_rows`` rows)."""
    shown = df.head(max_rows)
    out = shown.to_html(index=False, border=0, classes="table",
                        float_format=lambda v: float_format.format(v), na_rep="–")
    if len(df) > max_rows:
        out += f"<p class='note'>showing {max_rows} of {len(df)} rows</p>"
    return out


def paragraph(text: str) -> str:
    """A paragraph of escaped text."""
    return f"<p>{html.escape(text)}</p>"


def facts(items: dict[str, Any]) -> str:
    """A definition list of key facts."""
    rows = "".join(f"<dt>{html.escape(str(k))}</dt><dd>{html.escape(_fmt(v))}</dd>"
                   for k, v in items.items())
    return f"<dl class='facts'>{rows}</dl>"


def subheading(text: str) -> str:
    """A third-level heading inside a section."""
    return f"<h3>{html.escape(text)}</h3>"


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)
