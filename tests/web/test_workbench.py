"""The reviewer's workbench over HTTP: due process refusals, amounts, paging, case numbers,
recusal by village and 经办人, other towns' evidence, notes, attachments, bulk assign, dashboard."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from webseed import CASE_A, CASE_B, CASE_KIN, CASE_MISSED, csrf_of, version

from cases.db import session_scope
from cases.schema import Attachment, AuditLog, Case, CaseEvent, User

Clients = Callable[[str], TestClient]


def _post(client: TestClient, engine: Engine, case: str, kind: str, **data: str) -> object:
    return client.post(
        f"/cases/{case}/{kind}",
        data={"csrf_token": csrf_of(client), "version": str(version(engine, case)), **data},
        follow_redirects=False,
    )


def test_inspector_cannot_stop_payment_before_notice_and_deadline(
    client_as: Clients, store: tuple[str, Engine]
) -> None:
    """A direct stop, a proposal before notice and one while the deadline runs are refused in Chinese."""
    engine = store[1]
    client = client_as("inspector_a2")
    direct = _post(
        client, engine, CASE_A, "decide", decision="confirmed", action="stop_payment", monthly_amount_stopped="650"
    )
    assert direct.status_code == 400 and "经县级审核人批准后生效" in direct.text
    early = _post(client, engine, CASE_A, "propose", action="stop_payment", monthly_amount_stopped="650")
    assert early.status_code == 400 and "尚未告知当事人" in early.text
    today = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=8)).date()
    assert _post(client, engine, CASE_A, "notice", notified_on=today.isoformat(), method="phone").status_code == 303
    running = _post(client, engine, CASE_A, "propose", action="stop_payment", monthly_amount_stopped="650")
    deadline = (today + dt.timedelta(days=10)).isoformat()
    assert running.status_code == 400 and f"陈述申辩期限至 {deadline} 届满" in running.text
    with session_scope(engine) as session:
        assert session.get_one(Case, CASE_A).status == "in_review"
        assert not session.scalars(select(CaseEvent).where(CaseEvent.kind.in_(("proposed", "decision")))).all()
        refusals = session.scalars(select(AuditLog).where(AuditLog.action == "refused")).all()
    assert [r.detail["attempted"] for r in refusals] == ["decide", "propose", "propose"]


def test_future_notice_and_bad_amounts_are_refused(client_as: Clients, store: tuple[str, Engine]) -> None:
    engine = store[1]
    client = client_as("inspector_a2")
    future = _post(client, engine, CASE_A, "notice", notified_on="2099-01-01", method="phone")
    assert future.status_code == 400 and "不能晚于今天" in future.text
    for bad in ("nan", "inf", "-5", "1e999"):
        response = _post(client, engine, CASE_MISSED, "decide", decision="included", amount_paid=bad)
        assert response.status_code == 400 and "金额" in response.text, bad
    with session_scope(engine) as session:
        assert session.get_one(Case, CASE_MISSED).status == "open"


def test_supervisor_cannot_approve_own_and_inspector_cannot_approve(
    client_as: Clients, store: tuple[str, Engine]
) -> None:
    engine = store[1]
    inspector = client_as("inspector_a2")
    notified = (dt.date.today() - dt.timedelta(days=12)).isoformat()
    assert _post(inspector, engine, CASE_A, "notice", notified_on=notified, method="letter").status_code == 303
    assert _post(inspector, engine, CASE_A, "propose", action="recover", amount_to_recover="4550").status_code == 303
    assert _post(inspector, engine, CASE_A, "approve").status_code == 403
    supervisor = client_as("supervisor")
    assert _post(supervisor, engine, CASE_A, "reject", reason="请补充火化证明").status_code == 303
    assert _post(inspector, engine, CASE_A, "propose", action="recover", amount_to_recover="4550").status_code == 303
    assert _post(supervisor, engine, CASE_A, "approve").status_code == 303
    with session_scope(engine) as session:
        assert session.get_one(Case, CASE_A).status == "confirmed"


def test_assigned_case_is_decided_by_its_inspector_only(client_as: Clients, store: tuple[str, Engine]) -> None:
    engine = store[1]
    admin = client_as("admin")
    assert _post(admin, engine, CASE_A, "assign", assignee="inspector_a").status_code == 303
    other = client_as("inspector_a2")
    refused = _post(other, engine, CASE_A, "decide", decision="cleared", reason="同名")
    assert refused.status_code == 403 and "只有该核查员或县级管理员" in refused.text
    assert (
        _post(client_as("inspector_a"), engine, CASE_A, "decide", decision="cleared", reason="同名").status_code == 303
    )


def test_huge_page_numbers_and_sizes_never_fail(client_as: Clients) -> None:
    client = client_as("admin")
    for query in ("page=99999999999999999999", "page=-1", "page=abc", "size=7", "size=99999999999999"):
        response = client.get(f"/cases?{query}")
        assert response.status_code == 200, query
    assert 'class="current">1<' in client.get("/cases?page=99999999999999999999").text


def test_short_case_numbers_and_search_by_number(client_as: Clients) -> None:
    client = client_as("admin")
    page = client.get("/cases").text
    import re

    numbers = sorted(set(re.findall(r">(2026-10-\d{6})<", page)))
    assert numbers == [f"2026-10-{n:06d}" for n in range(1, 5)]
    found = client.post(
        "/cases/search", data={"csrf_token": csrf_of(client), "person": numbers[0]}, follow_redirects=False
    )
    assert found.status_code == 303 and found.headers["location"].startswith("/cases/C429006-")


def test_recusal_by_own_village_and_as_enrolling_handler(client_as: Clients, store: tuple[str, Engine]) -> None:
    """inspector_a2 lives in CASE_A's village; inspector_b enrolled CASE_B's household as 经办人: neither sees it."""
    engine = store[1]
    with session_scope(engine) as session:
        case_b = session.get_one(Case, CASE_B)
        evidence = dict(case_b.evidence)
        records = [dict(r) for r in evidence["records"]]
        records[0]["fields"] = {**records[0]["fields"], "handler": "孙立"}
        case_b.evidence = {**evidence, "records": records}
        session.get_one(User, "inspector_b").full_name = "孙立"
        session.get_one(User, "inspector_a2").village_code = session.get_one(Case, CASE_A).region_code
    a2, b = client_as("inspector_a2"), client_as("inspector_b")
    assert CASE_A not in a2.get("/cases").text and a2.get(f"/cases/{CASE_A}").status_code == 404
    assert CASE_MISSED in a2.get("/cases").text
    assert CASE_B not in b.get("/cases").text and b.get(f"/cases/{CASE_B}").status_code == 404
    admin = client_as("admin")
    assert '<option value="inspector_a2"' not in admin.get(f"/cases/{CASE_A}").text


def test_other_towns_evidence_is_only_counted(client_as: Clients, store: tuple[str, Engine]) -> None:
    """A shared account links a family of town B: town A's inspector sees "另有 1 户（其他乡镇）", no names."""
    engine = store[1]
    with session_scope(engine) as session:
        case = session.get_one(Case, CASE_A)
        evidence = dict(case.evidence)
        other = {
            "source": "roll",
            "row": 9,
            "id_masked": "",
            "name": "钱多多",
            "fields": {"region_code": "429006002202", "household_id": "HB9"},
            "evidence_zh": "同一银行账户",
        }
        case.evidence = {**evidence, "records": [*evidence["records"], other]}
    page = client_as("inspector_a2").get(f"/cases/{CASE_A}").text
    assert "另有 1 户（其他乡镇）" in page and "钱多多" not in page
    assert "钱多多" in client_as("admin").get(f"/cases/{CASE_A}").text


def test_notes_attachments_and_audited_download(client_as: Clients, store: tuple[str, Engine], app: object) -> None:
    engine = store[1]
    client = client_as("inspector_a2")
    assert _post(client, engine, CASE_A, "note", text="已约周三入户").status_code == 303
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 100
    files = {"file": ("走访.png", png, "image/png")}
    data = {"csrf_token": csrf_of(client), "version": str(version(engine, CASE_A))}
    assert (
        client.post(f"/cases/{CASE_A}/attachments", data=data, files=files, follow_redirects=False).status_code == 303
    )
    bad = client.post(
        f"/cases/{CASE_A}/attachments",
        data={"csrf_token": csrf_of(client), "version": str(version(engine, CASE_A))},
        files={"file": ("x.png", b"MZ not an image", "image/png")},
    )
    assert bad.status_code == 400 and "只能上传" in bad.text
    page = client.get(f"/cases/{CASE_A}").text
    assert "已约周三入户" in page and "走访.png" in page
    with session_scope(engine) as session:
        stored = session.scalars(select(Attachment)).one()
    root: Path = app.state.attachments  # type: ignore[attr-defined]
    assert (root / stored.sha256[:2] / stored.sha256).read_bytes() == png
    download = client.get(f"/cases/{CASE_A}/attachments/{stored.attachment_id}")
    assert download.status_code == 200 and download.content == png
    assert client_as("inspector_b").get(f"/cases/{CASE_A}/attachments/{stored.attachment_id}").status_code == 404
    (root / stored.sha256[:2] / stored.sha256).write_bytes(b"tampered")
    assert client.get(f"/cases/{CASE_A}/attachments/{stored.attachment_id}").status_code == 404
    with session_scope(engine) as session:
        actions = session.scalars(select(AuditLog.action).where(AuditLog.case_id == CASE_A)).all()
    assert {"note", "upload", "download"} <= set(actions)


def test_bulk_assign_skips_what_the_inspector_may_not_take(client_as: Clients, store: tuple[str, Engine]) -> None:
    admin = client_as("admin")
    response = admin.post(
        "/cases/bulk-assign",
        data={
            "csrf_token": csrf_of(admin),
            "assignee": "inspector_a",
            "case_id": [CASE_A, CASE_MISSED, CASE_KIN, CASE_B],
        },
    )
    assert response.status_code == 200 and "已分派 2 件给 inspector_a；跳过 2 件" in response.text
    with session_scope(store[1]) as session:
        assigned = {c.case_id: c.assigned_to for c in session.scalars(select(Case))}
    assert assigned[CASE_A] == assigned[CASE_MISSED] == "inspector_a" and assigned[CASE_KIN] is None
    assert client_as("inspector_a2").post("/cases/bulk-assign", data={"csrf_token": "x"}).status_code == 403


def test_my_cases_due_views_and_dashboard(client_as: Clients, store: tuple[str, Engine]) -> None:
    engine = store[1]
    admin = client_as("admin")
    _post(admin, engine, CASE_A, "assign", assignee="inspector_a2")
    inspector = client_as("inspector_a2")
    mine = inspector.get("/cases?mine=1").text
    assert CASE_A in mine and CASE_MISSED not in mine
    old = (dt.date.today() - dt.timedelta(days=20)).isoformat()
    _post(inspector, engine, CASE_A, "notice", notified_on=old, method="visit")
    overdue = inspector.get("/cases?due=overdue").text
    assert CASE_A in overdue and CASE_MISSED not in overdue
    board = client_as("supervisor").get("/dashboard")
    assert board.status_code == 200 and "全县合计" in board.text and "甲镇" in board.text
    assert inspector.get("/dashboard").status_code == 403


def test_pages_show_no_codes_or_python_reprs(client_as: Clients, store: tuple[str, Engine]) -> None:
    """Agreement levels, list facts and whole numbers read as Chinese, not `agree`, `['…']` or `3.0`."""
    engine = store[1]
    with session_scope(engine) as session:
        case = session.get_one(Case, CASE_A)
        evidence = dict(case.evidence)
        records = [dict(r) for r in evidence["records"]]
        records[1]["agreement"] = {"sex": "agree", "name": "exact"}
        evidence["facts"] = {**evidence["facts"], "families": ["JT01000100034"], "months_overpaid": 3.0}
        case.evidence = {**evidence, "records": records}
    page = client_as("admin").get(f"/cases/{CASE_A}").text
    assert "性别一致" in page and "姓名一致" in page and "agree" not in page
    assert "['" not in page and "JT01000100034" in page and "3.0" not in page


def test_notice_letter_pdf_states_finding_right_deadline_and_contact(
    client_as: Clients, store: tuple[str, Engine], tmp_path: Path
) -> None:
    """No letter before a notice; after it, a PDF in Chinese with the finding, the right to state the case,
    the deadline and the contact, the identity number not in it; generating it is audited."""
    import shutil
    import subprocess

    import pytest

    engine = store[1]
    client = client_as("inspector_a2")
    assert client.get(f"/cases/{CASE_A}/letter.pdf").status_code == 404
    _post(client, engine, CASE_A, "notice", notified_on="2026-11-20", method="letter")
    response = client.get(f"/cases/{CASE_A}/letter.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) missing: cannot read the letter's text")
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    for phrase in ("核查结果告知书", "王秀英", "陈述和申辩", "2026年11月30日", "inspector_a2", "甲镇"):
        assert phrase in flat, phrase
    assert "429006195001011234" not in flat
    with session_scope(engine) as session:
        assert session.scalars(select(AuditLog.action).where(AuditLog.action == "letter")).all() == ["letter"]
