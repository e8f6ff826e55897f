"""Case-store queries as DataFrames: the only place reports read the database.

Everything goes through SQLAlchemy on the tables of `cases.schema`, so a report's
figures are the case store's figures. Town names are the division table's (by code),
the roll's own spelling where the table lacks the code (`town_roll` keeps the latter).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from cases.schema import Case, CaseEvent, CaseObservation, Run
from hecha.findings import HOUSEHOLD_LEVEL
from hecha.privacy import mask_id
from reports import divisions

# Inspector decisions (cases.workflow.decide). Positive = the finding was true.
POSITIVE = ("confirmed", "included", "rectified")
NEGATIVE = ("cleared", "reinstated")  # reinstated: a wrongly stopped payment restored with back-pay
AMOUNTS = ("monthly_amount_stopped", "amount_to_recover", "amount_recovered", "amount_paid", "back_pay")

CASE_COLUMNS = [
    "case_id",
    "finding",
    "category",
    "program",
    "household_id",
    "id_number",
    "name",
    "region_code",
    "town",
    "village",
    "first_period",
    "last_period",
    "score",
    "est_monthly_overpayment",
    "est_cumulative_overpayment",
    "evidence",
    "status",
    "created_at",
]


def latest_run(engine: Engine, county: str, period: str, run_id: str | None = None) -> Run | None:
    """The latest succeeded run of a county-month (re-runs add rows; the newest wins).

    With `run_id`, that run whatever its status: a run writes its own report before it may
    call itself succeeded (its outputs must exist first).
    """
    if run_id is not None:
        with Session(engine) as session:
            run = session.get(Run, run_id)
            return run if run is not None and run.county == county and run.period == period else None
    stmt = (
        select(Run)
        .where(Run.county == county, Run.period == period, Run.status == "succeeded")
        .order_by(Run.finished_at.desc().nulls_last(), Run.started_at.desc())
        .limit(1)
    )
    with Session(engine) as session:
        return session.scalars(stmt).first()


def cases(engine: Engine, county: str) -> pd.DataFrame:
    """All cases of a county, current state."""
    stmt = select(*[getattr(Case, c) for c in CASE_COLUMNS]).where(Case.county == county)
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    frame = _named_towns(pd.DataFrame(rows, columns=CASE_COLUMNS))
    frame["id_masked"] = [_person_id_masked(r) for r in frame.to_dict("records")]
    return frame


def _named_towns(frame: pd.DataFrame) -> pd.DataFrame:
    frame["town_roll"] = frame["town"]
    frame["town"] = divisions.town_names(frame["region_code"], frame["town"])
    return frame


def _person_id_masked(case: Mapping[Hashable, Any]) -> str:
    """The masked number of the person a case names: for a household case, the named member's from the evidence."""
    if case["id_number"] and case["finding"] not in HOUSEHOLD_LEVEL:
        return mask_id(case["id_number"])
    records = [r for r in (case["evidence"] or {}).get("records") or [] if isinstance(r, dict) and r.get("id_masked")]
    named = [r for r in records if r.get("name") == case["name"]] or records
    if named:
        return str(named[0]["id_masked"])
    return mask_id(case["id_number"]) if case["id_number"] else ""


def run_periods(engine: Engine, county: str) -> set[str]:
    """Months with a succeeded run: a month without one is a gap in a series, not a zero."""
    stmt = select(Run.period).where(Run.county == county, Run.status == "succeeded").distinct()
    with engine.connect() as conn:
        return {p for (p,) in conn.execute(stmt)}


def first_event_at(engine: Engine, county: str, kind: str) -> pd.Series:
    """case_id -> when the case first got an event of this kind (notified, decision, …)."""
    stmt = (
        select(CaseEvent.case_id, func.min(CaseEvent.at))
        .join(Case, Case.case_id == CaseEvent.case_id)
        .where(Case.county == county, CaseEvent.kind == kind)
        .group_by(CaseEvent.case_id)
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return pd.Series({case_id: at for case_id, at in rows}, dtype="datetime64[ns]")


def observations(engine: Engine, county: str) -> pd.DataFrame:
    """Every (case, period) a run saw, with the case's fixed attributes joined on."""
    stmt = (
        select(
            CaseObservation.case_id,
            CaseObservation.period,
            CaseObservation.est_monthly_overpayment,
            CaseObservation.est_cumulative_overpayment,
            CaseObservation.score,
            Case.finding,
            Case.category,
            Case.town,
            Case.village,
            Case.region_code,
        )
        .join(Case, Case.case_id == CaseObservation.case_id)
        .where(Case.county == county)
    )
    columns = [
        "case_id",
        "period",
        "est_monthly_overpayment",
        "est_cumulative_overpayment",
        "score",
        "finding",
        "category",
        "town",
        "village",
        "region_code",
    ]
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return _named_towns(pd.DataFrame(rows, columns=columns))


def decisions(engine: Engine, county: str) -> pd.DataFrame:
    """Every inspector decision event, oldest first, with the payload's amounts as columns."""
    stmt = (
        select(
            CaseEvent.event_id, CaseEvent.case_id, CaseEvent.at, CaseEvent.actor, CaseEvent.to_status, CaseEvent.payload
        )
        .join(Case, Case.case_id == CaseEvent.case_id)
        .where(Case.county == county, CaseEvent.kind == "decision")
        .order_by(CaseEvent.event_id)
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    records: list[dict[str, Any]] = []
    for event_id, case_id, at, actor, to_status, payload in rows:
        payload = payload or {}
        record = {
            "event_id": event_id,
            "case_id": case_id,
            "at": at,
            "actor": actor,
            "decision": payload.get("decision") or to_status,
            "action": payload.get("action") or "",
            "reason": payload.get("reason") or "",
        }
        for amount in AMOUNTS:
            value = payload.get(amount)
            record[amount] = float(value) if value is not None else float("nan")
        records.append(record)
    columns = ["event_id", "case_id", "at", "actor", "decision", "action", "reason", *AMOUNTS]
    return pd.DataFrame(records, columns=columns)


def outcomes(engine: Engine, county: str) -> pd.DataFrame:
    """One row per decided case: its latest decision and the money its decisions moved.

    `cases.workflow.decide` records on each event what that step did (confirmed: stopped
    and to recover; rectified: recovered or paid; reinstated: back pay), so amounts are
    summed over the case's events. A case whose latest decision is negative (cleared,
    reinstated) has nothing stopped and nothing left to recover: payment was restored.
    """
    events = decisions(engine, county)
    columns = ["case_id", "decision", "decided_at", "action", "n_decisions", *AMOUNTS]
    if events.empty:
        return pd.DataFrame(columns=columns)
    grouped = events.groupby("case_id", sort=False)
    last = grouped.tail(1).set_index("case_id")
    result = pd.DataFrame({"decision": last["decision"], "decided_at": last["at"], "action": last["action"]})
    result["n_decisions"] = grouped.size()
    for amount in AMOUNTS:
        result[amount] = grouped[amount].sum(min_count=1).fillna(0.0)
    negative = result["decision"].isin(NEGATIVE)
    result.loc[negative, ["monthly_amount_stopped", "amount_to_recover"]] = 0.0
    return result.reset_index()[columns]


def previous_period(period: str) -> str:
    year, month = (int(p) for p in period.split("-"))
    return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"


def periods_between(period_from: str, period_to: str) -> list[str]:
    result = []
    current = period_to
    while current >= period_from:
        result.append(current)
        current = previous_period(current)
    return result[::-1]
