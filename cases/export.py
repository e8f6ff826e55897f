"""The case list of one county-month as the data contract §3 file (cases.csv), and as Excel.

UTF-8 with a BOM so that Excel shows the Chinese; evidence as JSON text; rows sorted by
place, finding and household so that two exports of the same month are identical.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select

from cases.db import session_scope
from cases.schema import Case, CaseObservation
from hecha.findings import HOUSEHOLD_LEVEL

EXPORT_COLUMNS = [
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


def export_rows(engine: Engine, county: str, period: str) -> list[dict[str, Any]]:
    """One row per case observed in the county-month, with that month's score, amount and evidence."""
    query = (
        select(Case, CaseObservation)
        .join(CaseObservation, CaseObservation.case_id == Case.case_id)
        .where(Case.county == county, CaseObservation.period == period)
    )
    with session_scope(engine) as session:
        rows = [_row(case, obs) for case, obs in session.execute(query).tuples()]
    rows.sort(key=lambda r: (r["region_code"], r["finding"], r["household_id"], r["id_number"], r["case_id"]))
    return rows


def _row(case: Case, obs: CaseObservation) -> dict[str, Any]:
    return {
        "case_id": case.case_id,
        "period": obs.period,
        "region_code": case.region_code,
        "finding": case.finding,
        "category": case.category,
        "program": obs.program,
        "household_id": case.household_id,
        "id_number": "" if case.finding in HOUSEHOLD_LEVEL else case.id_number,
        "name": case.name,
        "score": round(min(max(obs.score, 0.0), 1.0), 3),
        "est_monthly_overpayment": 0.0 if case.category == "missed" else round(obs.est_monthly_overpayment, 2),
        "status": case.status,
        "evidence": json.dumps(obs.evidence, ensure_ascii=False, sort_keys=True),
    }


def export_cases(engine: Engine, county: str, period: str, out: Path) -> int:
    """Write cases.csv (contract §3) to `out`; returns the number of rows."""
    rows = export_rows(engine, county, period)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=EXPORT_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


# Columns Excel must keep as text: 18-digit numbers would lose their last digits as numbers.
TEXT_COLUMNS = (
    "case_id",
    "region_code",
    "household_id",
    "id_number",
    "bank_account",
    "身份证号码",
    "家庭编号",
    "银行账号",
)
WRAP_WIDTH = 50  # wider text wraps at this width instead of running off the printed page


def _width(value: object) -> int:
    """Display width: a CJK character takes two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(value))


def layout_sheet(workbook: Any, sheet: Any, frame: pd.DataFrame, formats: dict[str, Any] | None = None) -> None:
    """A sheet a clerk can use and print: frozen header, autofilter, fitted widths, wrapped long text, A4 landscape.

    `formats` maps a column to an xlsxwriter format (money, shares); text columns get the text format.
    """
    formats = formats or {}
    header = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#F1E4E4", "border": 1})
    text = workbook.add_format({"num_format": "@"})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    for i, column in enumerate(frame.columns):
        sheet.write_string(0, i, str(column), header)
        values = [v for v in frame[column].head(500).tolist() if not (isinstance(v, float) and math.isnan(v))]
        widest = max([_width(column), *(_width(v) for v in values)]) + 2
        fmt = formats.get(column) or (text if column in TEXT_COLUMNS else None)
        if widest > WRAP_WIDTH:
            fmt, widest = wrap, WRAP_WIDTH
        sheet.set_column(i, i, max(widest, 6), fmt)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(frame), 1), max(len(frame.columns) - 1, 0))
    sheet.repeat_rows(0)  # print titles: the header on every printed page
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)  # all columns on the page width, as many pages down as needed
    sheet.set_footer("&C第 &P 页 共 &N 页")


def write_sheets(sheets: list[tuple[str, pd.DataFrame]], path: Path, formats: Any = None) -> Path:
    """Frames to one workbook, one laid-out sheet each; `formats(workbook, frame)` gives per-column formats."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="xlsxwriter") as writer:
        for name, frame in sheets:
            frame.to_excel(writer, sheet_name=name, index=False)
            layout_sheet(writer.book, writer.sheets[name], frame, formats(writer.book, frame) if formats else None)
    return path


def export_cases_xlsx(engine: Engine, county: str, period: str, out: Path) -> int:
    """The same rows as an Excel sheet; identity numbers, household ids and accounts stay text cells."""
    rows = export_rows(engine, county, period)
    frame = pd.DataFrame(rows, columns=EXPORT_COLUMNS)
    write_sheets([("cases", frame)], out)
    return len(rows)


def export_cases_files(engine: Engine, county: str, period: str, csv_path: Path) -> dict[str, Path]:
    """cases.csv and cases.xlsx beside it (contract §3): the csv for systems, the xlsx for Excel users."""
    export_cases(engine, county, period, csv_path)
    xlsx = csv_path.with_suffix(".xlsx")
    export_cases_xlsx(engine, county, period, xlsx)
    return {"cases_csv": csv_path, "cases_xlsx": xlsx}
