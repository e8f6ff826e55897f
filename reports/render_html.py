"""Self-contained HTML (charts inlined as base64, CSS inlined) that prints well on A4."""

from __future__ import annotations

import base64
import datetime as dt
import math
from pathlib import Path

import jinja2
import markupsafe
import pandas as pd

from reports.fonts import cjk_family, serif_family
from reports.model import Report

TEMPLATES = Path(__file__).parent / "templates"


def fmt(value: object, column: str = "") -> str:
    """Numbers as readers expect them: thousands separators, shares as percentages, — for none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int) or (hasattr(value, "dtype") and pd.api.types.is_integer(value)):
        return f"{int(value):,}"
    if isinstance(value, float):
        if "倍" in column:
            return f"{value:.2f} 倍"
        if "率" in column or "占比" in column:
            return f"{value:.1%}"
        if "分" in column:
            return f"{value:.3f}"
        return f"{value:,.2f}"
    return str(value)


def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    env.filters["fmt"] = fmt
    env.filters["b64"] = lambda data: base64.b64encode(data).decode("ascii")
    env.filters["css_string"] = css_string
    return env


def css_string(text: str) -> markupsafe.Markup:
    """Text inside a CSS `content: "…"` string: quotes and backslashes escaped for CSS, not for HTML.

    HTML escaping there (`&#34;`) would print literally, as the page numbers once did.
    """
    escaped = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ").replace("\n", " ")
    return markupsafe.Markup(escaped)


def render_html(report: Report) -> str:
    env = _env()
    return env.get_template("report.html").render(
        report=report,
        css=(TEMPLATES / "report.css").read_text(encoding="utf-8"),
        sans=cjk_family(),
        serif=serif_family(),
        generated=dt.datetime.now().strftime("%Y年%m月%d日"),
    )
