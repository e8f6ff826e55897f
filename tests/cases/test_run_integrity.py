"""Run integrity on SQLite and PostgreSQL: months in any order, concurrent runs, dead runs, busy stores."""

from __future__ import annotations

import multiprocessing
import os
import re
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from casedata import COUNTY, finding, frame, store
from integrity_workers import first_run
from sqlalchemy import Engine, select, text

from cases import db
from cases.db import StoreBusyError, make_engine, session_scope, upgrade
from cases.ids import case_id
from cases.schema import Case, Run
from cases.store import abandon_dead_runs, start_run, succeed_run, write_run
from cases.workflow import decide
from flows.cli import main as cli_main

ROOT = Path(__file__).resolve().parents[2]
WORKERS = Path(__file__).with_name("integrity_workers.py")


def cid(subject: str) -> str:
    return case_id(COUNTY, "DECEASED_PAID", "p:" + subject)


def cases_table(engine: Engine) -> list[dict[str, Any]]:
    """Every case with every column (timestamps too: a backfill must not even touch a row)."""
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(text("SELECT * FROM cases ORDER BY case_id")).mappings()]


def history(engine: Engine) -> dict[str, Any]:
    """Cases, observations and events without what differs between two equal histories (ids, times, run ids)."""
    with engine.connect() as conn:
        cases = conn.execute(
            text(
                "SELECT case_id, status, first_period, last_period, status_period, score, version FROM cases "
                "ORDER BY case_id"
            )
        ).all()
        observations = conn.execute(text("SELECT case_id, period, score FROM case_observations ORDER BY 1, 2")).all()
        events = conn.execute(
            text("SELECT case_id, kind, period, from_status, to_status FROM case_events ORDER BY case_id, event_id")
        ).all()
    return {"cases": [tuple(r) for r in cases], "observations": [tuple(r) for r in observations],
            "events": [tuple(r) for r in events]}  # fmt: skip


def status(engine: Engine, subject: str) -> str:
    with session_scope(engine) as session:
        return session.get_one(Case, cid(subject)).status


def run_row(engine: Engine, run_id: str) -> Run:
    with session_scope(engine) as session:
        return session.get_one(Run, run_id)


OCT = [finding("DECEASED_PAID", s, score=0.5 + i / 10) for i, s in enumerate("ABCDEFG")]
NOV = [finding("DECEASED_PAID", s, score=0.9) for s in "AHI"]


def test_october_again_after_november_leaves_every_case_as_november_left_it(engine: Engine) -> None:
    """Five cases November resolved stay resolved; a decided case stays decided; nothing in `cases` changes."""
    store(engine, "2026-10", *OCT, run="oct")
    with session_scope(engine) as session:
        decide(session, cid("B"), 1, "li", "cleared", reason="死亡记录属同名他人")
    store(engine, "2026-11", *NOV, run="nov")
    after_november = cases_table(engine)
    assert [status(engine, s) for s in "ACDH"] == ["open", "resolved_by_data", "resolved_by_data", "open"]
    assert status(engine, "B") == "cleared"

    counts = store(engine, "2026-10", *OCT, run="oct-again")
    assert cases_table(engine) == after_november
    assert counts["total_open"] == 3  # A, H, I: the newest month's open cases
    # A changed October run still adds its observation and history, but no status.
    store(engine, "2026-10", *OCT, finding("DECEASED_PAID", "Z"), run="oct-more")
    assert status(engine, "Z") == "resolved_by_data"  # November ran and did not find it
    with engine.connect() as conn:
        z_events = conn.execute(
            text("SELECT kind, period FROM case_events WHERE case_id = :c ORDER BY event_id"), {"c": cid("Z")}
        ).all()
    assert [tuple(e) for e in z_events] == [("created", "2026-10"), ("resolved_by_data", "2026-11")]
    assert [status(engine, s) for s in "ACDHI"] == ["open", "resolved_by_data", "resolved_by_data", "open", "open"]


def test_any_order_of_first_runs_gives_the_same_statuses(engine: Engine, tmp_path: Path) -> None:
    """November first, then October (a late backfill): statuses, periods and observations as in order."""
    store(engine, "2026-11", *NOV, run="nov")
    store(engine, "2026-10", *OCT, run="oct")
    in_order = make_engine(f"sqlite:///{tmp_path / 'in_order.db'}")
    upgrade(in_order)
    store(in_order, "2026-10", *OCT, run="oct")
    store(in_order, "2026-11", *NOV, run="nov")
    got, want = history(engine), history(in_order)
    strip = [(c, s, f, lp, sp, sc) for c, s, f, lp, sp, sc, _ in want["cases"]]
    assert [(c, s, f, lp, sp, sc) for c, s, f, lp, sp, sc, _ in got["cases"]] == strip
    assert got["observations"] == want["observations"]


def test_october_and_november_started_at_once_give_the_store_in_order(db_url: str, tmp_path: Path) -> None:
    """November reaches its write first, yet waits for October's: the history equals running them in order."""
    engine = make_engine(db_url)
    upgrade(engine)
    start_run(engine, "oct", COUNTY, "2026-10", {})
    start_run(engine, "nov", COUNTY, "2026-11", {})

    def run(run_id: str, period: str, rows: list[dict[str, Any]], delay: float) -> None:
        time.sleep(delay)
        write_run(engine, run_id, COUNTY, period, frame(*rows), {}, None)
        succeed_run(engine, run_id)

    with ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(run, "nov", "2026-11", NOV, 0.0), pool.submit(run, "oct", "2026-10", OCT, 1.5)]
        for f in futures:
            f.result()
    in_order = make_engine(f"sqlite:///{tmp_path / 'in_order.db'}")
    upgrade(in_order)
    store(in_order, "2026-10", *OCT, run="oct")
    store(in_order, "2026-11", *NOV, run="nov")
    assert history(engine) == history(in_order)
    assert run_row(engine, "oct").stored_at < run_row(engine, "nov").stored_at  # type: ignore[operator]
    engine.dispose()


def test_three_concurrent_first_runs_on_an_empty_database_all_succeed(db_url: str) -> None:
    """Three processes migrate and write at the same moment: one migration, three succeeded runs."""
    jobs = [(COUNTY, "2026-10"), (COUNTY, "2026-11"), ("429005", "2026-10")]
    spawn = multiprocessing.get_context("spawn")
    with spawn.Manager() as manager, ProcessPoolExecutor(3, mp_context=spawn) as pool:
        barrier = manager.Barrier(3)  # all three begin once all three have imported everything
        futures = [pool.submit(first_run, db_url, county, period, barrier) for county, period in jobs]
        run_ids = [f.result(timeout=300) for f in futures]
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        runs = {r.run_id: r for r in session.scalars(select(Run))}
        assert {runs[r].status for r in run_ids} == {"succeeded"}
        assert session.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1
        by_county = {c: session.scalars(select(Case).where(Case.county == c)).all() for c in (COUNTY, "429005")}
    assert len(by_county["429005"]) == 4
    statuses = {c.case_id: c.status for c in by_county[COUNTY]}
    resolved = {cid(s) for s in "BD"}
    assert {k for k, v in statuses.items() if v == "resolved_by_data"} == resolved  # as October then November
    assert len(statuses) == 5
    engine.dispose()


def _kill_during_outputs(db_url: str, run_id: str, at: str) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(WORKERS.parent)])}
    done = subprocess.run([sys.executable, str(WORKERS), db_url, run_id, "2026-10", at], env=env, timeout=120)
    assert done.returncode == -9


@pytest.mark.parametrize("at", ["export", "report"])
def test_a_run_killed_during_outputs_is_abandoned_by_the_next_run(db_url: str, at: str) -> None:
    """kill -9 after the cases, while writing outputs: never `succeeded` once the next run of the county looked."""
    _kill_during_outputs(db_url, "killed", at)
    engine = make_engine(db_url)
    dead = run_row(engine, "killed")
    assert dead.stored_at is not None  # its cases were committed before it died
    # not succeeded: its outputs were never all written (the report reads its own run by id)
    assert (dead.status, dead.stage, dead.finished_at) == ("running", "outputs" if at == "export" else "report", None)
    found = abandon_dead_runs(engine, COUNTY)  # what the next run of the county does first
    assert [(r["run_id"], r["cases_stored"], r["output_dir"]) for r in found] == [("killed", True, "/tmp/killed")]
    dead = run_row(engine, "killed")
    assert dead.status == "abandoned"
    assert "/tmp/killed" in dead.summary["error"] and dead.summary["abandoned_at_stage"] in ("outputs", "report")
    assert abandon_dead_runs(engine, COUNTY) == []
    engine.dispose()


def test_db_check_marks_dead_runs_abandoned(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """`hecha db check` finds a run whose process is gone; a live run (this process) is left alone."""
    engine = make_engine(db_url)
    upgrade(engine)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    start_run(engine, "alive", COUNTY, "2026-10", {})
    start_run(engine, "dead", COUNTY, "2026-11", {}, output_dir="/srv/runs/dead")
    with session_scope(engine) as session:
        session.get_one(Run, "dead").pid = gone.pid
    assert cli_main(["db", "check", "--db", db_url]) == 0
    out = capsys.readouterr().out
    assert "已标记为放弃 abandoned" in out and "/srv/runs/dead" in out and "1 dead run(s)" in out
    assert (run_row(engine, "dead").status, run_row(engine, "alive").status) == ("abandoned", "running")
    engine.dispose()


def test_a_busy_store_is_retried_then_fails_with_a_clear_message(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A writer holding the county's lock: a short hold is waited out; a long one fails in Chinese and English."""
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 300)
    monkeypatch.setattr(db, "LOCK_TIMEOUT_S", 1)
    engine = make_engine(db_url)
    upgrade(engine)
    holding, release = threading.Event(), threading.Event()

    def hold(seconds: float) -> None:
        with session_scope(engine) as session:
            db.lock_county(session, COUNTY)
            holding.set()
            release.wait(seconds)

    start_run(engine, "r1", COUNTY, "2026-10", {})
    monkeypatch.setattr(db, "RETRY_DEADLINE_S", 3.0)
    holder = threading.Thread(target=hold, args=(30,))
    holder.start()
    holding.wait()
    began = time.monotonic()
    with pytest.raises(StoreBusyError) as err:
        write_run(engine, "r1", COUNTY, "2026-10", frame(*OCT), {}, None)
    assert time.monotonic() - began >= 2.0
    assert "案件库繁忙" in str(err.value) and "case store busy" in str(err.value)
    release.set()
    holder.join()

    monkeypatch.setattr(db, "RETRY_DEADLINE_S", 60.0)
    holding.clear()
    release.clear()
    holder = threading.Thread(target=hold, args=(2.5,))
    holder.start()
    holding.wait()
    counts = write_run(engine, "r1", COUNTY, "2026-10", frame(*OCT), {}, None)
    holder.join()
    assert counts["new"] == len(OCT)
    engine.dispose()


def test_a_current_schema_is_not_locked_again(sqlite_url: str) -> None:
    """Upgrading a current store takes no lock: a run starts while another process holds the write lock."""
    engine = make_engine(sqlite_url)
    upgrade(engine)
    with engine.connect() as holder:
        holder.exec_driver_sql("BEGIN EXCLUSIVE")
        began = time.monotonic()
        upgrade(make_engine(sqlite_url))
        assert time.monotonic() - began < 5
        holder.exec_driver_sql("ROLLBACK")


ID18 = re.compile(r"(?<![\d.])\d{17}[\dXx](?!\d)")  # not the decimals of a float


def test_no_identity_number_in_any_stored_error(db_url: str) -> None:
    """Errors of every kind are stored scrubbed, database driver errors with their SQL parameters included."""
    from flows import lifecycle

    engine = make_engine(db_url)
    upgrade(engine)
    number, phone, account = "42900619500101001X", "13812345678", "6222020200112233445"
    raw = sa.create_engine(db_url)  # a driver error as psycopg and sqlite3 give it, parameters and all
    with raw.begin() as conn:
        conn.execute(text("CREATE TABLE people_tmp (id_number VARCHAR(18) PRIMARY KEY)"))
        conn.execute(text("INSERT INTO people_tmp VALUES (:n)"), {"n": number})
    errors: list[BaseException] = [ValueError(f"bad row: {number} phone {phone} account {account}")]
    try:
        with raw.begin() as conn:
            conn.execute(text("INSERT INTO people_tmp VALUES (:n)"), {"n": number})
    except Exception as exc:
        assert number in str(exc)  # the driver message does carry it
        errors.append(exc)
    for i, exc in enumerate(errors):
        start_run(engine, f"r{i}", COUNTY, "2026-10", {})
        lifecycle.fail(engine, f"r{i}", exc)
    with engine.connect() as conn:
        stored = [str(s) for (s,) in conn.execute(text("SELECT summary FROM runs"))]
    assert len(stored) == 2 and all("error" in s for s in stored)
    assert not any(ID18.search(s) for s in stored)
    assert not any(phone in s or account in s for s in stored)
    assert "429006********001X" in stored[0] + stored[1]
    engine.dispose()
    raw.dispose()


def test_nul_bytes_and_very_long_text_are_stored_on_both_stores(engine: Engine) -> None:
    """A NUL in a name, a 10,000-character name: stored (NUL replaced, text clipped) on PostgreSQL as on SQLite."""
    evil = "张\x00三"
    long_name = "李" * 10_000
    evidence = {"rule": "DECEASED_PAID", "records": [{"name": evil}, {"name": long_name}], "summary_zh": "a\x00b"}
    counts = store(engine, "2026-10", finding("DECEASED_PAID", "A", name=evil, evidence=evidence),
                   finding("DECEASED_PAID", "B", name=long_name, household_id="H\x00"))  # fmt: skip
    assert counts["new"] == 2
    with session_scope(engine) as session:
        a, b = session.get_one(Case, cid("A")), session.get_one(Case, cid("B"))
        assert a.name == "张\ufffd三" and "\x00" not in str(a.evidence)
        assert a.evidence["records"][1]["name"] == long_name
        assert b.name == "李" * 64 and b.household_id == "H\ufffd"


def test_migration_0002_keeps_existing_stores_right(db_url: str) -> None:
    """A store from before 0002: each case's status period is its last system event's; old runs count as done."""
    engine = make_engine(db_url)
    upgrade(engine, "0001")
    case = {"county": COUNTY, "finding": "DECEASED_PAID", "category": "wrong", "program": "", "household_id": "",
            "id_number": "", "name": "", "person_id": "", "region_code": "", "town": "", "village": "", "score": 0.5,
            "est_monthly_overpayment": 0.0, "evidence": "{}", "created_at": "2026-11-01", "updated_at": "2026-11-01",
            "version": 1}  # fmt: skip
    with engine.begin() as conn:
        for c, first, last, st in (
            ("C1", "2026-10", "2026-10", "resolved_by_data"),
            ("C2", "2026-10", "2026-11", "open"),
        ):
            conn.execute(
                text(
                    "INSERT INTO cases (case_id, subject_key, first_period, last_period, status, county, finding, "
                    "category, program, household_id, id_number, name, person_id, region_code, town, village, score, "
                    "est_monthly_overpayment, evidence, created_at, updated_at, version) VALUES (:case_id, :subject, "
                    ":first, :last, :status, :county, :finding, :category, :program, :household_id, :id_number, :name,"
                    " :person_id, :region_code, :town, :village, :score, :est_monthly_overpayment, :evidence, "
                    ":created_at, :updated_at, :version)"
                ),
                {**case, "case_id": c, "subject": "p:" + c, "first": first, "last": last, "status": st},
            )
        events = [("C1", "created", "2026-10"), ("C1", "resolved_by_data", "2026-11"), ("C2", "created", "2026-10"),
                  ("C2", "seen_again", "2026-11"), ("C2", "note", "2026-12")]  # fmt: skip
        for c, kind, period in events:
            conn.execute(
                text(
                    "INSERT INTO case_events (case_id, at, actor, kind, period, payload) "
                    "VALUES (:c, '2026-11-01', 'system', :k, :p, '{}')"
                ),
                {"c": c, "k": kind, "p": period},
            )
        conn.execute(
            text(
                "INSERT INTO runs (run_id, county, period, started_at, finished_at, status, summary, policy) "
                "VALUES ('old', :county, '2026-11', '2026-11-01', '2026-11-01', 'succeeded', '{}', '{}')"
            ),
            {"county": COUNTY},
        )
    upgrade(engine)
    with engine.connect() as conn:
        periods = dict(conn.execute(text("SELECT case_id, status_period FROM cases")).all())
        old = conn.execute(text("SELECT stage, stored_at FROM runs WHERE run_id = 'old'")).one()
    assert periods == {"C1": "2026-11", "C2": "2026-11"}
    assert old[0] == "done" and old[1] is not None
    assert abandon_dead_runs(engine) == []
    engine.dispose()
