"""cases.workflow: optimistic locking, the decision rules, append-only history."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from casedata import COUNTY, finding, store
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from cases.db import session_scope
from cases.dueprocess import DueProcessError
from cases.ids import case_id, id_hash
from cases.schema import Case, CaseEvent, User
from cases.workflow import (
    ConflictOfInterestError,
    DecisionError,
    NotYoursError,
    StaleCaseError,
    allowed_decisions,
    approve,
    assign,
    confirm_with_due_process,
    decide,
    due_process,
    history,
    propose,
    record_notice,
    record_response,
    reject,
)
from hecha.exceptions import HechaError

WRONG = case_id(COUNTY, "DECEASED_PAID", "p:A")
MISSED = case_id(COUNTY, "MISSED_DISABILITY_CARE", "p:M")
FAVOUR = case_id(COUNTY, "FAVOUR_RISK", "h:F")


@pytest.fixture()
def eng(sqlite_engine: Engine) -> Engine:
    store(
        sqlite_engine,
        "2026-10",
        finding("DECEASED_PAID", "A"),
        finding("MISSED_DISABILITY_CARE", "M"),
        finding("FAVOUR_RISK", "F"),
    )
    return sqlite_engine


def act(engine: Engine, case: str, decision: str, **kw: Any) -> Case:
    """Decide at the case's current version, committing like the web app does."""
    with session_scope(engine) as session:
        version = session.get_one(Case, case).version
        return decide(session, case, version, "li", decision, **kw)  # type: ignore[arg-type]


def refused(engine: Engine, case: str, decision: str, match: str, **kw: Any) -> None:
    with pytest.raises((DecisionError, DueProcessError), match=match):
        act(engine, case, decision, **kw)


def events(engine: Engine, case: str) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(func.count()).where(CaseEvent.case_id == case)) or 0


def test_stale_version_is_refused(engine: Engine) -> None:
    """An action against an old version raises StaleCaseError (bilingual) and appends nothing."""
    store(engine, "2026-10", finding("DECEASED_PAID", "A"))
    with session_scope(engine) as session:
        case = assign(session, WRONG, 1, "admin", "li")
        assert case.version == 2 and case.status == "in_review"
    with pytest.raises(StaleCaseError, match="该案件已被他人修改") as info, session_scope(engine) as session:
        decide(session, WRONG, 1, "li", "cleared", reason="x")
    assert isinstance(info.value, HechaError) and "reload and try again" in str(info.value)
    assert events(engine, WRONG) == 2


def test_concurrent_sessions_one_wins(engine: Engine) -> None:
    """Two inspectors load version 1; the second UPDATE matches no row and is refused, on both databases."""
    store(engine, "2026-10", finding("DECEASED_PAID", "A"))
    with Session(engine) as first, Session(engine) as second:
        assert first.get_one(Case, WRONG).version == 1  # first has the case loaded...
        assign(second, WRONG, 1, "admin", "wang")  # ...while second changes and commits it
        second.commit()
        with pytest.raises(StaleCaseError):
            decide(first, WRONG, 1, "li", "cleared", reason="同名误报")
    with session_scope(engine) as session:
        case = session.get_one(Case, WRONG)
        assert (case.version, case.status, case.assigned_to) == (2, "in_review", "wang")
        assert [e["kind"] for e in history(session, WRONG)] == ["created", "assigned"]


TODAY = dt.date(2026, 11, 30)


def confirm(engine: Engine, case: str, action: str, notified_on: dt.date = dt.date(2026, 11, 3), **kw: Any) -> Case:
    """An adverse decision through the due process: notice, proposal after the deadline, approval."""
    with session_scope(engine) as session:
        return confirm_with_due_process(session, case, "li", "sup", action, notified_on=notified_on, today=TODAY, **kw)


@pytest.fixture()
def sup(eng: Engine) -> Engine:
    with session_scope(eng) as session:
        session.add(User(username="sup", password_hash="x", role="supervisor", id_number="42900619700404004X"))
        session.add(User(username="sup2", password_hash="x", role="supervisor", id_number="429006197505050051"))
    return eng


def test_notice_response_and_history(eng: Engine) -> None:
    """Each action appends an event with actor and payload, bumps the version and starts the review."""
    with session_scope(eng) as session:
        case = record_notice(session, WRONG, 1, "li", dt.date(2026, 11, 3), "visit", "户主在家", today=TODAY)
        assert (case.status, case.version) == ("in_review", 2)
        record_response(session, WRONG, 2, "li", "对死亡记录有异议", today=TODAY)
    with session_scope(eng) as session:
        rows = history(session, WRONG)
    assert [r["kind"] for r in rows] == ["created", "notified", "response"]
    assert rows[1]["actor"] == "li" and rows[1]["payload"]["notified_on"] == "2026-11-03"
    assert rows[1]["payload"]["deadline"] == "2026-11-13" and rows[1]["payload"]["method_zh"] == "上门"
    assert rows[1]["kind_zh"] == "告知当事人" and rows[2]["payload"]["response"] == "对死亡记录有异议"


def test_notice_dates_must_fall_in_the_case_life(eng: Engine) -> None:
    """A notice dated in the future or before the case's first month is refused; none on a closed case."""
    for day, match in ((dt.date(2099, 1, 1), "不能晚于今天"), (dt.date(2026, 9, 30), "不能早于")):
        with pytest.raises(DueProcessError, match=match), session_scope(eng) as session:
            record_notice(session, WRONG, 1, "li", day, "phone", today=TODAY)
    with pytest.raises(DueProcessError, match="尚未告知"), session_scope(eng) as session:
        record_response(session, WRONG, 1, "li", "有异议", today=TODAY)
    act(eng, WRONG, "cleared", reason="同名他人")
    with pytest.raises(DueProcessError, match="已办结"), session_scope(eng) as session:
        record_notice(session, WRONG, 2, "li", dt.date(2026, 11, 3), "phone", today=TODAY)


def test_no_adverse_measure_without_notice_deadline_and_approval(sup: Engine) -> None:
    """Stop payment: refused directly, refused before notice, refused while the deadline runs; allowed after a
    response; in effect only when another (supervisor) approves."""
    refused(sup, WRONG, "confirmed", "proposal and approval", action="stop_payment", monthly_amount_stopped=560)

    def propose_now(today: dt.date) -> Case:
        with session_scope(sup) as session:
            v = session.get_one(Case, WRONG).version
            return propose(session, WRONG, v, "li", "stop_payment", monthly_amount_stopped=560, today=today)

    with pytest.raises(DueProcessError, match="尚未告知当事人"):
        propose_now(TODAY)
    with session_scope(sup) as session:
        record_notice(session, WRONG, 1, "li", dt.date(2026, 11, 25), "letter", today=TODAY)
    with pytest.raises(DueProcessError, match="2026-12-05 届满"):
        propose_now(TODAY)
    propose_now(dt.date(2026, 12, 6))  # the deadline passed without a response
    with session_scope(sup) as session:
        dp = due_process(session, WRONG, TODAY)
        assert dp.stage == "proposed" and dp.proposed_by == "li"
        assert session.get_one(Case, WRONG).status == "in_review"
    with pytest.raises(DueProcessError, match="只有县级审核人"), session_scope(sup) as session:
        approve(session, WRONG, session.get_one(Case, WRONG).version, "li")
    with session_scope(sup) as session:
        case = approve(session, WRONG, session.get_one(Case, WRONG).version, "sup")
        assert case.status == "confirmed"
        assert due_process(session, WRONG, TODAY).stage == "in_effect"


def test_response_ends_the_wait_and_supervisor_never_approves_own(sup: Engine) -> None:
    """A recorded response allows a proposal at once; a supervisor who proposed cannot approve it."""
    with session_scope(sup) as session:
        session.get_one(User, "sup").role = "admin"  # proposes as an administrator...
    with session_scope(sup) as session:
        record_notice(session, FAVOUR, 1, "sup", dt.date(2026, 11, 28), "visit", today=TODAY)
        record_response(session, FAVOUR, 2, "sup", "承认未如实申报", today=TODAY)
        propose(session, FAVOUR, 3, "sup", "recover", amount_to_recover=3000, today=TODAY)
    with session_scope(sup) as session:
        session.get_one(User, "sup").role = "supervisor"  # ...then is made a supervisor
    with pytest.raises(DueProcessError, match="不能审核本人"), session_scope(sup) as session:
        approve(session, FAVOUR, 4, "sup", today=TODAY)
    with pytest.raises(DueProcessError, match="退回须说明理由"), session_scope(sup) as session:
        reject(session, FAVOUR, 4, "sup2", " ")
    with session_scope(sup) as session:
        reject(session, FAVOUR, 4, "sup2", "金额依据不足")
        assert due_process(session, FAVOUR, TODAY).stage == "heard"


def test_amounts_must_be_finite_and_not_negative(sup: Engine) -> None:
    for bad in (float("nan"), float("inf"), -1.0):
        with pytest.raises(HechaError, match="金额"):
            act(sup, MISSED, "included", amount_paid=bad)
        with pytest.raises(HechaError, match="金额"), session_scope(sup) as session:
            record_notice(
                session, WRONG, session.get_one(Case, WRONG).version, "li", dt.date(2026, 11, 3), "phone", today=TODAY
            )
            propose(
                session,
                WRONG,
                session.get_one(Case, WRONG).version,
                "li",
                "stop_payment",
                monthly_amount_stopped=bad,
                today=TODAY,
            )
    with session_scope(sup) as session:
        assert session.scalar(select(func.count()).where(CaseEvent.kind == "proposed")) == 0


def test_assigned_case_is_worked_by_its_inspector_only(sup: Engine) -> None:
    with session_scope(sup) as session:
        session.add(User(username="li", password_hash="x", role="inspector", towns=["429006100"]))
        session.add(User(username="wang", password_hash="x", role="inspector", towns=["429006100"]))
        assign(session, WRONG, 1, "admin", "li")
    with pytest.raises(NotYoursError, match="只有该核查员"), session_scope(sup) as session:
        record_notice(session, WRONG, 2, "wang", dt.date(2026, 11, 3), "phone", today=TODAY)
    with session_scope(sup) as session:
        record_notice(session, WRONG, 2, "li", dt.date(2026, 11, 3), "phone", today=TODAY)


def test_cleared_requires_reason(eng: Engine) -> None:
    refused(eng, WRONG, "cleared", "reason")
    case = act(eng, WRONG, "cleared", reason="火化记录属同名他人")
    assert case.status == "cleared"
    refused(eng, WRONG, "confirmed", "cannot be confirmed", action="stop_payment", monthly_amount_stopped=1)


def test_included_only_for_missed_with_the_amount(eng: Engine) -> None:
    refused(eng, WRONG, "included", "only missed")
    refused(eng, FAVOUR, "included", "only missed")
    refused(eng, MISSED, "included", "amount paid")
    assert act(eng, MISSED, "included", amount_paid=300).status == "included"


def test_confirmed_wrong_or_favour_needs_an_action(sup: Engine) -> None:
    refused(sup, WRONG, "confirmed", "needs an action")
    refused(sup, FAVOUR, "confirmed", "needs an action")
    refused(sup, WRONG, "confirmed", "unknown action", action="jail")
    refused(sup, WRONG, "confirmed", "monthly_amount_stopped", action="stop_payment")
    refused(sup, FAVOUR, "confirmed", "amount_to_recover", action="recover")
    refused(sup, FAVOUR, "confirmed", "negative", action="recover", amount_to_recover=-5)
    assert confirm(sup, FAVOUR, "recover", amount_to_recover=6720).status == "confirmed"
    assert confirm(sup, WRONG, "stop_payment", monthly_amount_stopped=560).status == "confirmed"
    assert act(sup, MISSED, "confirmed").status == "confirmed"  # missed: eligible, enrolment follows


def test_rectified_after_confirmed_or_included_with_amounts(sup: Engine) -> None:
    refused(sup, WRONG, "rectified", "cannot be rectified", amount_recovered=100)
    confirm(sup, WRONG, "recover", amount_to_recover=1120)
    refused(sup, WRONG, "rectified", "amount recovered or paid")
    assert act(sup, WRONG, "rectified", amount_recovered=1120).status == "rectified"
    act(sup, MISSED, "included", amount_paid=300)
    assert act(sup, MISSED, "rectified", amount_paid=300).status == "rectified"
    refused(sup, MISSED, "cleared", "cannot be cleared", reason="x")


def test_clearing_after_a_payment_stop_is_a_reinstatement_with_proposed_back_pay(sup: Engine) -> None:
    """Payment stopped and then found wrongly: reinstated with back pay the system proposes; a plain clear is refused."""
    refused(sup, WRONG, "reinstated", "open cannot be reinstated", reason="x")
    confirm(sup, FAVOUR, "recover", amount_to_recover=100)
    refused(sup, FAVOUR, "reinstated", "not stopped", reason="x")
    confirm(sup, WRONG, "stop_payment", monthly_amount_stopped=560)
    with session_scope(sup) as session:
        assert set(allowed_decisions(session, WRONG)) == {"rectified", "reinstated"}
        stopped_month = (session.get_one(Case, WRONG).updated_at + dt.timedelta(hours=8)).date().replace(day=1)
    refused(sup, WRONG, "cleared", "use reinstated", reason="申辩成立")
    refused(sup, WRONG, "reinstated", "requires a reason")
    later = stopped_month + dt.timedelta(days=95)  # three calendar months on
    case = act(sup, WRONG, "reinstated", reason="申辩成立，系同名他人", today=later)
    assert case.status == "cleared"
    with session_scope(sup) as session:
        last = history(session, WRONG)[-1]
    assert last["payload"]["decision"] == "reinstated" and last["payload"]["months_stopped"] == 3
    assert last["payload"]["back_pay"] == last["payload"]["back_pay_proposed"] == 1680.0
    assert (last["from_status"], last["to_status"]) == ("confirmed", "cleared")


def test_history_is_appended_never_overwritten(sup: Engine) -> None:
    """The case status follows the last decision; every earlier decision stays in the history."""
    confirm(sup, WRONG, "adjust", monthly_amount_stopped=100)
    act(sup, WRONG, "cleared", reason="复核：金额计算有误")
    with session_scope(sup) as session:
        decisions = [e["payload"]["decision"] for e in history(session, WRONG) if e["kind"] == "decision"]
        assert decisions == ["confirmed", "cleared"]
        assert session.get_one(Case, WRONG).status == "cleared"


def test_decision_by_a_relative_is_refused(sqlite_engine: Engine) -> None:
    """An inspector whose identity number is among the case's people may not decide it."""
    import pandas as pd

    number = "110101199001011234"
    people = pd.DataFrame({"subject_key": ["h:F"], "id_number": [number], "relation": ["子"]})
    store(sqlite_engine, "2026-10", finding("FAVOUR_RISK", "F"), people=people)
    with session_scope(sqlite_engine) as session:
        session.add(User(username="li", password_hash="x", role="inspector", id_number=number))
    with pytest.raises(ConflictOfInterestError, match="回避"):
        act(sqlite_engine, FAVOUR, "cleared", reason="x")
    with session_scope(sqlite_engine) as session:
        session.get_one(User, "li").id_number = "110101199505051234"
        assert id_hash("110101199505051234") != id_hash(number)
    assert act(sqlite_engine, FAVOUR, "cleared", reason="x").status == "cleared"


def test_transition_table_covers_every_review_status() -> None:
    """Each review status has a row; every allowed decision is known and leads to a known status."""
    from cases.decisions import DECISION_STATUS, TRANSITIONS
    from hecha.labels import DECISIONS, STATUSES

    assert set(TRANSITIONS) == set(STATUSES) - {"resolved_by_data"}
    for allowed in TRANSITIONS.values():
        assert set(allowed) <= set(DECISIONS) and all(allowed.values())
    assert set(DECISION_STATUS.values()) <= set(STATUSES)
