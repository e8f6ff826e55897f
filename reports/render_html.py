"""Self-contained HTML (charts inlined as base64, CSS inlined) that prints well on A4."""

from __future__ import annotations

import base64
import datetime as dt
import math
from pathlib import Path

import jinja2
import pandas as pd

from reports.fonts import cjk_family
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
    return env


def render_html(report: Report) -> str:
    env = _env()
    return env.get_template("report.html").render(
        report=report,
        css=(TEMPLATES / "report.css").read_text(encoding="utf-8"),
        font=cjk_family(),
        generated=dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
    )
