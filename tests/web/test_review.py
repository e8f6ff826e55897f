"""Review through the web layer: decisions, stale writes, conflict of interest, unmasking, export."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine, select
from webseed import CASE_A, CASE_B, CASE_KIN, CASE_MISSED, ID_A, csrf_of, version

from cases.db import session_scope
from cases.schema import AuditLog, Case, CaseEvent

Clients = Callable[[str], TestClient]


def _audit(engine: Engine, action: str) -> list[AuditLog]:
    with session_scope(engine) as session:
        return list(session.scalars(select(AuditLog).where(AuditLog.action == action)))


def test_case_page_explains_and_masks(client_as: Clients, store: tuple[str, Engine]) -> None:
    """The case page shows the Chinese explanation and records side by side, the number masked, and the view is audited."""
    client = client_as("inspector_a2")
    page = client.get(f"/cases/{CASE_A}").text
    assert "王秀英于2026年3月5日火化" in page and "死亡人员" in page and "救助发放名册" in page
    assert "429006********1234" in page and ID_A not in page
    assert "13812345678" not in page and "138****5678" in page
    assert "4550.00" in page
    views = _audit(store[1], "view")
    assert [(v.username, v.case_id) for v in views] == [("inspector_a2", CASE_A)]


def test_unmask_is_a_post_that_is_audited(client_as: Clients, store: tuple[str, Engine]) -> None:
    client = client_as("inspector_a2")
    token = csrf_of(client)
    shown = client.post(f"/cases/{CASE_A}/unmask", data={"csrf_token": token})
    assert shown.status_code == 200 and ID_A in shown.text
    assert ID_A not in client.get(f"/cases/{CASE_A}").text  # shown once, not remembered
    entries = _audit(store[1], "unmask")
    assert [(e.username, e.case_id) for e in entries] == [("inspector_a2", CASE_A)]
    assert ID_A not in str(entries[0].detail)


def test_notice_response_proposal_and_approval(client_as: Clients, store: tuple[str, Engine]) -> None:
    """Notice, response, a proposal to recover, a supervisor's approval: the measure takes effect only then."""
    engine = store[1]
    client = client_as("inspector_a2")
    token = csrf_of(client)
    notified = (dt.date.today() - dt.timedelta(days=3)).isoformat()
    steps = [
        ("notice", {"notified_on": notified, "method": "visit", "note": "本人子女在家"}),
        ("response", {"response": "家属称老人已去世，同意退回"}),
        ("propose", {"action": "recover", "amount_to_recover": "4550"}),
    ]
    for kind, data in steps:
        response = client.post(
            f"/cases/{CASE_A}/{kind}",
            data={"csrf_token": token, "version": version(engine, CASE_A), **data},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
    with session_scope(engine) as session:
        assert session.get_one(Case, CASE_A).status == "in_review"  # proposed, not yet in effect
    supervisor = client_as("supervisor")
    approved = supervisor.post(
        f"/cases/{CASE_A}/approve",
        data={"csrf_token": csrf_of(supervisor), "version": version(engine, CASE_A)},
        follow_redirects=False,
    )
    assert approved.status_code == 303, approved.text
    page = client.get(f"/cases/{CASE_A}").text
    assert "告知当事人" in page and "当事人陈述申辩" in page and "核实属实" in page and "追回资金" in page
    with session_scope(engine) as session:
        assert session.get_one(Case, CASE_A).status == "confirmed"
        kinds = session.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == CASE_A)).all()
        decision = session.scalars(
            select(CaseEvent.payload).where(CaseEvent.case_id == CASE_A, CaseEvent.kind == "decision")
        ).one()
    assert kinds[-4:] == ["notified", "response", "proposed", "decision"]
    assert decision["proposed_by"] == "inspector_a2" and decision["approved_by"] == "supervisor"
    assert [e.username for e in _audit(engine, "approve")] == ["supervisor"]


def test_invalid_decision_is_refused_in_chinese(client_as: Clients, store: tuple[str, Engine]) -> None:
    """Clearing without a reason is refused with the workflow's message; nothing is written."""
    client = client_as("inspector_a2")
    before = version(store[1], CASE_A)
    response = client.post(
        f"/cases/{CASE_A}/decide", data={"csrf_token": csrf_of(client), "version": before, "decision": "cleared"}
    )
    assert response.status_code == 400 and "必须填写理由" in response.text
    assert version(store[1], CASE_A) == before


def test_missed_case_can_be_included(client_as: Clients, store: tuple[str, Engine]) -> None:
    client = client_as("inspector_a2")
    response = client.post(
        f"/cases/{CASE_MISSED}/decide",
        data={
            "csrf_token": csrf_of(client),
            "version": version(store[1], CASE_MISSED),
            "decision": "included",
            "amount_paid": "120",
        },
        follow_redirects=True,
    )
    assert response.status_code == 200 and "已纳入保障" in response.text


def test_second_writer_with_same_version_is_refused(client_as: Clients, store: tuple[str, Engine]) -> None:
    """Two inspectors load the same case; the first decision wins, the second gets a clear Chinese refusal."""
    engine = store[1]
    first, second = client_as("inspector_a2"), client_as("admin")
    shown = version(engine, CASE_A)
    token1, token2 = csrf_of(first), csrf_of(second)
    ok = first.post(
        f"/cases/{CASE_A}/decide",
        data={
            "csrf_token": token1,
            "version": shown,
            "decision": "cleared",
            "reason": "火化记录属同名他人",
        },
        follow_redirects=False,
    )
    assert ok.status_code == 303
    late = second.post(
        f"/cases/{CASE_A}/decide",
        data={"csrf_token": token2, "version": shown, "decision": "cleared", "reason": "另有原因"},
    )
    assert late.status_code == 409 and "已被他人更新" in late.text, late.text[late.text.find("msg error") :][:300]
    with session_scope(engine) as session:
        assert session.get_one(Case, CASE_A).status == "cleared"
        decisions = session.scalars(
            select(CaseEvent.payload).where(CaseEvent.case_id == CASE_A, CaseEvent.kind == "decision")
        ).all()
    assert [d["decision"] for d in decisions] == ["cleared"]
    refused = _audit(engine, "refused")
    assert [(r.username, r.detail["reason"]) for r in refused] == [("admin", "stale")]


def test_conflict_of_interest_is_routed_elsewhere(client_as: Clients, store: tuple[str, Engine]) -> None:
    """inspector_a is kin of CASE_KIN's household: she never sees it (not in the queue, the page and a
    decision are 404), and the admin cannot pick her."""
    engine = store[1]
    client = client_as("inspector_a")
    assert CASE_KIN not in client.get("/cases").text
    assert client.get(f"/cases/{CASE_KIN}").status_code == 404
    before = version(engine, CASE_KIN)
    response = client.post(
        f"/cases/{CASE_KIN}/decide",
        data={"csrf_token": csrf_of(client), "version": before, "decision": "cleared", "reason": "已备案"},
    )
    assert response.status_code == 404
    assert version(engine, CASE_KIN) == before
    assert 'id="conflict"' not in client.get(f"/cases/{CASE_A}").text  # other cases of her town are hers to do
    admin = client_as("admin")
    admin_page = admin.get(f"/cases/{CASE_KIN}").text
    assert '<option value="inspector_a2"' in admin_page and '<option value="inspector_a"' not in admin_page
    refused = admin.post(
        f"/cases/{CASE_KIN}/assign", data={"csrf_token": csrf_of(admin), "version": before, "assignee": "inspector_a"}
    )
    assert refused.status_code == 400


def test_export_is_masked_filtered_and_audited(client_as: Clients, store: tuple[str, Engine]) -> None:
    client = client_as("inspector_a2")
    response = client.get("/cases/export.xlsx", params={"category": "wrong"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("案件号", "案件编号")
    assert [r[1] for r in rows[1:]] == [CASE_A]  # town A, category wrong only
    assert all(str(r[0]).startswith("2026-10-") for r in rows[1:])
    flat = " ".join(str(v) for r in rows for v in r)
    assert ID_A not in flat and "王秀英" not in flat and "429006********1234" in flat
    entries = _audit(store[1], "export")
    assert entries[0].username == "inspector_a2" and entries[0].detail["rows"] == 1


def test_evidence_text_is_escaped(client_as: Clients) -> None:
    """Evidence comes from imported files: markup in it is shown as text, never run."""
    page = client_as("admin").get(f"/cases/{CASE_B}").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_search_by_name_or_number_is_post_only_and_audited(client_as: Clients, store: tuple[str, Engine]) -> None:
    """A name or number search finds only visible cases; the term is in neither the URL nor the audit entry."""
    client = client_as("inspector_a2")
    token = csrf_of(client)
    by_name = client.post("/cases/search", data={"csrf_token": token, "person": "王秀英"})
    assert by_name.status_code == 200 and "王秀英" not in str(by_name.url)
    assert CASE_A in by_name.text and CASE_KIN not in by_name.text
    by_number = client.post("/cases/search", data={"csrf_token": token, "person": ID_A})
    assert CASE_A in by_number.text and CASE_MISSED not in by_number.text
    other_town = client.post("/cases/search", data={"csrf_token": token, "person": "李建国"})
    assert CASE_B not in other_town.text
    assert client.post("/cases/search", data={"person": "王秀英"}).status_code == 403
    entries = _audit(store[1], "search")
    assert [e.detail["matches"] for e in entries] == [1, 1, 0]
    assert all("王秀英" not in str(e.detail) and ID_A not in str(e.detail) for e in entries)
