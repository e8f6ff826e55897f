"""Turning a findings frame (hecha.findings.FINDING_COLUMNS) into clean case rows keyed by case_id.

Frames arrive with NaN, numpy scalars and timestamps; the store needs plain str/float
values and JSON-able evidence, and exactly one row per case.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
from typing import Any

import numpy as np
import pandas as pd

from cases.ids import case_id
from cases.schema import Case
from hecha.findings import FINDINGS, HOUSEHOLD_LEVEL

log = logging.getLogger(__name__)

# Fields of a case that follow the latest month it was found in.
CURRENT_FIELDS = (
    "program",
    "household_id",
    "id_number",
    "name",
    "person_id",
    "region_code",
    "town",
    "village",
    "score",
    "est_monthly_overpayment",
    "est_cumulative_overpayment",
    "evidence",
)

CLIPPED = ("program", "household_id", "id_number", "name", "person_id", "region_code", "town", "village")
_LENGTHS: dict[str, int] = {f: Case.__table__.c[f].type.length for f in CLIPPED}  # type: ignore[attr-defined]


def finding_rows(county: str, findings: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """One clean row per case_id; if a rule emits a subject twice, the higher score wins."""
    rows: dict[str, dict[str, Any]] = {}
    duplicates = 0
    for record in findings.to_dict("records"):
        row = clean_row(record)
        cid = case_id(county, row["finding"], row["subject_key"])
        if cid in rows:
            duplicates += 1
            if row["score"] <= rows[cid]["score"]:
                continue
        rows[cid] = row
    if duplicates:
        log.warning("%d duplicate finding rows merged (same finding and subject)", duplicates)
    return rows


def clean_row(record: dict[Any, Any]) -> dict[str, Any]:
    """Plain values for one finding; text is clipped to its column (PostgreSQL refuses longer strings)."""
    finding = text(record.get("finding"))
    if finding not in FINDINGS:
        raise ValueError(f"unknown finding code {finding!r}")
    subject_key = text(record.get("subject_key"))
    if not subject_key:
        raise ValueError(f"{finding} row without subject_key")
    category = text(record.get("category")) or FINDINGS[finding][0]
    row: dict[str, Any] = {
        "finding": finding,
        "category": category,
        "subject_key": subject_key,
        "program": text(record.get("program")),
        "household_id": text(record.get("household_id")),
        "id_number": "" if finding in HOUSEHOLD_LEVEL else text(record.get("id_number")),
        "name": text(record.get("name")),
        "person_id": text(record.get("person_id")),
        "region_code": text(record.get("region_code")),
        "town": text(record.get("town")),
        "village": text(record.get("village")),
        "score": number(record.get("score")) or 0.0,
        "est_monthly_overpayment": 0.0
        if category == "missed"
        else number(record.get("est_monthly_overpayment")) or 0.0,
        "est_cumulative_overpayment": number(record.get("est_cumulative_overpayment")),
        "evidence": jsonable(record.get("evidence")),
    }
    for field in CLIPPED:
        row[field] = row[field][: _LENGTHS[field]]
    return row


def _missing(value: Any) -> bool:
    return value is None or (not isinstance(value, (dict, list, tuple)) and bool(pd.isna(value)))


def text(value: Any) -> str:
    return "" if _missing(value) else no_nul(str(value)).strip()


def no_nul(value: str) -> str:
    """Text without NUL characters: PostgreSQL refuses them in text and JSON; SQLite would keep them."""
    return value.replace("\x00", "\ufffd") if "\x00" in value else value


def number(value: Any) -> float | None:
    if _missing(value):
        return None
    result = float(value)
    return None if math.isnan(result) else result


def jsonable(evidence: Any) -> dict[str, Any]:
    """Evidence as plain JSON types: NaN becomes null (PostgreSQL rejects NaN in JSON), dates ISO text."""
    if _missing(evidence):
        return {}
    if isinstance(evidence, str):
        evidence = json.loads(evidence) if evidence.strip() else {}
    result = plain_json(evidence)
    return result if isinstance(result, dict) else {"value": result}


def plain_json(value: Any) -> Any:
    """JSON-safe copy: NaN/inf become null, numpy scalars plain numbers, dates ISO text, sets sorted lists."""
    if isinstance(value, str):
        return no_nul(value)
    if isinstance(value, dict):
        return {no_nul(str(k)): plain_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return [plain_json(v) for v in items]
    if _missing(value):
        return None
    if isinstance(value, (dt.date, pd.Timestamp, np.datetime64)):
        return pd.Timestamp(value).isoformat() if not isinstance(value, dt.date) else value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return None if math.isinf(value) else value
    if isinstance(value, (int, bool)):
        return value
    return no_nul(str(value))
