"""The inspectors' review workflow: assign, notify, hear the response, decide.

Every action appends a `case_events` row and bumps `cases.version`. The caller passes
the version it showed the inspector; if the case changed since (another inspector, or a
monthly run refreshed it), the action is refused with `StaleCaseError`. The mapper's
`version_id_col` makes the UPDATE itself conditional, so a change committed between our
check and our write is caught too, on SQLite and PostgreSQL alike.

The caller owns the transaction (commit after the call); a refused action rolls the
session back, since a failed flush leaves it unusable anyway.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

# The workspace imports DecisionError from here.
from cases.decisions import DECISION_STATUS, TRANSITIONS, Decision, check_decision
from cases.decisions import DecisionError as DecisionError
from cases.ids import id_hash
from cases.schema import Case, CaseEvent, CasePerson, User, utcnow
from hecha.exceptions import HechaError
from hecha.labels import ACTIONS, DECISIONS, EVENT_KINDS, STATUSES

REVIEW_KINDS = ("assigned", "notified", "response")


class StaleCaseError(HechaError):
    """The case changed after the inspector loaded it; their action was not applied."""

    def __init__(self, case_id: str) -> None:
        self.case_id = case_id
        super().__init__(
            "该案件已被他人修改，请刷新后重试 / the case was changed by someone else; reload and try again"
        )


class CaseNotFoundError(HechaError):
    def __init__(self, case_id: str) -> None:
        self.case_id = case_id
        super().__init__(f"案件 {case_id} 不存在 / case {case_id} does not exist")


class ConflictOfInterestError(HechaError):
    def __init__(self, actor: str) -> None:
        super().__init__(
            f"{actor} 与本案当事人存在亲属或同户关系，须回避 / {actor} is related to the people of this case and must recuse"
        )


def workflow_status(session: Session, case_id: str) -> str:
    """The review status from history alone: the last decision, else in_review once work began."""
    last = session.scalar(
        select(CaseEvent.to_status)
        .where(CaseEvent.case_id == case_id, CaseEvent.kind == "decision")
        .order_by(CaseEvent.event_id.desc())
        .limit(1)
    )
    if last:
        return last
    worked = session.scalar(select(func.count()).where(CaseEvent.case_id == case_id, CaseEvent.kind.in_(REVIEW_KINDS)))
    return "in_review" if worked else "open"


def allowed_decisions(session: Session, case_id: str) -> dict[str, str]:
    """Decisions the workspace may offer for this case now (code -> 中文 label)."""
    case = _load(session, case_id)
    allowed = dict(TRANSITIONS[workflow_status(session, case_id)])
    if case.category != "missed":
        allowed.pop("included", None)
    allowed.pop("cleared" if _payment_stopped(session, case_id) else "reinstated", None)
    return allowed


def conflict_of_interest(session: Session, case_id: str, username: str) -> bool:
    """True when the user's own identity number is among the case's people (household, hukou, kin)."""

    user = session.get(User, username)
    if user is None or not user.id_number:
        return False
    found = session.get(CasePerson, (case_id, id_hash(user.id_number)))
    return found is not None


def assign(session: Session, case_id: str, expected_version: int, actor: str, assignee: str) -> Case:
    """Give the case to an inspector; an open case goes into review."""
    case = _load(session, case_id, expected_version)
    payload = {"assignee": assignee, "previous": case.assigned_to}
    case.assigned_to = assignee
    return _append(session, case, actor, "assigned", payload, _into_review(case))


def record_notice(
    session: Session,
    case_id: str,
    expected_version: int,
    actor: str,
    notified_on: dt.date,
    method: str,
    note: str = "",
) -> Case:
    """Record that the household was told of the finding (告知), as the procedure requires."""
    case = _load(session, case_id, expected_version)
    payload = {"notified_on": notified_on.isoformat(), "method": method, "note": note}
    return _append(session, case, actor, "notified", payload, _into_review(case))


def record_response(session: Session, case_id: str, expected_version: int, actor: str, response: str) -> Case:
    """Record the household's statement or appeal (陈述申辩)."""
    case = _load(session, case_id, expected_version)
    return _append(session, case, actor, "response", {"response": response}, _into_review(case))


def decide(
    session: Session,
    case_id: str,
    expected_version: int,
    actor: str,
    decision: Decision,
    *,
    action: str | None = None,
    monthly_amount_stopped: float = 0,
    amount_to_recover: float = 0,
    amount_recovered: float = 0,
    amount_paid: float = 0,
    back_pay: float = 0,
    reason: str | None = None,
) -> Case:
    """Record an inspector's conclusion; the case status follows the decision."""
    case = _load(session, case_id, expected_version)
    amounts = {
        "monthly_amount_stopped": float(monthly_amount_stopped),
        "amount_to_recover": float(amount_to_recover),
        "amount_recovered": float(amount_recovered),
        "amount_paid": float(amount_paid),
        "back_pay": float(back_pay),
    }
    check_decision(
        case.category,
        workflow_status(session, case_id),
        _payment_stopped(session, case_id),
        decision,
        action,
        amounts,
        reason,
    )
    if conflict_of_interest(session, case_id, actor):
        raise ConflictOfInterestError(actor)
    payload = {
        "decision": decision,
        "decision_zh": DECISIONS[decision],
        "action": action,
        "action_zh": ACTIONS.get(action or ""),
        **amounts,
        "reason": reason,
    }
    return _append(session, case, actor, "decision", payload, DECISION_STATUS[decision])


def history(session: Session, case_id: str) -> list[dict[str, Any]]:
    """Every event of the case, oldest first, with Chinese labels for display."""
    events = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.event_id))
    return [
        {
            "event_id": e.event_id,
            "at": e.at,
            "actor": e.actor,
            "kind": e.kind,
            "kind_zh": EVENT_KINDS.get(e.kind, e.kind),
            "period": e.period,
            "from_status": e.from_status,
            "to_status": e.to_status,
            "to_status_zh": STATUSES.get(e.to_status or "", ""),
            "payload": e.payload,
        }
        for e in events
    ]


def _load(session: Session, case_id: str, expected_version: int | None = None) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise CaseNotFoundError(case_id)
    if expected_version is not None and case.version != expected_version:
        raise StaleCaseError(case_id)
    return case


def _into_review(case: Case) -> str:
    return "in_review" if case.status == "open" else case.status


def _append(session: Session, case: Case, actor: str, kind: str, payload: dict[str, Any], to_status: str) -> Case:
    """Append the event and update the case in one flush; a concurrent change makes the UPDATE miss."""
    session.add(
        CaseEvent(
            case_id=case.case_id,
            actor=actor,
            kind=kind,
            period=case.last_period,
            from_status=case.status,
            to_status=to_status,
            payload=payload,
        )
    )
    case.status = to_status
    case.updated_at = utcnow()  # always an UPDATE, so every action bumps the version
    try:
        session.flush()
    except StaleDataError as exc:
        session.rollback()
        raise StaleCaseError(case.case_id) from exc
    return case


def _payment_stopped(session: Session, case_id: str) -> bool:
    """Was payment stopped by the latest confirmation (and not yet reinstated)?"""
    payloads = session.scalars(
        select(CaseEvent.payload)
        .where(CaseEvent.case_id == case_id, CaseEvent.kind == "decision")
        .order_by(CaseEvent.event_id.desc())
    )
    for payload in payloads:
        if payload.get("decision") == "reinstated":
            return False
        if payload.get("decision") == "confirmed":
            return payload.get("action") == "stop_payment"
    return False
