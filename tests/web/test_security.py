"""Login, sessions and forms: throttling, CSRF, cookie flags, audit of logins, no personal data in URLs."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update
from webseed import CASE_A, PASSWORD, csrf_of, login, version

from cases.db import session_scope
from cases.schema import AuditLog, Case, LoginThrottle
from cases.users import MAX_FAILED_LOGINS

Clients = Callable[[str], TestClient]


def test_post_without_or_with_wrong_csrf_token_is_refused(client_as: Clients, store: tuple[str, Engine]) -> None:
    client = client_as("inspector_a2")
    before = version(store[1], CASE_A)
    data = {"version": before, "decision": "confirmed", "action": "recover", "amount_to_recover": "10"}
    assert client.post(f"/cases/{CASE_A}/decide", data=data).status_code == 403
    assert client.post(f"/cases/{CASE_A}/decide", data={**data, "csrf_token": "forged"}).status_code == 403
    assert client.post(f"/cases/{CASE_A}/unmask", data={"csrf_token": "forged"}).status_code == 403
    assert version(store[1], CASE_A) == before


def test_csrf_token_of_another_session_is_refused(client_as: Clients, store: tuple[str, Engine]) -> None:
    """A token is bound to its session: another user's valid token does not work."""
    victim, attacker = client_as("inspector_a2"), client_as("admin")
    foreign = csrf_of(attacker)
    response = victim.post(
        f"/cases/{CASE_A}/notice",
        data={
            "csrf_token": foreign,
            "version": version(store[1], CASE_A),
            "notified_on": "2026-11-01",
            "method": "电话",
        },
    )
    assert response.status_code == 403


def test_login_without_csrf_is_refused(app: FastAPI) -> None:
    with TestClient(app) as client:
        response = client.post("/login", data={"username": "admin", "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 403


def test_login_is_throttled_after_repeated_failures(app: FastAPI, store: tuple[str, Engine]) -> None:
    """After MAX_FAILED_LOGINS wrong passwords even the right one is refused until the pause ends."""
    with TestClient(app) as client:
        for _ in range(MAX_FAILED_LOGINS):
            assert login(client, "inspector_b", "wrong-password").status_code == 401
        paused = login(client, "inspector_b")
        assert paused.status_code == 401 and "暂停登录" in paused.text
        with session_scope(store[1]) as session:
            session.execute(update(LoginThrottle).values(blocked_until=dt.datetime(2000, 1, 1)))
        assert login(client, "inspector_b").status_code == 303
    with session_scope(store[1]) as session:
        actions = session.scalars(
            select(AuditLog.action).where(AuditLog.username == "inspector_b").order_by(AuditLog.audit_id)
        ).all()
    assert actions == ["login_failed"] * (MAX_FAILED_LOGINS + 1) + ["login_ok"]


def _error_of(text: str) -> str:
    found = re.search(r'class="msg error"[^>]*>([^<]*)<', text)
    return found.group(1) if found else ""


def test_lockout_answers_the_same_for_unknown_and_real_usernames(app: FastAPI, store: tuple[str, Engine]) -> None:
    """A wrong password, an unknown name, and a paused real or unknown name get one and the same answer."""
    with TestClient(app) as client:
        tries = [login(client, "nobody-here", "x" * 9), login(client, "inspector_b", "x" * 9)]
        for name in ("nobody-here", "inspector_b"):
            for _ in range(MAX_FAILED_LOGINS):
                login(client, name, "wrong-password")
        tries += [login(client, "inspector_b"), login(client, "nobody-here", PASSWORD)]
    answers = {(r.status_code, _error_of(r.text)) for r in tries}
    assert len(answers) == 1, answers
    ((status, message),) = answers
    assert status == 401 and "用户名或密码错误" in message


def test_login_is_throttled_per_client_address(app: FastAPI, store: tuple[str, Engine]) -> None:
    """Guessing across many usernames from one address pauses that address, even for a right password."""
    from cases.sessions import FREE_ATTEMPTS

    with TestClient(app) as client:
        for i in range(FREE_ATTEMPTS["a"]):
            login(client, f"guess{i}", "wrong-password")
        assert login(client, "admin").status_code == 401
    with session_scope(store[1]) as session:
        row = session.get_one(LoginThrottle, "a:testclient")
        assert row.blocked_until is not None and row.failures == FREE_ATTEMPTS["a"]


def test_cookie_replayed_after_logout_or_password_reset_is_rejected(app: FastAPI, store: tuple[str, Engine]) -> None:
    """The cookie is only a key to a server-side session: logout and a password reset end it, and a
    copied cookie is refused (and audited) from then on."""
    from cases.users import reset_password

    with TestClient(app) as client:
        assert login(client, "inspector_a2").status_code == 303
        copied = dict(client.cookies)
        client.post("/logout", data={"csrf_token": csrf_of(client)}, follow_redirects=False)
    with TestClient(app, cookies=copied) as replay:
        assert replay.get("/cases", follow_redirects=False).status_code == 303
    with TestClient(app) as client, TestClient(app) as other_browser:
        assert login(client, "inspector_a2").status_code == 303
        assert login(other_browser, "inspector_a2").status_code == 303
        copied = dict(client.cookies)
        reset_password(store[1], "inspector_a2", "brand-new-pass-3")
        assert client.get("/cases", follow_redirects=False).status_code == 303
        assert other_browser.get("/cases", follow_redirects=False).status_code == 303
    with TestClient(app, cookies=copied) as replay:
        assert replay.get("/cases", follow_redirects=False).status_code == 303
    with session_scope(store[1]) as session:
        rejected = session.scalars(select(AuditLog).where(AuditLog.action == "session_rejected")).all()
    assert len(rejected) >= 3 and all(r.client == "testclient" for r in rejected)


def test_role_change_ends_sessions(client_as: Clients, store: tuple[str, Engine]) -> None:
    from cases.users import change_role

    client = client_as("auditor")
    assert client.get("/audit").status_code == 200
    change_role(store[1], "auditor", "admin")
    assert client.get("/audit", follow_redirects=False).status_code == 303


def test_session_cookie_flags_and_headers(app: FastAPI) -> None:
    with TestClient(app) as client:
        response = login(client, "admin")
        cookie = response.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "max-age=" in cookie
        page = client.get("/cases")
        assert page.headers["cache-control"] == "no-store" and page.headers["x-frame-options"] == "DENY"


def test_disabled_account_is_logged_out(client_as: Clients, store: tuple[str, Engine]) -> None:
    from cases.users import disable_user

    client = client_as("inspector_a2")
    assert client.get("/cases").status_code == 200
    disable_user(store[1], "inspector_a2")
    assert client.get("/cases", follow_redirects=False).status_code == 303


def test_links_carry_no_personal_data(client_as: Clients, store: tuple[str, Engine]) -> None:
    """No href or form action on the queue or case page holds a name or identity number."""
    client = client_as("admin")
    with session_scope(store[1]) as session:
        people = [(c.name, c.id_number) for c in session.scalars(select(Case))]
    for path in ("/cases", f"/cases/{CASE_A}", "/cases?sort=amount&desc=0"):
        targets = re.findall(r'(?:href|action)="([^"]*)"', client.get(path).text)
        for name, number in people:
            assert not any((name and name in t) or (number and number in t) for t in targets)


def test_audit_page_and_csv_export(client_as: Clients, store: tuple[str, Engine]) -> None:
    """Auditors see logins, views and queue views with client addresses, in Chinese, and can export
    them; the export itself is audited."""
    inspector = client_as("inspector_a2")
    inspector.get(f"/cases/{CASE_A}")
    inspector.get("/cases", params={"category": "wrong"})
    auditor = client_as("auditor")
    page = auditor.get("/audit").text
    assert "登录成功" in page and "查看案件" in page and CASE_A in page and "查看案件队列" in page
    assert "testclient" in page and "筛选条件" in page and "category=" in page
    csv_text = auditor.get("/audit/export.csv", params={"action": "view"}).content.decode("utf-8-sig")
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("时间(北京时间),用户,客户端地址,操作") and len(lines) == 2 and CASE_A in lines[1]
    with session_scope(store[1]) as session:
        assert (
            session.scalars(select(AuditLog.action).where(AuditLog.username == "auditor")).all()[-1] == "audit_export"
        )
        queue_views = session.scalars(select(AuditLog).where(AuditLog.action == "queue")).all()
    assert any(v.username == "inspector_a2" and v.detail["filters"].get("category") == "wrong" for v in queue_views)


def test_refused_attempts_are_audited_with_address(client_as: Clients, store: tuple[str, Engine]) -> None:
    """Opening another town's case and an inspector asking for the audit page are logged as refusals."""
    from webseed import CASE_B

    client = client_as("inspector_a2")
    assert client.get(f"/cases/{CASE_B}").status_code == 404
    assert client.get("/audit").status_code == 403
    with session_scope(store[1]) as session:
        refused = session.scalars(select(AuditLog).where(AuditLog.action == "refused")).all()
    reasons = sorted((r.detail["reason"], r.detail["path"]) for r in refused if r.username == "inspector_a2")
    assert reasons == [("forbidden", "/audit"), ("not_found", f"/cases/{CASE_B}")]
    assert all(r.client == "testclient" for r in refused)


def test_audit_csv_neutralises_formula_cells(client_as: Clients, store: tuple[str, Engine]) -> None:
    """A username typed as `=HYPERLINK(...)` at the login form lands in the CSV as text, not a formula."""
    evil = '=HYPERLINK("http://x","y")'
    anon = client_as("admin")
    anon.post("/logout", data={"csrf_token": csrf_of(anon)})
    login(anon, evil, "wrong-password")
    for cell in ("+1", "-1", "@SUM(A1)"):
        login(anon, cell, "wrong-password")
    auditor = client_as("auditor")
    rows = list(csv.reader(io.StringIO(auditor.get("/audit/export.csv").content.decode("utf-8-sig"))))
    users = [r[1] for r in rows[1:]]
    assert "'" + evil in users and evil not in users
    assert {"'+1", "'-1", "'@SUM(A1)"} <= set(users)
    assert all(not c.startswith(("=", "+", "-", "@")) for r in rows for c in r)
