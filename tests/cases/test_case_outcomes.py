"""cases.outcomes: the latest decision per case, as labels for the model and precision per rule."""

from __future__ import annotations

import datetime as dt

from casedata import COUNTY, finding, store
from sqlalchemy import Engine

from cases.db import session_scope
from cases.ids import case_id
from cases.outcomes import OUTCOME_COLUMNS, load_outcomes
from cases.schema import Case
from cases.users import add_user
from cases.workflow import confirm_with_due_process, decide

NOTIFIED = dt.date(2026, 10, 5)


def _decide(engine: Engine, case: str, decision: str, **kw: object) -> None:
    with session_scope(engine) as session:
        decide(session, case, session.get_one(Case, case).version, "li", decision, **kw)  # type: ignore[arg-type]


def _confirm(engine: Engine, case: str, action: str, **amounts: float) -> None:
    """An adverse decision through notice, proposal and a supervisor's approval."""
    with session_scope(engine) as session:
        confirm_with_due_process(session, case, "li", "sup", action, notified_on=NOTIFIED, **amounts)  # type: ignore[arg-type]


def test_latest_decision_per_case(sqlite_engine: Engine) -> None:
    """A case confirmed and later reinstated is a false positive; undecided cases are absent."""
    eng = sqlite_engine
    store(
        eng,
        "2026-10",
        finding("DECEASED_PAID", "A"),
        finding("DECEASED_PAID", "B"),
        finding("MISSED_DIBAO", "H"),
        finding("VEHICLE_OWNED", "V"),
    )
    a, b = case_id(COUNTY, "DECEASED_PAID", "p:A"), case_id(COUNTY, "DECEASED_PAID", "p:B")
    h = case_id(COUNTY, "MISSED_DIBAO", "h:H")
    add_user(eng, "sup", "long-enough-1", "supervisor", [], "42900619700404004X")
    _confirm(eng, a, "stop_payment", monthly_amount_stopped=560)
    _decide(eng, a, "reinstated", reason="申辩成立", back_pay=560)
    _confirm(eng, b, "recover", amount_to_recover=1120)
    _decide(eng, h, "included", amount_paid=300)
    outcomes = load_outcomes(eng, COUNTY)
    assert list(outcomes.columns) == OUTCOME_COLUMNS
    by_case = outcomes.set_index("case_id")
    assert set(by_case.index) == {a, b, h}
    assert by_case.loc[a, "decision"] == "reinstated" and not by_case.loc[a, "true_positive"]
    assert by_case.loc[b, "decision"] == "confirmed" and by_case.loc[b, "true_positive"]
    assert by_case.loc[h, "category"] == "missed" and by_case.loc[h, "true_positive"]
    assert (by_case["period"] == "2026-10").all() and by_case["decided_at"].notna().all()
    assert load_outcomes(eng, "110101").empty
