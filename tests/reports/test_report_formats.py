"""The three formats: self-contained printable HTML, PDF with Chinese glyphs, typed XLSX."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from matplotlib import image
from report_fixtures import COUNTY, OCT
from report_truth import month_obs
from sqlalchemy import Engine

from hecha.labels import finding_zh
from reports.monthly import build_monthly, write_monthly_report
from reports.render_html import fmt

needs_poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")


@pytest.fixture(scope="module")
def written(store: Engine, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_monthly_report(store, COUNTY, OCT, tmp_path_factory.mktemp("monthly"))


def test_html_is_self_contained_and_printable(written: dict[str, Path]) -> None:
    html = written["html"].read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "no external resources"
    assert html.count("data:image/png;base64,") >= 2
    assert "@page" in html and "@media print" in html
    assert "社会救助核查月报" in html


def test_html_shows_the_headline_figures(store: Engine, written: dict[str, Path]) -> None:
    html = written["html"].read_text(encoding="utf-8")
    obs = month_obs(store, COUNTY, OCT)
    total = fmt(sum(o.monthly for o in obs))
    assert re.search(rf'data-key="monthly_overpayment".*?<div class="value">{re.escape(total)}<', html, re.S)
    assert re.search(rf'data-key="findings".*?<div class="value">{len(obs)}<', html, re.S)


def test_xlsx_has_one_sheet_per_table_frozen_headers_and_numbers(store: Engine, written: dict[str, Path]) -> None:
    report = build_monthly(store, COUNTY, OCT)
    book = openpyxl.load_workbook(written["xlsx"])
    assert book.sheetnames[0] == "主要指标"
    assert book.sheetnames[1:] == [t.title for t in report.tables()]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
    by_code = book["按规则"]
    header = [c.value for c in by_code[1]]
    n_col = header.index("线索数") + 1
    money_col = header.index("月多发金额估计（元）") + 1
    counts = {r[0].value: r[n_col - 1].value for r in by_code.iter_rows(min_row=2)}
    assert all(isinstance(v, int) for v in counts.values())
    assert all(isinstance(r[money_col - 1].value, int | float) for r in by_code.iter_rows(min_row=2))
    obs = month_obs(store, COUNTY, OCT)
    assert counts == {finding_zh(c): n for c, n in Counter(o.finding for o in obs).items()}
    assert sum(counts.values()) == len(obs)
    metrics = {r[0].value: r[1].value for r in book["主要指标"].iter_rows(min_row=2)}
    assert metrics["本月线索"] == len(obs)
    assert metrics["估计每月多发金额"] == pytest.approx(sum(o.monthly for o in obs))
    assert by_code.column_dimensions["B"].width >= 12  # Chinese names are not squeezed


@needs_poppler
def test_pdf_renders_chinese(written: dict[str, Path], tmp_path: Path) -> None:
    """The first page rasterises to a non-blank image and its text layer holds the Chinese title."""
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(written["pdf"]), str(tmp_path / "p")], check=True
    )
    pixels = image.imread(next(tmp_path.glob("p*.png")))
    assert float(np.var(pixels)) > 0.005
    fonts = subprocess.run(["pdffonts", str(written["pdf"])], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts and " yes " in fonts  # a CJK font, embedded
    text = subprocess.run(["pdftotext", "-l", "1", str(written["pdf"]), "-"], capture_output=True, text=True).stdout
    assert "社会救助核查月报" in text and "本月疑点线索" in text
