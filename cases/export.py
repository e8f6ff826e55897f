"""The case list of one county-month as the data contract §3 file (cases.csv), and as Excel.

UTF-8 with a BOM so that Excel shows the Chinese; evidence as JSON text; rows sorted by
place, finding and household so that two exports of the same month are identical.
"""

from __future__ import annotations

import csv
import json
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


def export_cases_xlsx(engine: Engine, county: str, period: str, out: Path) -> int:
    """The same rows as an Excel sheet; identity numbers stay text (Excel would round 18 digits)."""
    rows = export_rows(engine, county, period)
    out.parent.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame(rows, columns=EXPORT_COLUMNS)
    with pd.ExcelWriter(out, engine="xlsxwriter") as writer:
        frame.to_excel(writer, sheet_name="cases", index=False)
        sheet = writer.sheets["cases"]
        sheet.freeze_panes(1, 0)
    return len(rows)
