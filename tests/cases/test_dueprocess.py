"""cases.dueprocess (the state machine as data), the review policy, and server-side sessions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine

from cases import sessions
from cases.db import session_scope
from cases.dueprocess import STEPS, months_between, proposed_back_pay, state
from hecha.exceptions import PolicyError
from hecha.labels import STAGES
from hecha.policy import load_policy

DAY = dt.date(2026, 11, 3)


def test_every_stage_has_a_label_and_steps() -> None:
    assert set(STEPS) == set(STAGES) and all(STAGES.values())


def test_stage_follows_notice_response_deadline_proposal_and_approval() -> None:
    notice = ("notified", "li", {"notified_on": "2026-11-03", "deadline": "2026-11-13"})
    assert state([], DAY).stage == "open"
    assert state([notice], dt.date(2026, 11, 13)).stage == "notified"  # the last day is still the household's
    waiting = state([notice], dt.date(2026, 11, 14))
    assert waiting.stage == "heard" and waiting.overdue(dt.date(2026, 11, 14))
    heard = state([notice, ("response", "li", {"response": "有异议"})], DAY)
    assert heard.stage == "heard" and heard.responded and not heard.overdue(DAY)
    proposed = state([notice, ("proposed", "li", {"action": "recover"})], DAY)
    assert (proposed.stage, proposed.proposed_by) == ("proposed", "li")
    rejected = state([notice, ("proposed", "li", {}), ("rejected", "sup", {})], DAY)
    assert rejected.stage == "heard" and rejected.proposed_by is None
    done = state([notice, ("proposed", "li", {}), ("decision", "sup", {"approved_by": "sup"})], DAY)
    assert done.stage == "in_effect" and not done.allows("propose")


def test_back_pay_counts_the_months_stopped() -> None:
    assert months_between(dt.date(2026, 8, 20), dt.date(2026, 11, 2)) == 3
    assert months_between(dt.date(2026, 11, 1), dt.date(2026, 11, 30)) == 1  # at least the month of the stop
    assert proposed_back_pay(560.0, dt.date(2026, 8, 20), dt.date(2026, 11, 2)) == (3, 1680.0)


def test_review_policy_is_validated(tmp_path: Path) -> None:
    assert load_policy().review.response_days == 10
    county = tmp_path / "county.yaml"
    county.write_text("review:\n  response_days: 15\n", encoding="utf-8")
    assert load_policy(county).review.response_days == 15
    for bad, key in (
        ("review:\n  response_days: 0\n", "review.response_days"),
        ("review:\n  respond_days: 5\n", "review.respond_days"),
    ):
        county.write_text(bad, encoding="utf-8")
        with pytest.raises(PolicyError, match=key.replace(".", r"\.")):
            load_policy(county)


def test_sessions_end_when_idle_too_old_or_ended(sqlite_engine: Engine) -> None:
    with session_scope(sqlite_engine) as session:
        token, _ = sessions.create(session, "li", "127.0.0.1")
        other, _ = sessions.create(session, "li", "127.0.0.2")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with session_scope(sqlite_engine) as session:
        assert sessions.lookup(session, token, now + dt.timedelta(minutes=sessions.IDLE_MINUTES - 1)) is not None
    with session_scope(sqlite_engine) as session:
        late = now + dt.timedelta(minutes=sessions.IDLE_MINUTES - 1) + dt.timedelta(minutes=sessions.IDLE_MINUTES + 1)
        assert sessions.lookup(session, token, late) is None
    with session_scope(sqlite_engine) as session:
        assert sessions.lookup(session, other, now + dt.timedelta(hours=sessions.ABSOLUTE_HOURS, minutes=1)) is None
    with session_scope(sqlite_engine) as session:
        fresh, _ = sessions.create(session, "li", None)
        assert sessions.end_all(session, "li") == 1
        assert sessions.lookup(session, fresh) is None and sessions.lookup(session, "forged") is None


def test_throttle_doubles_the_pause(sqlite_engine: Engine) -> None:
    now = dt.datetime(2026, 11, 3, 8, 0)
    with session_scope(sqlite_engine) as session:
        for _ in range(sessions.FREE_ATTEMPTS["u"]):
            assert not sessions.blocked(session, "nobody", None, now)
            sessions.failed(session, "nobody", None, now)
        assert sessions.blocked(session, "nobody", None, now + dt.timedelta(seconds=29))
        assert not sessions.blocked(session, "nobody", None, now + dt.timedelta(seconds=31))
        sessions.failed(session, "nobody", None, now + dt.timedelta(seconds=31))
        assert sessions.blocked(session, "nobody", None, now + dt.timedelta(seconds=31 + 59))
        assert not sessions.blocked(session, "nobody", None, now + dt.timedelta(seconds=31 + 61))
