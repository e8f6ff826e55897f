"""Writing one run's findings into the case store, in one transaction.

A case lives across months: the same finding about the same subject keeps its case_id
(`cases.ids.case_id`), every month it is found adds an observation, and every change of
state appends an event. Re-running a month replaces that month's observations and adds
no events, so a re-run is idempotent. Nothing is ever deleted from `cases` or
`case_events`; a case the data no longer shows becomes `resolved_by_data`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import pandas as pd
from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy.orm import Session

from cases.db import session_scope
from cases.findings_rows import CURRENT_FIELDS, finding_rows, plain_json
from cases.ids import id_hash
from cases.schema import OPEN_STATUSES, Case, CaseEvent, CaseObservation, CasePerson, Run, utcnow
from cases.workflow import workflow_status
from hecha.summary import CaseCounts

log = logging.getLogger(__name__)

DECIDED_STATUSES = ("cleared", "included", "rectified")
SYSTEM = "system"


def start_run(engine: Engine, run_id: str, county: str, period: str, policy: dict[str, Any]) -> None:
    """Record that a run began, so a crash leaves a visible `running`/`failed` row."""
    with session_scope(engine) as session:
        run = session.get(Run, run_id)
        if run is None:
            session.add(Run(run_id=run_id, county=county, period=period, policy=plain_json(policy), status="running"))
        else:
            run.status, run.policy, run.finished_at = "running", plain_json(policy), None


def fail_run(engine: Engine, run_id: str, error: str) -> None:
    """Mark a run failed (in its own transaction: the run's writes were rolled back)."""
    with session_scope(engine) as session:
        run = session.get(Run, run_id)
        if run is None:
            log.warning("fail_run: unknown run %s", run_id)
            return
        run.status, run.finished_at = "failed", utcnow()
        run.summary = {**(run.summary or {}), "error": error}


def update_run_summary(engine: Engine, run_id: str, summary: Mapping[str, Any]) -> None:
    """Replace a run's summary (the flow adds timings and output paths after the cases are written)."""
    with session_scope(engine) as session:
        session.get_one(Run, run_id).summary = plain_json(summary)


def write_run(
    engine: Engine,
    run_id: str,
    county: str,
    period: str,
    findings: pd.DataFrame,
    summary: Mapping[str, Any],
    output_dir: str | None,
    people: pd.DataFrame | None = None,
) -> CaseCounts:
    """Store a run's findings as cases; returns {"new", "carried_over", "resolved_by_data", "total_open"}.

    Everything happens in one transaction: an exception leaves the store as it was.
    """
    rows = finding_rows(county, findings)
    with session_scope(engine) as session:
        _claim_run(session, run_id, county, period)
        latest = _is_latest_period(session, county, period, run_id)
        existing = {c.case_id: c for c in session.scalars(select(Case).where(Case.county == county))}
        seen = _seen_in_period(session, county, period)
        for cid, row in rows.items():
            _upsert_case(session, existing.get(cid), cid, county, period, run_id, row, cid in seen)
        session.flush()
        _replace_observations(session, county, period, run_id, rows)
        if latest:
            _resolve_missing(session, existing, rows, period, run_id)
        if people is not None:
            _replace_people(session, period, run_id, rows, people)
        session.flush()
        counts = _counts(session, county, period)
        run = session.get_one(Run, run_id)
        run.status, run.finished_at, run.output_dir = "succeeded", utcnow(), output_dir
        run.summary = plain_json({**summary, "cases": counts})
    log.info("run %s stored %s/%s: %s", run_id, county, period, counts)
    return counts


def _claim_run(session: Session, run_id: str, county: str, period: str) -> None:
    """Write the run row first: on SQLite this takes the write lock for the whole transaction."""
    result = session.execute(update(Run).where(Run.run_id == run_id).values(status="running"))
    if not getattr(result, "rowcount", 0):
        session.add(Run(run_id=run_id, county=county, period=period, status="running"))
        session.flush()


def _is_latest_period(session: Session, county: str, period: str, run_id: str) -> bool:
    """Only a run of the newest month may conclude that a case disappeared (a backfill may not)."""
    last_run = session.scalar(
        select(func.max(Run.period)).where(Run.county == county, Run.status == "succeeded", Run.run_id != run_id)
    )
    last_case = session.scalar(select(func.max(Case.last_period)).where(Case.county == county))
    return all(p is None or period >= p for p in (last_run, last_case))


def _seen_in_period(session: Session, county: str, period: str) -> set[str]:
    """Cases that already have their created/seen_again event for this period (re-runs add none)."""
    query = (
        select(CaseEvent.case_id)
        .join(Case, Case.case_id == CaseEvent.case_id)
        .where(Case.county == county, CaseEvent.period == period, CaseEvent.kind.in_(("created", "seen_again")))
    )
    return set(session.scalars(query))


def _event(case_id: str, kind: str, period: str, run_id: str, old: str | None, new: str | None) -> CaseEvent:
    return CaseEvent(
        case_id=case_id,
        actor=SYSTEM,
        kind=kind,
        period=period,
        from_status=old,
        to_status=new,
        payload={"run_id": run_id},
    )


def _upsert_case(
    session: Session,
    case: Case | None,
    cid: str,
    county: str,
    period: str,
    run_id: str,
    row: dict[str, Any],
    seen: bool,
) -> None:
    """Insert a new case, or refresh an existing one and note that it was seen again."""
    if case is None:
        fields = {k: row[k] for k in ("finding", "category", "subject_key", *CURRENT_FIELDS)}
        session.add(Case(case_id=cid, county=county, first_period=period, last_period=period, status="open", **fields))
        session.add(_event(cid, "created", period, run_id, None, "open"))
        return
    if period >= case.last_period:  # a backfill of an older month must not overwrite newer facts
        for field in CURRENT_FIELDS:
            if getattr(case, field) != row[field]:
                setattr(case, field, row[field])
        if case.last_period != period:
            case.last_period = period
    if period < case.first_period:
        case.first_period = period
    if not seen:
        session.add(_event(cid, "seen_again", period, run_id, case.status, case.status))
    if case.status == "resolved_by_data":
        reopened = workflow_status(session, cid)
        session.add(_event(cid, "reopened", period, run_id, case.status, reopened))
        case.status = reopened


def _replace_observations(
    session: Session, county: str, period: str, run_id: str, rows: dict[str, dict[str, Any]]
) -> None:
    """A month's observations are exactly what the latest run of that month found."""
    county_cases = select(Case.case_id).where(Case.county == county)
    session.execute(
        delete(CaseObservation).where(CaseObservation.period == period, CaseObservation.case_id.in_(county_cases))
    )
    if rows:
        session.execute(
            insert(CaseObservation),
            [
                {
                    "case_id": cid,
                    "period": period,
                    "run_id": run_id,
                    "program": row["program"],
                    "score": row["score"],
                    "est_monthly_overpayment": row["est_monthly_overpayment"],
                    "est_cumulative_overpayment": row["est_cumulative_overpayment"],
                    "evidence": row["evidence"],
                }
                for cid, row in rows.items()
            ],
        )


def _resolve_missing(
    session: Session, existing: dict[str, Case], rows: dict[str, dict[str, Any]], period: str, run_id: str
) -> None:
    """Open cases this run no longer finds are closed by the data, never deleted."""
    for cid, case in existing.items():
        if cid not in rows and case.status in OPEN_STATUSES:
            session.add(_event(cid, "resolved_by_data", period, run_id, case.status, "resolved_by_data"))
            case.status = "resolved_by_data"


def _replace_people(
    session: Session, period: str, run_id: str, rows: dict[str, dict[str, Any]], people: pd.DataFrame
) -> None:
    """Replace the hashed people of this run's cases (subject_key -> id numbers of household and kin)."""
    this_run = select(CaseObservation.case_id).where(CaseObservation.period == period, CaseObservation.run_id == run_id)
    session.execute(delete(CasePerson).where(CasePerson.case_id.in_(this_run)))
    by_subject: dict[str, list[str]] = {}
    for cid, row in rows.items():
        by_subject.setdefault(row["subject_key"], []).append(cid)
    values: dict[tuple[str, str], str] = {}
    for rec in people.to_dict("records"):
        number = rec.get("id_number")
        if number is None or pd.isna(number) or not str(number).strip():
            continue
        relation = "" if pd.isna(rec.get("relation")) else str(rec.get("relation", ""))
        for cid in by_subject.get(str(rec.get("subject_key", "")), []):
            values.setdefault((cid, id_hash(str(number))), relation[:16])
    if values:
        session.execute(
            insert(CasePerson),
            [{"case_id": c, "id_hash": h, "relation": r} for (c, h), r in values.items()],
        )


def _counts(session: Session, county: str, period: str) -> CaseCounts:
    """Counts describe the month's state, not the act, so a re-run reports the same numbers."""
    observed = (
        select(func.count())
        .select_from(CaseObservation)
        .join(Case, Case.case_id == CaseObservation.case_id)
        .where(Case.county == county, CaseObservation.period == period)
    )
    resolved_now = select(CaseEvent.case_id).where(CaseEvent.kind == "resolved_by_data", CaseEvent.period == period)
    resolved = (
        select(func.count())
        .select_from(Case)
        .where(Case.county == county, Case.status == "resolved_by_data", Case.case_id.in_(resolved_now))
    )
    total_open = select(func.count()).select_from(Case).where(Case.county == county, Case.status.in_(OPEN_STATUSES))
    return CaseCounts(
        new=session.scalar(observed.where(Case.first_period == period)) or 0,
        carried_over=session.scalar(observed.where(Case.first_period < period)) or 0,
        resolved_by_data=session.scalar(resolved) or 0,
        total_open=session.scalar(total_open) or 0,
    )
