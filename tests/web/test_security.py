"""Login, sessions and forms: throttling, CSRF, cookie flags, audit of logins, no personal data in URLs."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update
from webseed import CASE_A, PASSWORD, csrf_of, login, version

from cases.db import session_scope
from cases.schema import AuditLog, Case, User
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
    """After MAX_FAILED_LOGINS wrong passwords even the right one is refused until the lock expires."""
    with TestClient(app) as client:
        for _ in range(MAX_FAILED_LOGINS):
            assert login(client, "inspector_b", "wrong-password").status_code == 401
        locked = login(client, "inspector_b")
        assert locked.status_code == 401 and "锁定" in locked.text
        with session_scope(store[1]) as session:
            session.execute(
                update(User).where(User.username == "inspector_b").values(locked_until=dt.datetime(2000, 1, 1))
            )
        assert login(client, "inspector_b").status_code == 303
    with session_scope(store[1]) as session:
        actions = session.scalars(
            select(AuditLog.action).where(AuditLog.username == "inspector_b").order_by(AuditLog.audit_id)
        ).all()
    assert actions == ["login_failed"] * (MAX_FAILED_LOGINS + 1) + ["login_ok"]


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
    """Auditors see logins and views and can export them; the export itself is audited."""
    client_as("inspector_a2").get(f"/cases/{CASE_A}")
    auditor = client_as("auditor")
    page = auditor.get("/audit").text
    assert "登录成功" in page and "查看案件" in page and CASE_A in page
    csv_text = auditor.get("/audit/export.csv", params={"action": "view"}).content.decode("utf-8-sig")
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("时间(北京时间),用户,操作") and len(lines) == 2 and CASE_A in lines[1]
    with session_scope(store[1]) as session:
        assert (
            session.scalars(select(AuditLog.action).where(AuditLog.username == "auditor")).all()[-1] == "audit_export"
        )
