"""cases.export: contract §3 cases.csv (BOM, column order, JSON evidence) and the Excel copy."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
from casedata import COUNTY, finding, store
from sqlalchemy import Engine

from cases.export import EXPORT_COLUMNS, export_cases, export_cases_xlsx

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
