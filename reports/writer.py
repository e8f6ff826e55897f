"""Write one report in every format under one file stem."""

from __future__ import annotations

from pathlib import Path

from reports.model import Report
from reports.render_html import render_html
from reports.render_pdf import html_to_pdf
from reports.render_xlsx import write_xlsx


def write_all(report: Report, out_dir: Path, stem: str) -> dict[str, Path]:
    """HTML first; the PDF is printed from the same HTML so both show the same figures."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"html": out_dir / f"{stem}.html", "pdf": out_dir / f"{stem}.pdf", "xlsx": out_dir / f"{stem}.xlsx"}
    html = render_html(report)
    paths["html"].write_text(html, encoding="utf-8")
    html_to_pdf(html, paths["pdf"])
    write_xlsx(report, paths["xlsx"])
    return paths
