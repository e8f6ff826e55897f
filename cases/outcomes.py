"""Inspectors' conclusions as training labels and precision counts.

Only the latest decision of a case counts: a case confirmed and later cleared on appeal
was a false positive. confirmed/included/rectified are true positives; cleared and
reinstated (payment wrongly stopped, then restored) are false positives.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, select

from cases.db import session_scope
from cases.schema import Case, CaseEvent

OUTCOME_COLUMNS = [
    "case_id",
    "finding",
    "category",
    "subject_key",
    "household_id",
    "region_code",
    "period",
    "decision",
    "decided_at",
    "true_positive",
]
TRUE_POSITIVE = frozenset({"confirmed", "included", "rectified"})


def load_outcomes(engine: Engine, county: str) -> pd.DataFrame:
    """One row per decided case of the county: its latest decision (OUTCOME_COLUMNS)."""
    query = (
        select(
            Case.case_id,
            Case.finding,
            Case.category,
            Case.subject_key,
            Case.household_id,
            Case.region_code,
            CaseEvent.period,
            CaseEvent.payload,
            CaseEvent.at,
        )
        .join(CaseEvent, CaseEvent.case_id == Case.case_id)
        .where(Case.county == county, CaseEvent.kind == "decision")
        .order_by(CaseEvent.event_id)
    )
    latest: dict[str, dict[str, object]] = {}
    with session_scope(engine) as session:
        for row in session.execute(query):
            decision = str(row.payload.get("decision", ""))
            latest[row.case_id] = {
                "case_id": row.case_id,
                "finding": row.finding,
                "category": row.category,
                "subject_key": row.subject_key,
                "household_id": row.household_id,
                "region_code": row.region_code,
                "period": row.period,
                "decision": decision,
                "decided_at": row.at,
                "true_positive": decision in TRUE_POSITIVE,
            }
    frame = pd.DataFrame(list(latest.values()), columns=OUTCOME_COLUMNS)
    frame["true_positive"] = frame["true_positive"].astype(bool)
    return frame.sort_values("case_id", kind="stable").reset_index(drop=True)
