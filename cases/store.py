"""Writing one run's findings into the case store, in one transaction.

A case lives across months: the same finding about the same subject keeps its case_id
(`cases.ids.case_id`), every month it is found adds an observation, and every change of
state appends an event. Re-running a month replaces that month's observations and adds
no events, so a re-run is idempotent. Nothing is ever deleted from `cases` or
`case_events`; a case the data no longer shows becomes `resolved_by_data`.

Months may run in any order: each case keeps the latest period whose run decided its
status (`status_period`), and a run of an older month adds its observation and history
but never changes that status. Runs of one county write one at a time (the county lock),
and a newer month started together with an older one lets the older one write first.

A run's row tells the truth: `running` until its outputs exist (`succeed_run`), with the
stage it reached, its host and pid; a run whose process died becomes `abandoned` when the
next run of its county (or `hecha db check`) looks.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Mapping
from typing import Any

import pandas as pd
from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy.orm import Session

from cases import db
from cases.findings_rows import CURRENT_FIELDS, finding_rows, no_nul, plain_json
from cases.ids import id_hash
from cases.schema import OPEN_STATUSES, Case, CaseEvent, CaseObservation, CasePerson, Run, utcnow
from cases.workflow import workflow_status
from hecha.privacy import scrub_text
from hecha.summary import CaseCounts

log = logging.getLogger(__name__)

DECIDED_STATUSES = ("cleared", "included", "rectified")
SYSTEM = "system"
# A run of an older month started together with a newer one writes first, so two months
# started at once leave the store as running them in order does. Bounded: after this the
# newer run writes anyway (statuses stay right: an older month never overrides a newer one).
WAIT_FOR_OLDER_S = 3600.0
WAIT_POLL_S = 1.0
STALE_AFTER_S = 12 * 3600.0  # a run on another machine with no sign of life for this long is dead


def start_run(
    engine: Engine,
    run_id: str,
    county: str,
    period: str,
    policy: dict[str, Any],
    output_dir: str | None = None,
) -> None:
    """Record that a run began, where (host, pid) and its run folder, so a crash leaves a visible row."""

    def work(session: Session) -> None:
        now = utcnow()
        fields = {"status": "running", "policy": plain_json(policy), "finished_at": None, "stage": "start",
                  "host": socket.gethostname()[:255], "pid": os.getpid(), "heartbeat_at": now}  # fmt: skip
        if output_dir is not None:
            fields["output_dir"] = output_dir
        run = session.get(Run, run_id)
        if run is None:
            session.add(Run(run_id=run_id, county=county, period=period, started_at=now, **fields))
        else:
            for key, value in fields.items():
                setattr(run, key, value)

    db.write(engine, work, ("登记运行", "recording the run"))


def set_stage(engine: Engine, run_id: str, stage: str) -> None:
    """Note the stage a run has reached (and that it is alive)."""

    def work(session: Session) -> None:
        session.execute(update(Run).where(Run.run_id == run_id).values(stage=stage[:32], heartbeat_at=utcnow()))

    db.write(engine, work, ("记录运行阶段", "recording the stage"))


def fail_run(engine: Engine, run_id: str, error: str) -> None:
    """Mark a run failed (in its own transaction: the run's writes were rolled back); the error is scrubbed."""

    def work(session: Session) -> None:
        run = session.get(Run, run_id)
        if run is None:
            log.warning("fail_run: unknown run %s", run_id)
            return
        run.status, run.finished_at = "failed", utcnow()
        run.summary = plain_json({**(run.summary or {}), "error": scrub_text(error)})

    db.write(engine, work, ("记录运行失败", "recording the failure"))


def succeed_run(engine: Engine, run_id: str, summary: Mapping[str, Any] | None = None) -> None:
    """Mark a run succeeded (stage "done"): the flow does so once its outputs exist.

    Only a run whose cases were stored can succeed.
    """

    def work(session: Session) -> None:
        run = session.get_one(Run, run_id)
        if run.stored_at is None:
            raise ValueError(f"run {run_id} has stored no cases: it cannot succeed")
        run.status, run.heartbeat_at, run.finished_at, run.stage = "succeeded", utcnow(), utcnow(), "done"
        if summary is not None:
            run.summary = plain_json(summary)

    db.write(engine, work, ("记录运行成功", "recording success"))


def update_run_summary(engine: Engine, run_id: str, summary: Mapping[str, Any]) -> None:
    """Replace a run's summary (the flow adds timings and output paths after the cases are written)."""

    def work(session: Session) -> None:
        session.get_one(Run, run_id).summary = plain_json(summary)

    db.write(engine, work, ("更新运行摘要", "updating the summary"))


def process_gone(run: Run) -> bool:
    """True when the process of an unfinished run is known to be dead.

    On this machine, by its pid; elsewhere (or with no pid), when it showed no sign of
    life for STALE_AFTER_S. A reused pid keeps a dead run looking alive: safe, not fast.
    """
    last = run.heartbeat_at or run.started_at
    if last is not None and (utcnow() - last).total_seconds() > STALE_AFTER_S:
        return True
    if run.pid is None or run.host != socket.gethostname()[:255]:
        return False
    try:
        os.kill(run.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def abandon_dead_runs(engine: Engine, county: str | None = None) -> list[dict[str, Any]]:
    """Mark `abandoned` every unfinished run (of `county`, or all) whose process is gone; returns them.

    Unfinished: `running`, or `succeeded` while its report was still being written.
    """

    def work(session: Session) -> list[dict[str, Any]]:
        query = select(Run).where((Run.status == "running") | ((Run.status == "succeeded") & (Run.stage != "done")))
        if county is not None:
            query = query.where(Run.county == county)
        found = []
        for run in session.scalars(query):
            if not process_gone(run):
                continue
            stage = run.stage or "start"
            note = (f"运行进程已不存在（停在「{stage}」阶段），已标记为放弃；运行目录：{run.output_dir or '无'} / "
                    f"the run's process is gone (it reached stage '{stage}'); marked abandoned. "
                    f"Run folder: {run.output_dir or 'none'}")  # fmt: skip
            run.status, run.finished_at = "abandoned", utcnow()
            run.summary = {**(run.summary or {}), "error": note, "abandoned_at_stage": stage}
            found.append({"run_id": run.run_id, "county": run.county, "period": run.period, "stage": stage,
                          "output_dir": run.output_dir, "cases_stored": run.stored_at is not None})  # fmt: skip
        return found

    found = db.write(engine, work, ("检查中断的运行", "checking for dead runs"))
    for run in found:
        log.warning("run %s of %s %s abandoned at stage %s", run["run_id"], run["county"], run["period"], run["stage"])
    return found


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

    Everything happens in one transaction under the county's lock (retried while the
    store is busy): an exception leaves the store as it was. The run stays `running`
    (with `stored_at` set) until its outputs exist: see `succeed_run`.
    """
    rows = finding_rows(county, findings)
    wait_for_older_runs(engine, run_id, county, period)

    def work(session: Session) -> CaseCounts:
        db.lock_county(session, county)
        _claim_run(session, run_id, county, period)
        newest = _newest_period(session, county, run_id)
        existing = {c.case_id: c for c in session.scalars(select(Case).where(Case.county == county))}
        seen = _seen_in_period(session, county, period)
        for cid, row in rows.items():
            _upsert_case(session, existing.get(cid), cid, county, period, run_id, row, cid in seen, newest)
        session.flush()
        _replace_observations(session, county, period, run_id, rows)
        _resolve_missing(session, existing, rows, period, run_id)
        if people is not None:
            _replace_people(session, period, run_id, rows, people)
        session.flush()
        counts = _counts(session, county, period)
        run = session.get_one(Run, run_id)
        run.stored_at, run.heartbeat_at, run.stage = utcnow(), utcnow(), "cases"
        if output_dir is not None:
            run.output_dir = output_dir
        run.summary = plain_json({**summary, "cases": counts})
        return counts

    counts = db.write(engine, work, ("写入案件", "writing cases"))
    log.info("run %s stored %s/%s: %s", run_id, county, period, counts)
    return counts


def wait_for_older_runs(engine: Engine, run_id: str, county: str, period: str) -> None:
    """Wait while a live run of an older month of this county has not stored its cases yet.

    So October and November started together store October first, as in order. Dead
    runs do not hold anyone up (they are marked abandoned); the wait is bounded.
    """
    deadline = time.monotonic() + WAIT_FOR_OLDER_S
    while True:
        with db.session_scope(engine) as session:
            older = session.scalars(
                select(Run).where(
                    Run.county == county,
                    Run.period < period,
                    Run.status == "running",
                    Run.stored_at.is_(None),
                    Run.run_id != run_id,
                )
            ).all()
            alive = [r.run_id for r in older if not process_gone(r)]
            dead = len(alive) < len(older)
        if dead:
            abandon_dead_runs(engine, county)
        if not alive:
            return
        if time.monotonic() > deadline:
            log.warning("run %s: older runs %s still running; writing anyway", run_id, alive)
            return
        time.sleep(WAIT_POLL_S)


def _claim_run(session: Session, run_id: str, county: str, period: str) -> None:
    """The run row exists and is `running` (a run written without start_run still gets one)."""
    result = session.execute(update(Run).where(Run.run_id == run_id).values(status="running"))
    if not getattr(result, "rowcount", 0):
        session.add(Run(run_id=run_id, county=county, period=period, status="running"))
        session.flush()


def _newest_period(session: Session, county: str, run_id: str) -> str | None:
    """The newest month whose run has decided this county's case statuses (other than this run)."""
    last_run = session.scalar(
        select(func.max(Run.period)).where(Run.county == county, Run.stored_at.is_not(None), Run.run_id != run_id)
    )
    last_case = session.scalar(select(func.max(Case.status_period)).where(Case.county == county))
    known = [p for p in (last_run, last_case) if p is not None]
    return max(known) if known else None


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
    newest: str | None,
) -> None:
    """Insert a new case, or refresh an existing one and note that it was seen again.

    A run of an older month than the one that decided the case's status adds its
    observation and history but leaves the status (and the newer facts) alone.
    """
    if case is None:
        fields = {k: row[k] for k in ("finding", "category", "subject_key", *CURRENT_FIELDS)}
        gone = newest is not None and newest > period  # a newer month already ran and did not find it
        status, decided = ("resolved_by_data", str(newest)) if gone else ("open", period)
        session.add(Case(case_id=cid, county=county, first_period=period, last_period=period, status=status,
                         status_period=decided, **fields))  # fmt: skip
        session.add(_event(cid, "created", period, run_id, None, "open"))
        if gone:
            session.add(_event(cid, "resolved_by_data", decided, run_id, "open", "resolved_by_data"))
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
    if period < case.status_period:
        return
    if case.status_period != period:
        case.status_period = period
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
    """Open cases this run no longer finds are closed by the data, never deleted.

    Only by a run at least as new as the month that decided the case's status: a
    backfill of an older month resolves nothing.
    """
    for cid, case in existing.items():
        if cid in rows or period < case.status_period:
            continue
        if case.status in OPEN_STATUSES:
            session.add(_event(cid, "resolved_by_data", period, run_id, case.status, "resolved_by_data"))
            case.status = "resolved_by_data"
        if case.status_period != period:
            case.status_period = period


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
        relation = "" if pd.isna(rec.get("relation")) else no_nul(str(rec.get("relation", "")))
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
