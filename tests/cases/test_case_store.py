"""cases.store: one transaction per run, stable case ids, carry-over, idempotent re-runs."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from casedata import COUNTY, finding, frame, snapshot, store
from sqlalchemy import Engine, func, select

import cases.store as store_module
from cases.db import session_scope
from cases.findings_rows import finding_rows
from cases.ids import case_id, id_hash
from cases.schema import Case, CaseEvent, CaseObservation, CasePerson, Run, User
from cases.store import fail_run, start_run, update_run_summary, write_run
from cases.workflow import assign, conflict_of_interest, decide, history


def cid(code: str, subject: str) -> str:
    prefix = "h:" if code in ("VEHICLE_OWNED", "MISSED_DIBAO") else "p:"
    return case_id(COUNTY, code, prefix + subject)


def kinds(engine: Engine, case: str) -> list[str]:
    with session_scope(engine) as session:
        return [e["kind"] for e in history(session, case)]


def status(engine: Engine, case: str) -> str:
    with session_scope(engine) as session:
        return session.get_one(Case, case).status


def test_first_run_creates_open_cases(engine: Engine) -> None:
    """Each finding becomes an open case with a `created` event; the run is marked succeeded."""
    counts = store(
        engine,
        "2026-10",
        finding("DECEASED_PAID", "A"),
        finding("VEHICLE_OWNED", "B"),
        finding("MISSED_DIBAO", "C", est_monthly_overpayment=300.0),
    )
    assert counts == {"new": 3, "carried_over": 0, "resolved_by_data": 0, "total_open": 3}
    with session_scope(engine) as session:
        cases = {c.case_id: c for c in session.scalars(select(Case))}
        run = session.get_one(Run, "run-2026-10")
        assert run.status == "succeeded" and run.finished_at is not None
        assert run.summary["cases"] == counts and run.summary["period"] == "2026-10"
    assert set(cases) == {cid("DECEASED_PAID", "A"), cid("VEHICLE_OWNED", "B"), cid("MISSED_DIBAO", "C")}
    assert all(c.status == "open" and c.first_period == c.last_period == "2026-10" for c in cases.values())
    assert cases[cid("VEHICLE_OWNED", "B")].id_number == ""
    assert cases[cid("MISSED_DIBAO", "C")].est_monthly_overpayment == 0.0
    assert kinds(engine, cid("DECEASED_PAID", "A")) == ["created"]


def test_rerun_of_a_month_is_idempotent(engine: Engine) -> None:
    """Running the same month twice leaves every table as it was (apart from the new run's own row)."""
    store(engine, "2026-10", finding("DECEASED_PAID", "A"), finding("DECEASED_PAID", "B"))
    rows = (finding("DECEASED_PAID", "A", score=0.7), finding("VEHICLE_OWNED", "C"))
    people = pd.DataFrame({"subject_key": ["h:C", "h:C"], "id_number": ["110101199001011234", "110101199202021234"],
                           "relation": ["户主", "配偶"]})  # fmt: skip
    first_counts = store(engine, "2026-11", *rows, run="r1", people=people)
    before = snapshot(engine, ignore=("run_id",))
    second_counts = store(engine, "2026-11", *rows, run="r2", people=people)
    after = snapshot(engine, ignore=("run_id",))
    assert second_counts == first_counts == {"new": 1, "carried_over": 1, "resolved_by_data": 1, "total_open": 2}
    before.pop("runs"), after.pop("runs")
    assert after == before
    with session_scope(engine) as session:
        runs = session.scalars(select(Run).where(Run.period == "2026-11").order_by(Run.run_id)).all()
        assert [r.status for r in runs] == ["succeeded", "succeeded"]
        assert runs[0].summary == runs[1].summary
        assert {
            o.run_id for o in session.scalars(select(CaseObservation).where(CaseObservation.period == "2026-11"))
        } == {"r2"}


def test_carry_over_between_months(sqlite_engine: Engine) -> None:
    """Seen again: same id and history; gone: resolved_by_data, not deleted; cleared: not reopened."""
    eng = sqlite_engine
    store(eng, "2026-10", finding("DECEASED_PAID", "A"), finding("DECEASED_PAID", "B"), finding("DECEASED_PAID", "C"))
    a, b, c = cid("DECEASED_PAID", "A"), cid("DECEASED_PAID", "B"), cid("DECEASED_PAID", "C")
    with session_scope(eng) as session:
        decide(session, c, 1, "li", "cleared", reason="死亡记录属同名他人")
    counts = store(eng, "2026-11", finding("DECEASED_PAID", "A", score=0.5), finding("DECEASED_PAID", "C"))
    assert counts == {"new": 0, "carried_over": 2, "resolved_by_data": 1, "total_open": 1}
    with session_scope(eng) as session:
        case_a = session.get_one(Case, a)
        assert (case_a.first_period, case_a.last_period, case_a.score, case_a.status) == (
            "2026-10",
            "2026-11",
            0.5,
            "open",
        )
        assert session.get_one(Case, b).status == "resolved_by_data"
        assert session.get_one(Case, c).status == "cleared"
        observed = set(session.scalars(select(CaseObservation.case_id).where(CaseObservation.period == "2026-11")))
        assert observed == {a, c}
    assert kinds(eng, a) == ["created", "seen_again"]
    assert kinds(eng, b) == ["created", "resolved_by_data"]
    assert kinds(eng, c) == ["created", "decision", "seen_again"]


def test_resolved_case_reappearing_is_reopened_with_its_review_status(sqlite_engine: Engine) -> None:
    """A case the data had closed comes back in the review state it had (here: assigned → in_review)."""
    eng = sqlite_engine
    a = cid("DECEASED_PAID", "A")
    store(eng, "2026-10", finding("DECEASED_PAID", "A"))
    with session_scope(eng) as session:
        assign(session, a, 1, "admin", "li")
    store(eng, "2026-11")
    assert status(eng, a) == "resolved_by_data"
    counts = store(eng, "2026-12", finding("DECEASED_PAID", "A"))
    assert status(eng, a) == "in_review"
    assert counts["carried_over"] == 1 and counts["total_open"] == 1
    assert kinds(eng, a) == ["created", "assigned", "resolved_by_data", "seen_again", "reopened"]


def test_backfill_of_an_older_month_resolves_nothing(sqlite_engine: Engine) -> None:
    """Only the newest month may conclude that a case disappeared; an older month does not overwrite newer facts."""
    eng = sqlite_engine
    store(eng, "2026-11", finding("DECEASED_PAID", "A", score=0.8))
    store(eng, "2026-10", finding("DECEASED_PAID", "A", score=0.3), finding("DECEASED_PAID", "B"))
    with session_scope(eng) as session:
        case_a = session.get_one(Case, cid("DECEASED_PAID", "A"))
        assert (case_a.status, case_a.score, case_a.first_period, case_a.last_period) == (
            "open",
            0.8,
            "2026-10",
            "2026-11",
        )
    store(eng, "2026-10", finding("DECEASED_PAID", "B"), run="again")
    assert status(eng, cid("DECEASED_PAID", "A")) == "open"


def test_crash_mid_write_leaves_previous_state(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """An exception halfway through the cases rolls everything back; reviewed cases keep their history."""
    a = cid("DECEASED_PAID", "A")
    store(engine, "2026-10", finding("DECEASED_PAID", "A"), finding("DECEASED_PAID", "B"))
    with session_scope(engine) as session:
        decide(session, a, 1, "li", "cleared", reason="火化记录属同名他人")
    start_run(engine, "nov", COUNTY, "2026-11", {})
    before = snapshot(engine)
    calls = {"n": 0}
    real = store_module._upsert_case

    def flaky(*args: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        real(*args)

    monkeypatch.setattr(store_module, "_upsert_case", flaky)
    findings = frame(finding("DECEASED_PAID", "A"), finding("DECEASED_PAID", "C"), finding("DECEASED_PAID", "D"))
    with pytest.raises(RuntimeError, match="disk full"):
        write_run(engine, "nov", COUNTY, "2026-11", findings, {}, None)
    assert calls["n"] == 2
    assert snapshot(engine) == before
    assert kinds(engine, a) == ["created", "decision"]
    fail_run(engine, "nov", "RuntimeError: disk full")
    with session_scope(engine) as session:
        run = session.get_one(Run, "nov")
        assert (run.status, run.summary["error"]) == ("failed", "RuntimeError: disk full")


def test_people_are_stored_as_salted_hashes(sqlite_engine: Engine) -> None:
    """case_people holds hashes only; an inspector in the household is detected as conflicted."""
    eng = sqlite_engine
    number = "110101199001011234"
    people = pd.DataFrame(
        {
            "subject_key": ["h:B", "h:B", "h:other"],
            "id_number": [number, None, "110101199202021234"],
            "relation": ["户主", "配偶", "户主"],
        }
    )
    store(eng, "2026-10", finding("VEHICLE_OWNED", "B"), people=people)
    b = cid("VEHICLE_OWNED", "B")
    with session_scope(eng) as session:
        rows = session.scalars(select(CasePerson)).all()
        assert [(p.case_id, p.id_hash, p.relation) for p in rows] == [(b, id_hash(number), "户主")]
        assert id_hash(number.lower().replace("x", "X") + " ") == id_hash(number)
        assert number not in id_hash(number)
        session.add(User(username="wang", password_hash="x", role="inspector", id_number=number))
        session.add(User(username="li", password_hash="x", role="inspector", id_number="110101199505051234"))
    with session_scope(eng) as session:
        assert conflict_of_interest(session, b, "wang")
        assert not conflict_of_interest(session, b, "li")


def test_finding_rows_clean_frames() -> None:
    """Duplicates merge (higher score wins); NaN, numpy and dates become plain JSON values."""
    evidence = {"facts": {"n": np.int64(2), "x": float("nan"), "d": pd.Timestamp("2026-10-05")}, "set": {"b", "a"}}
    rows = finding_rows(
        COUNTY,
        frame(
            finding("DECEASED_PAID", "A", score=0.4),
            finding("DECEASED_PAID", "A", score=0.6, evidence=evidence, household_id=np.nan),
            finding("MISSED_DIBAO", "H", est_monthly_overpayment=99.0),
        ),
    )
    assert len(rows) == 2
    row = rows[cid("DECEASED_PAID", "A")]
    assert row["score"] == 0.6 and row["household_id"] == "" and row["est_cumulative_overpayment"] is None
    assert row["evidence"] == {"facts": {"n": 2, "x": None, "d": "2026-10-05T00:00:00"}, "set": ["a", "b"]}
    assert rows[cid("MISSED_DIBAO", "H")]["est_monthly_overpayment"] == 0.0
    with pytest.raises(ValueError, match="subject_key"):
        finding_rows(COUNTY, frame(finding("DECEASED_PAID", "A", subject_key="")))


def test_event_counts_do_not_grow_on_rerun(sqlite_engine: Engine) -> None:
    """No duplicate cases or events after three runs of one month."""
    for run in ("a", "b", "c"):
        store(sqlite_engine, "2026-10", finding("DECEASED_PAID", "A"), finding("VEHICLE_OWNED", "B"), run=run)
    with session_scope(sqlite_engine) as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 2
        assert session.scalar(select(func.count()).select_from(CaseEvent)) == 2


def test_update_run_summary_replaces_it(engine: Engine) -> None:
    """The summary is replaced; NaN (which PostgreSQL's JSON refuses) is stored as null."""
    counts = store(engine, "2026-10", finding("DECEASED_PAID", "A"))
    update_run_summary(engine, "run-2026-10", {"cases": counts, "share": float("nan"), "n": np.int64(3)})
    with session_scope(engine) as session:
        assert session.get_one(Run, "run-2026-10").summary == {"cases": counts, "share": None, "n": 3}


def test_overlong_text_is_clipped_not_fatal(engine: Engine) -> None:
    """A garbage name or program longer than its column does not fail the run on PostgreSQL."""
    store(engine, "2026-10", finding("DECEASED_PAID", "A", name="张" * 100, program="dibao_rural," * 20))
    with session_scope(engine) as session:
        case = session.get_one(Case, cid("DECEASED_PAID", "A"))
        assert case.name == "张" * 64 and len(case.program) == 120
