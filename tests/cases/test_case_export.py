"""cases.export: contract §3 cases.csv (BOM, column order, JSON evidence) and the Excel copy."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
from casedata import COUNTY, finding, store
from sqlalchemy import Engine

from cases.export import EXPORT_COLUMNS, export_cases, export_cases_files, export_cases_xlsx, export_rows

CONTRACT_COLUMNS = [
    "case_id",
    "period",
    "region_code",
    "finding",
    "category",
    "program",
    "household_id",
    "id_number",
    "name",
    "score",
    "est_monthly_overpayment",
    "status",
    "evidence",
]


def _seed(engine: Engine) -> None:
    store(engine, "2026-10", finding("DECEASED_PAID", "A"), finding("DECEASED_PAID", "Z"))
    store(
        engine,
        "2026-11",
        finding("DECEASED_PAID", "A", score=0.87654, region_code="429006100202", name="阿依古丽·买买提"),
        finding("VEHICLE_OWNED", "B", id_number="42900619500101001X", est_monthly_overpayment=1234.567),
        finding("MISSED_ELDERLY_ALLOWANCE", "E", id_number="429006194001010011", est_monthly_overpayment=50.0),
    )


def test_export_follows_the_contract(sqlite_engine: Engine, tmp_path: Path) -> None:
    """BOM, exact columns, one row per case observed in the month, JSON evidence, empty household id_number."""
    _seed(sqlite_engine)
    out = tmp_path / "out" / "cases.csv"
    assert export_cases(sqlite_engine, COUNTY, "2026-11", out) == 3
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert EXPORT_COLUMNS == CONTRACT_COLUMNS
    assert list(rows[0].keys()) == CONTRACT_COLUMNS
    assert [r["finding"] for r in rows] == ["MISSED_ELDERLY_ALLOWANCE", "VEHICLE_OWNED", "DECEASED_PAID"]
    elderly, vehicle, deceased = rows
    assert vehicle["id_number"] == "" and vehicle["est_monthly_overpayment"] == "1234.57"
    assert elderly["id_number"] == "429006194001010011" and float(elderly["est_monthly_overpayment"]) == 0.0
    assert deceased["score"] == "0.877" and deceased["name"] == "阿依古丽·买买提" and deceased["period"] == "2026-11"
    assert {r["status"] for r in rows} == {"open"}
    evidence = json.loads(deceased["evidence"])
    assert evidence["summary_zh"] == "测试证据" and "测试证据" in deceased["evidence"]  # not \\u-escaped
    assert export_cases(sqlite_engine, COUNTY, "2026-10", tmp_path / "oct.csv") == 2


def test_export_is_stable(sqlite_engine: Engine, tmp_path: Path) -> None:
    """Two exports of the same month are byte-identical."""
    _seed(sqlite_engine)
    export_cases(sqlite_engine, COUNTY, "2026-11", tmp_path / "a.csv")
    export_cases(sqlite_engine, COUNTY, "2026-11", tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_excel_keeps_identity_numbers_as_text(sqlite_engine: Engine, tmp_path: Path) -> None:
    _seed(sqlite_engine)
    out = tmp_path / "cases.xlsx"
    assert export_cases_xlsx(sqlite_engine, COUNTY, "2026-11", out) == 3
    sheet = openpyxl.load_workbook(out).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    assert header == CONTRACT_COLUMNS
    assert sheet.cell(row=2, column=header.index("id_number") + 1).value == "429006194001010011"


def test_excel_keeps_every_identity_number_household_id_and_code_as_text(sqlite_engine: Engine, tmp_path: Path) -> None:
    """Opened in Excel, no 18-digit number becomes 4.29006E+17: every key cell is a text cell, digit for digit."""
    store(
        sqlite_engine,
        "2026-11",
        finding("DECEASED_PAID", "N", id_number="429006195001010018", household_id="4290060012010001234"),
        finding("DECEASED_PAID", "M", id_number="42900619500101002X", household_id="0042900600123"),
        finding("VEHICLE_OWNED", "B", id_number="42900619500101001X"),
    )
    out = tmp_path / "cases.xlsx"
    rows = export_rows(sqlite_engine, COUNTY, "2026-11")
    export_cases_xlsx(sqlite_engine, COUNTY, "2026-11", out)
    sheet = openpyxl.load_workbook(out).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    for column in ("id_number", "household_id", "region_code", "case_id"):
        cells = [r[header.index(column)] for r in sheet.iter_rows(min_row=2)]
        expected = [r[column] for r in rows]
        assert [c.value or "" for c in cells] == expected
        assert all(c.data_type == "s" for c in cells if c.value), column
    numbers = [r[header.index("id_number")].value for r in sheet.iter_rows(min_row=2)]
    assert {"429006195001010018", "42900619500101002X"} <= set(numbers)
    households = [r[header.index("household_id")].value for r in sheet.iter_rows(min_row=2)]
    assert "0042900600123" in households  # a leading zero survives too


def test_excel_is_laid_out_for_work_and_print(sqlite_engine: Engine, tmp_path: Path) -> None:
    _seed(sqlite_engine)
    out = tmp_path / "cases.xlsx"
    export_cases_xlsx(sqlite_engine, COUNTY, "2026-11", out)
    sheet = openpyxl.load_workbook(out).active
    assert sheet is not None
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:M4"
    assert sheet.print_title_rows in ("1:1", "$1:$1")
    assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 9
    evidence = sheet.column_dimensions["M"]
    assert evidence.width and evidence.width <= 52 and sheet["M2"].alignment.wrap_text


def test_csv_and_xlsx_written_side_by_side(sqlite_engine: Engine, tmp_path: Path) -> None:
    """What the monthly flow's outputs step writes: cases.csv and cases.xlsx with the same rows."""
    _seed(sqlite_engine)
    paths = export_cases_files(sqlite_engine, COUNTY, "2026-11", tmp_path / "run" / "cases.csv")
    assert paths["cases_xlsx"] == tmp_path / "run" / "cases.xlsx"
    csv_ids = [r["case_id"] for r in csv.DictReader(paths["cases_csv"].read_text("utf-8-sig").splitlines())]
    sheet = openpyxl.load_workbook(paths["cases_xlsx"]).active
    assert sheet is not None
    assert [r[0].value for r in sheet.iter_rows(min_row=2)] == csv_ids
