"""The inspectors' review workflow: assign, notify, hear, propose, approve, decide, note.

Adverse measures (停发、追回、减发) follow the due process of `cases.dueprocess`: notice with
a deadline, the household's response or the deadline passed, a proposal, approval by a
county supervisor who is not the proposer; only the approval writes the `decision` event
that puts the measure into effect. Favourable conclusions (排除误报 with a reason, 纳入保障
with the amount, 恢复发放并补发) are recorded at once.

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

from cases import dueprocess
from cases.decisions import DECISION_STATUS, TRANSITIONS, Decision, check_decision
from cases.decisions import DecisionError as DecisionError
from cases.dueprocess import ADVERSE_ACTIONS, DueProcess, DueProcessError, today_beijing
from cases.ids import id_hash
from cases.schema import OPEN_STATUSES, Case, CaseEvent, CasePerson, User, utcnow
from hecha.exceptions import HechaError
from hecha.labels import ACTIONS, DECISIONS, EVENT_KINDS, NOTICE_METHODS, STATUSES
from hecha.policy import ReviewPolicy

REVIEW_KINDS = ("assigned", "notified", "response", "proposed", "rejected")
RESPONSE_DAYS = ReviewPolicy().response_days


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
            f"{actor} 与本案存在利害关系（本人、同户亲属、本村或本人经办），须回避 / {actor} has a conflict of interest and must recuse"
        )


class NotYoursError(HechaError):
    """A case assigned to one inspector is worked by that inspector (or an administrator) only."""

    def __init__(self, assignee: str) -> None:
        super().__init__(
            f"本案已分派给核查员 {assignee}，只有该核查员或县级管理员可以办理 / the case is assigned to {assignee}"
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
        allowed.pop("confirmed", None)  # adverse: through propose and approve
    allowed.pop("cleared" if _payment_stopped(session, case_id) else "reinstated", None)
    return allowed


def conflict_of_interest(session: Session, case_id: str, username: str) -> bool:
    """True when the user must recuse (回避): their own number among the case's people (household,
    hukou, kin), the case in their own village, or a roll record they enrolled as 经办人."""
    user = session.get(User, username)
    case = session.get(Case, case_id)
    if user is None or case is None:
        return False
    if user.id_number and session.get(CasePerson, (case_id, id_hash(user.id_number))) is not None:
        return True
    if user.village_code and case.region_code == user.village_code:
        return True
    return bool(user.full_name) and user.full_name in handlers(case)


def handlers(case: Case) -> set[str]:
    """The 经办人 named on the case's roll records (who enrolled the household)."""
    names = set()
    for record in (case.evidence or {}).get("records") or []:
        if isinstance(record, dict):
            handler = (record.get("fields") or {}).get("handler")
            if isinstance(handler, str) and handler.strip():
                names.add(handler.strip())
    return names


def due_process(session: Session, case_id: str, today: dt.date | None = None) -> DueProcess:
    """The case's due-process state from its history (cases.dueprocess)."""
    rows = session.execute(
        select(CaseEvent.kind, CaseEvent.actor, CaseEvent.payload)
        .where(CaseEvent.case_id == case_id)
        .order_by(CaseEvent.event_id)
    )
    return dueprocess.state(((k, a, p or {}) for k, a, p in rows), today or today_beijing())


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
    *,
    response_days: int = RESPONSE_DAYS,
    today: dt.date | None = None,
) -> Case:
    """Record that the household was told of the finding (告知); the response deadline starts."""
    today = today or today_beijing()
    case = _load(session, case_id, expected_version)
    _check_open(case, "登记告知")
    _check_actor(session, case, actor)
    if method not in NOTICE_METHODS:
        raise DueProcessError("请选择告知方式：电话、上门或书面", f"unknown notice method {method!r}")
    dueprocess.check_date(notified_on, earliest_date(case), today, "告知日期")
    deadline = dueprocess.deadline_of(notified_on, response_days)
    payload = {
        "notified_on": notified_on.isoformat(),
        "method": method,
        "method_zh": NOTICE_METHODS[method],
        "note": note,
        "deadline": deadline.isoformat(),
    }
    return _append(session, case, actor, "notified", payload, _into_review(case))


def record_response(
    session: Session,
    case_id: str,
    expected_version: int,
    actor: str,
    response: str,
    responded_on: dt.date | None = None,
    *,
    today: dt.date | None = None,
) -> Case:
    """Record the household's statement or appeal (陈述申辩) to a notice."""
    today = today or today_beijing()
    case = _load(session, case_id, expected_version)
    _check_open(case, "登记陈述申辩")
    _check_actor(session, case, actor)
    dp = due_process(session, case_id, today)
    if dp.notified_on is None:
        raise DueProcessError("尚未告知当事人，不能登记陈述申辩", "no notice has been recorded")
    responded_on = responded_on or today
    dueprocess.check_date(responded_on, dp.notified_on, today, "申辩日期")
    payload = {"response": response, "responded_on": responded_on.isoformat()}
    return _append(session, case, actor, "response", payload, _into_review(case))


def propose(
    session: Session,
    case_id: str,
    expected_version: int,
    actor: str,
    action: str,
    *,
    monthly_amount_stopped: float = 0,
    amount_to_recover: float = 0,
    reason: str | None = None,
    today: dt.date | None = None,
) -> Case:
    """Propose an adverse measure (停发、追回、减发) once the household was heard or its time ran out."""
    today = today or today_beijing()
    case = _load(session, case_id, expected_version)
    _check_open(case, "提出处理意见")
    _check_actor(session, case, actor)
    amounts = _amounts(monthly_amount_stopped=monthly_amount_stopped, amount_to_recover=amount_to_recover)
    if action not in ADVERSE_ACTIONS:
        raise DecisionError("请选择处理方式：停发、追回或调整待遇", f"unknown action {action!r}")
    check_decision(case.category, workflow_status(session, case_id), False, "confirmed", action, amounts, reason)
    if case.category == "missed":
        raise DecisionError("漏保案件无需停发或追回，请直接纳入保障", "missed cases are included, not stopped")
    dueprocess.check_proposal(due_process(session, case_id, today), today)
    payload = {"action": action, "action_zh": ACTIONS[action], **amounts, "reason": reason}
    return _append(session, case, actor, "proposed", payload, case.status)


def approve(session: Session, case_id: str, expected_version: int, actor: str, *, today: dt.date | None = None) -> Case:
    """A county supervisor approves the pending proposal: the measure takes effect (a `decision` event)."""
    case = _load(session, case_id, expected_version)
    dp = due_process(session, case_id, today)
    user = session.get(User, actor)
    dueprocess.check_approval(dp, actor, user.role if user and user.active else None)
    if conflict_of_interest(session, case_id, actor):
        raise ConflictOfInterestError(actor)
    proposal = {k: v for k, v in dp.proposal.items() if k in ("action", "monthly_amount_stopped", "amount_to_recover")}
    amounts = _amounts(
        monthly_amount_stopped=float(proposal.get("monthly_amount_stopped") or 0),
        amount_to_recover=float(proposal.get("amount_to_recover") or 0),
    )
    check_decision(
        case.category, workflow_status(session, case_id), False, "confirmed", proposal.get("action"), amounts, None
    )
    payload = {
        "decision": "confirmed",
        "decision_zh": DECISIONS["confirmed"],
        "action": proposal.get("action"),
        "action_zh": ACTIONS.get(str(proposal.get("action") or "")),
        **amounts,
        "reason": dp.proposal.get("reason"),
        "proposed_by": dp.proposed_by,
        "approved_by": actor,
    }
    return _append(session, case, actor, "decision", payload, DECISION_STATUS["confirmed"])


def reject(session: Session, case_id: str, expected_version: int, actor: str, reason: str) -> Case:
    """A county supervisor sends the proposal back, with the reason; the inspector may propose again."""
    case = _load(session, case_id, expected_version)
    dp = due_process(session, case_id)
    user = session.get(User, actor)
    dueprocess.check_approval(dp, actor, user.role if user and user.active else None)
    if not reason.strip():
        raise DueProcessError("退回须说明理由", "a rejection needs a reason")
    return _append(session, case, actor, "rejected", {"reason": reason, "proposed_by": dp.proposed_by}, case.status)


def add_note(
    session: Session, case_id: str, expected_version: int, actor: str, text: str, *, kind: str = "note"
) -> Case:
    """A working note (visit arranged, documents asked for) or an attachment's entry; the status stays."""
    case = _load(session, case_id, expected_version)
    _check_actor(session, case, actor)
    if not text.strip():
        raise DueProcessError("备注不能为空", "a note cannot be empty")
    return _append(session, case, actor, kind, {"text": text}, case.status)


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
    back_pay: float | None = None,
    reason: str | None = None,
    today: dt.date | None = None,
) -> Case:
    """Record a conclusion that needs no approval; adverse measures go through `propose`/`approve`.

    On reinstatement the back pay defaults to the system's proposal (months stopped × amount).
    """
    today = today or today_beijing()
    case = _load(session, case_id, expected_version)
    stopped = _payment_stop(session, case_id)
    proposed_months, proposed_pay = (0, 0.0)
    if decision == "reinstated" and stopped is not None:
        proposed_months, proposed_pay = dueprocess.proposed_back_pay(stopped[1], stopped[0], today)
    amounts = _amounts(
        monthly_amount_stopped=monthly_amount_stopped,
        amount_to_recover=amount_to_recover,
        amount_recovered=amount_recovered,
        amount_paid=amount_paid,
        back_pay=proposed_pay if back_pay is None else back_pay,
    )
    check_decision(
        case.category, workflow_status(session, case_id), stopped is not None, decision, action, amounts, reason
    )
    if decision == "confirmed" and case.category != "missed":
        raise DueProcessError(
            "停发、追回或减发须先告知当事人、待陈述申辩期满或已申辩，再提出处理意见，经县级审核人批准后生效",
            "adverse measures take effect only through notice, hearing, proposal and approval",
        )
    _check_actor(session, case, actor)
    payload: dict[str, Any] = {
        "decision": decision,
        "decision_zh": DECISIONS[decision],
        "action": action,
        "action_zh": ACTIONS.get(action or ""),
        **amounts,
        "reason": reason,
    }
    if decision == "reinstated":
        payload.update({"months_stopped": proposed_months, "back_pay_proposed": proposed_pay})
    return _append(session, case, actor, "decision", payload, DECISION_STATUS[decision])


def confirm_with_due_process(
    session: Session,
    case_id: str,
    proposer: str,
    approver: str,
    action: str,
    *,
    notified_on: dt.date,
    method: str = "letter",
    response: str | None = None,
    monthly_amount_stopped: float = 0,
    amount_to_recover: float = 0,
    reason: str | None = None,
    response_days: int = RESPONSE_DAYS,
    today: dt.date | None = None,
) -> Case:
    """Record an adverse decision taken step by step (notice, response, proposal, approval), e.g. one
    made on paper; every step passes the same checks as in the workspace."""
    case = _load(session, case_id)
    record_notice(
        session, case_id, case.version, proposer, notified_on, method, response_days=response_days, today=today
    )
    if response:
        record_response(session, case_id, case.version, proposer, response, today=today)
    propose(
        session,
        case_id,
        case.version,
        proposer,
        action,
        monthly_amount_stopped=monthly_amount_stopped,
        amount_to_recover=amount_to_recover,
        reason=reason,
        today=today,
    )
    return approve(session, case_id, case.version, approver, today=today)


def back_pay_proposal(session: Session, case_id: str, today: dt.date | None = None) -> tuple[int, float] | None:
    """(months stopped, back pay) the system proposes if the case's payment is stopped now."""
    stopped = _payment_stop(session, case_id)
    if stopped is None:
        return None
    return dueprocess.proposed_back_pay(stopped[1], stopped[0], today or today_beijing())


def earliest_date(case: Case) -> dt.date:
    """The first day of the case's life: its first month, or its creation if earlier."""
    first = dt.date.fromisoformat(f"{case.first_period}-01")
    created = case.created_at.date() if case.created_at else first
    return min(first, created)


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


def _payment_stop(session: Session, case_id: str) -> tuple[dt.date, float] | None:
    """(date, monthly amount) of the payment stop in effect, or None (never stopped or reinstated)."""
    rows = session.execute(
        select(CaseEvent.payload, CaseEvent.at)
        .where(CaseEvent.case_id == case_id, CaseEvent.kind == "decision")
        .order_by(CaseEvent.event_id.desc())
    )
    for payload, at in rows:
        if payload.get("decision") == "reinstated":
            return None
        if payload.get("decision") == "confirmed":
            if payload.get("action") != "stop_payment":
                return None
            return (at + dueprocess.BEIJING).date(), float(payload.get("monthly_amount_stopped") or 0)
    return None


def _payment_stopped(session: Session, case_id: str) -> bool:
    return _payment_stop(session, case_id) is not None


def _amounts(**values: float) -> dict[str, float]:
    """Amounts as floats, refused unless finite and ≥ 0."""
    out = {
        "monthly_amount_stopped": 0.0,
        "amount_to_recover": 0.0,
        "amount_recovered": 0.0,
        "amount_paid": 0.0,
        "back_pay": 0.0,
    }
    out.update({k: float(v) for k, v in values.items()})
    dueprocess.check_amounts(out)
    return out


def _check_open(case: Case, what: str) -> None:
    if case.status not in OPEN_STATUSES:
        raise DueProcessError(
            f"本案已办结（{STATUSES.get(case.status, case.status)}），不能{what}", f"the case is closed ({case.status})"
        )


def _check_actor(session: Session, case: Case, actor: str) -> None:
    """Recusal first; then an assigned case is worked by its inspector or an administrator only."""
    if conflict_of_interest(session, case.case_id, actor):
        raise ConflictOfInterestError(actor)
    user = session.get(User, actor)
    if user is None:
        return  # scripted callers (imports, tests) act as the system would
    if user.role not in ("admin", "inspector"):
        raise DueProcessError("您的账号不能办理案件（审核人只审核处理意见）", f"role {user.role} cannot work cases")
    if user.role == "inspector" and case.assigned_to and case.assigned_to != actor:
        raise NotYoursError(case.assigned_to)
