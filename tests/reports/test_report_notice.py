"""Public notice (公示) of inclusions: the right people, masked."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
from report_fixtures import COUNTY, OCT, SEP, case_rows
from report_truth import latest_decisions, rows
from sqlalchemy import Engine

from reports.notice import write_public_notice


def included_ids(engine: Engine, period: str) -> set[str]:
    latest = latest_decisions(engine, COUNTY)
    found = rows(
        engine,
        "SELECT c.case_id FROM cases c JOIN case_observations o ON o.case_id = c.case_id"
        " WHERE c.county = :county AND o.period = :period AND c.category = 'missed'",
        county=COUNTY,
        period=period,
    )
    return {cid for (cid,) in found if latest.get(cid) in ("included", "rectified")}


def test_notice_lists_inclusions_masked(store: Engine, tmp_path: Path) -> None:
    paths = write_public_notice(store, COUNTY, OCT, tmp_path / "公示-2026-10.xlsx")
    sheet = openpyxl.load_workbook(paths["xlsx"]).active
    assert sheet is not None and sheet.freeze_panes == "A2"
    data = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(data) == len(included_ids(store, OCT)) == 4
    with paths["csv"].open(encoding="utf-8-sig") as f:
        assert len(list(csv.DictReader(f))) == len(data)
    content = paths["csv"].read_text(encoding="utf-8-sig") + repr(data)
    for row in case_rows():
        assert row["id_number"] not in content
        assert row["name"] not in content
    header = [c.value for c in sheet[1]]
    names = [r[header.index("姓名")] for r in data]
    assert all(len(n) >= 2 and set(n[1:]) == {"*"} for n in names)


def test_notice_covers_only_the_month_s_cases(store: Engine, tmp_path: Path) -> None:
    """A month's notice lists only inclusions among that month's cases (September: three of the four)."""
    paths = write_public_notice(store, COUNTY, SEP, tmp_path / "notice.xlsx")
    data = list(openpyxl.load_workbook(paths["xlsx"]).active.iter_rows(min_row=2, values_only=True))
    assert len(data) == len(included_ids(store, SEP)) == 3
