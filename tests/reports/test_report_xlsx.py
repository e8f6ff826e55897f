"""Every report workbook works in Excel and on paper: frozen header, autofilter, print titles, A4 landscape."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from report_fixtures import COUNTY, OCT, OVERDUE_CUTOFF, SEP
from sqlalchemy import Engine

from reports.campaign import write_campaign_report
from reports.monthly import write_monthly_report
from reports.notice import write_public_notice


def assert_laid_out(path: Path) -> None:
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", (path.name, sheet.title)
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:"), sheet.title
        assert sheet.print_title_rows in ("1:1", "$1:$1"), sheet.title
        assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 9
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert all((sheet.column_dimensions[c].width or 0) >= 6 for c in sheet.column_dimensions)


@pytest.mark.parametrize("kind", ["monthly", "campaign", "notice"])
def test_every_workbook_is_laid_out(store: Engine, tmp_path: Path, kind: str) -> None:
    if kind == "monthly":
        path = write_monthly_report(store, COUNTY, OCT, tmp_path)["xlsx"]
    elif kind == "campaign":
        as_of = OVERDUE_CUTOFF + dt.timedelta(days=30)
        path = write_campaign_report(store, "专项", COUNTY, SEP, OCT, tmp_path, as_of=as_of)["xlsx"]
    else:
        path = write_public_notice(store, COUNTY, OCT, tmp_path / "notice.xlsx")["xlsx"]
    assert_laid_out(path)


def test_campaign_workbook_masks_every_person_it_names(store: Engine, tmp_path: Path) -> None:
    as_of = OVERDUE_CUTOFF + dt.timedelta(days=30)
    path = write_campaign_report(store, "专项", COUNTY, SEP, OCT, tmp_path, as_of=as_of)["xlsx"]
    sheet = openpyxl.load_workbook(path)["典型案例"]
    header = [c.value for c in sheet[1]]
    ids = [r[header.index("身份证号码")].value for r in sheet.iter_rows(min_row=2)]
    names = [r[header.index("姓名")].value for r in sheet.iter_rows(min_row=2)]
    assert ids and all(isinstance(v, str) and "*" in v for v in ids)
    assert all(names)
