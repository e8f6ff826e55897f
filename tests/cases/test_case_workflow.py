"""cases.workflow: optimistic locking, the decision rules, append-only history."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from casedata import COUNTY, finding, store
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from cases.db import session_scope
from cases.ids import case_id, id_hash
from cases.schema import Case, CaseEvent, User
from cases.workflow import (
    ConflictOfInterestError,
    DecisionError,
    StaleCaseError,
    allowed_decisions,
    assign,
    decide,
    history,
    record_notice,
    record_response,
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
    with pytest.raises(DecisionError, match=match):
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


def test_notice_response_and_history(eng: Engine) -> None:
    """Each action appends an event with actor and payload, bumps the version and starts the review."""
    with session_scope(eng) as session:
        case = record_notice(session, WRONG, 1, "li", dt.date(2026, 11, 3), "上门", "户主在家")
        assert (case.status, case.version) == ("in_review", 2)
        record_response(session, WRONG, 2, "li", "对死亡记录有异议")
    with session_scope(eng) as session:
        rows = history(session, WRONG)
    assert [r["kind"] for r in rows] == ["created", "notified", "response"]
    assert rows[1]["actor"] == "li" and rows[1]["payload"]["notified_on"] == "2026-11-03"
    assert rows[1]["kind_zh"] == "告知当事人" and rows[2]["payload"]["response"] == "对死亡记录有异议"


def test_cleared_requires_reason(eng: Engine) -> None:
    refused(eng, WRONG, "cleared", "reason")
    case = act(eng, WRONG, "cleared", reason="火化记录属同名他人")
    assert case.status == "cleared"
    refused(eng, WRONG, "confirmed", "cannot be confirmed", action="stop_payment", monthly_amount_stopped=1)


def test_included_only_for_missed(eng: Engine) -> None:
    refused(eng, WRONG, "included", "only missed")
    refused(eng, FAVOUR, "included", "only missed")
    assert act(eng, MISSED, "included").status == "included"


def test_confirmed_wrong_or_favour_needs_an_action(eng: Engine) -> None:
    refused(eng, WRONG, "confirmed", "needs an action")
    refused(eng, FAVOUR, "confirmed", "needs an action")
    refused(eng, WRONG, "confirmed", "unknown action", action="jail")
    refused(eng, WRONG, "confirmed", "monthly_amount_stopped", action="stop_payment")
    refused(eng, FAVOUR, "confirmed", "amount_to_recover", action="recover")
    refused(eng, FAVOUR, "confirmed", "negative", action="recover", amount_to_recover=-5)
    assert act(eng, FAVOUR, "confirmed", action="recover", amount_to_recover=6720).status == "confirmed"
    case = act(eng, WRONG, "confirmed", action="stop_payment", monthly_amount_stopped=560)
    assert case.status == "confirmed"
    assert act(eng, MISSED, "confirmed").status == "confirmed"  # missed: eligible, enrolment follows


def test_rectified_after_confirmed_or_included_with_amounts(eng: Engine) -> None:
    refused(eng, WRONG, "rectified", "cannot be rectified", amount_recovered=100)
    act(eng, WRONG, "confirmed", action="recover", amount_to_recover=1120)
    refused(eng, WRONG, "rectified", "amount recovered or paid")
    assert act(eng, WRONG, "rectified", amount_recovered=1120).status == "rectified"
    act(eng, MISSED, "included")
    assert act(eng, MISSED, "rectified", amount_paid=300).status == "rectified"
    refused(eng, MISSED, "cleared", "cannot be cleared", reason="x")


def test_clearing_after_a_payment_stop_is_a_reinstatement(eng: Engine) -> None:
    """Payment stopped and then found wrongly: reinstated with back pay; a plain clear is refused."""
    refused(eng, WRONG, "reinstated", "open cannot be reinstated", reason="x")
    act(eng, FAVOUR, "confirmed", action="recover", amount_to_recover=100)
    refused(eng, FAVOUR, "reinstated", "not stopped", reason="x")
    act(eng, WRONG, "confirmed", action="stop_payment", monthly_amount_stopped=560)
    with session_scope(eng) as session:
        assert set(allowed_decisions(session, WRONG)) == {"rectified", "reinstated"}
    refused(eng, WRONG, "cleared", "use reinstated", reason="申辩成立")
    refused(eng, WRONG, "reinstated", "requires a reason", back_pay=1120)
    case = act(eng, WRONG, "reinstated", reason="申辩成立，系同名他人", back_pay=1120)
    assert case.status == "cleared"
    with session_scope(eng) as session:
        last = history(session, WRONG)[-1]
    assert last["payload"]["decision"] == "reinstated" and last["payload"]["back_pay"] == 1120.0
    assert (last["from_status"], last["to_status"]) == ("confirmed", "cleared")


def test_history_is_appended_never_overwritten(eng: Engine) -> None:
    """The case status follows the last decision; every earlier decision stays in the history."""
    act(eng, WRONG, "confirmed", action="adjust", monthly_amount_stopped=100)
    act(eng, WRONG, "cleared", reason="复核：金额计算有误")
    with session_scope(eng) as session:
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
