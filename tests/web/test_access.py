"""Role boundaries: inspectors see only their towns, auditors only read, admins assign."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from webseed import CASE_A, CASE_B, CASE_KIN, csrf_of, version

from cases.db import session_scope
from cases.schema import AuditLog, Case

Clients = Callable[[str], TestClient]


def test_inspector_queue_lists_only_own_town(client_as: Clients) -> None:
    """An inspector of town A sees A's cases in the queue and nothing of town B, even when filtering for B."""
    client = client_as("inspector_a2")
    page = client.get("/cases").text
    assert CASE_A in page and CASE_KIN in page
    assert CASE_B not in page and "乙镇" not in page
    assert CASE_B not in client.get("/cases", params={"town": "429006002"}).text


def test_inspector_cannot_open_or_act_on_other_town(client_as: Clients, store: tuple[str, Engine]) -> None:
    """Town B's case answers 404 to town A's inspector — for viewing, unmasking and deciding alike."""
    client = client_as("inspector_a2")
    token = csrf_of(client)
    page = client.get(f"/cases/{CASE_B}")
    assert page.status_code == 404 and "李建国" not in page.text
    assert client.post(f"/cases/{CASE_B}/unmask", data={"csrf_token": token}).status_code == 404
    decide = client.post(
        f"/cases/{CASE_B}/decide",
        data={"csrf_token": token, "version": version(store[1], CASE_B), "decision": "cleared", "reason": "x"},
    )
    assert decide.status_code == 404
    with session_scope(store[1]) as session:
        assert session.get_one(Case, CASE_B).status == "open"


def test_auditor_reads_but_cannot_decide(client_as: Clients, store: tuple[str, Engine]) -> None:
    """The auditor sees every town and the audit page but any write is 403 and changes nothing."""
    client = client_as("auditor")
    assert CASE_B in client.get("/cases").text
    page = client.get(f"/cases/{CASE_A}").text
    assert 'id="form-decide"' not in page and "只读" in page
    assert client.get("/audit").status_code == 200
    token = csrf_of(client)
    before = version(store[1], CASE_A)
    response = client.post(
        f"/cases/{CASE_A}/decide",
        data={
            "csrf_token": token,
            "version": before,
            "decision": "confirmed",
            "action": "recover",
            "amount_to_recover": "100",
        },
    )
    assert response.status_code == 403
    assert client.post(f"/cases/{CASE_A}/unmask", data={"csrf_token": token}).status_code == 403
    assert version(store[1], CASE_A) == before


def test_inspector_has_no_audit_page_and_cannot_assign(client_as: Clients, store: tuple[str, Engine]) -> None:
    client = client_as("inspector_a2")
    assert client.get("/audit").status_code == 403
    token = csrf_of(client)
    response = client.post(
        f"/cases/{CASE_A}/assign",
        data={"csrf_token": token, "version": version(store[1], CASE_A), "assignee": "inspector_a2"},
    )
    assert response.status_code == 403


def test_admin_assigns_and_history_shows_it(client_as: Clients, store: tuple[str, Engine]) -> None:
    """The admin assigns a case to an inspector of its town; the case goes into review and the audit records it."""
    client = client_as("admin")
    token = csrf_of(client)
    response = client.post(
        f"/cases/{CASE_A}/assign",
        data={"csrf_token": token, "version": version(store[1], CASE_A), "assignee": "inspector_a2"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "分派核查" in response.text and "inspector_a2" in response.text
    with session_scope(store[1]) as session:
        case = session.get_one(Case, CASE_A)
        assert (case.assigned_to, case.status) == ("inspector_a2", "in_review")
        actions = session.scalars(select(AuditLog.action).where(AuditLog.case_id == CASE_A)).all()
    assert "assign" in actions


def test_admin_cannot_assign_to_an_inspector_of_another_town(client_as: Clients, store: tuple[str, Engine]) -> None:
    client = client_as("admin")
    token = csrf_of(client)
    response = client.post(
        f"/cases/{CASE_A}/assign",
        data={"csrf_token": token, "version": version(store[1], CASE_A), "assignee": "inspector_b"},
    )
    assert response.status_code == 400 and "负责该乡镇" in response.text
    with session_scope(store[1]) as session:
        assert session.get_one(Case, CASE_A).assigned_to is None


def test_pages_need_login(app: object) -> None:
    from fastapi import FastAPI

    assert isinstance(app, FastAPI)
    with TestClient(app) as client:
        for path in ("/cases", f"/cases/{CASE_A}", "/audit", "/cases/export.xlsx"):
            response = client.get(path, follow_redirects=False)
            assert response.status_code == 303 and response.headers["location"] == "/login"
