"""The case page (every view audited), the audited unmasking of the identity number, and the
notice letter (告知书) as PDF."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from cases import workflow
from cases.db import session_scope
from cases.dueprocess import today_beijing
from cases.letters import letter_html, letter_pdf
from cases.numbers import case_numbers
from cases.schema import Attachment, CaseEvent, User
from cases.users import can_see
from cases.web import casepage
from cases.web.deps import check_csrf, current_user, engine_of, record, render, require_role, visible_case
from hecha.labels import ACTIONS, NOTICE_METHODS, ROLES
from hecha.privacy import mask_id, mask_phone

router = APIRouter()


def eligible_assignees(session: Session, region_code: str, case_id: str) -> list[str]:
    """Active inspectors covering the case's town who are not party to it (回避: routed to someone else)."""
    people = session.scalars(
        select(User).where(User.active.is_(True), User.role == "inspector").order_by(User.username)
    )
    return [
        u.username
        for u in people
        if can_see(u, region_code) and not workflow.conflict_of_interest(session, case_id, u.username)
    ]


def case_page(
    request: Request,
    user: User,
    case_id: str,
    *,
    error: str | None = None,
    full_id: bool = False,
    status_code: int = 200,
    audit_view: bool = False,
) -> HTMLResponse:
    """Render the page for a case this user may see (404 otherwise, as if it did not exist)."""
    today = today_beijing()
    with session_scope(engine_of(request)) as session:
        case = visible_case(session, user, case_id)
        if audit_view:
            record(request, session, user, "view", case.case_id)
        evidence = case.evidence or {}
        related, related_elsewhere = casepage.related(session, user, case)
        dp = workflow.due_process(session, case.case_id, today)
        conflict = workflow.conflict_of_interest(session, case.case_id, user.username)
        mine = user.role == "admin" or not case.assigned_to or case.assigned_to == user.username
        attachments = session.scalars(
            select(Attachment).where(Attachment.case_id == case.case_id).order_by(Attachment.attachment_id)
        ).all()
        context = {
            "user": user,
            "case": case,
            "number": case_numbers(session, [case.case_id]).get(case.case_id, ""),
            "numbers": case_numbers(session, [r.case_id for r in related]),
            "evidence": evidence,
            "table": casepage.evidence_table(evidence, user),
            "related": related,
            "related_elsewhere": related_elsewhere,
            "events": workflow.history(session, case.case_id),
            "conflict": conflict,
            "allowed": workflow.allowed_decisions(session, case.case_id),
            "dp": dp,
            "overdue": dp.overdue(today),
            "back_pay": workflow.back_pay_proposal(session, case.case_id, today),
            "id_masked": mask_id(case.id_number),
            "phone_masked": mask_phone(str((evidence.get("facts") or {}).get("phone", ""))),
            "full_id": case.id_number if full_id else None,
            "can_write": user.role in ("admin", "inspector") and mine and not conflict,
            "not_mine": user.role == "inspector" and not mine,
            "can_approve": user.role == "supervisor" and not conflict,
            "adverse": case.category != "missed",
            "assignees": eligible_assignees(session, case.region_code, case.case_id) if user.role == "admin" else [],
            "attachments": attachments,
            "error": error,
            "actions": ACTIONS,
            "methods": NOTICE_METHODS,
            "today": today.isoformat(),
        }
        return render(request, "case.html", context, status_code=status_code)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
async def show_case(request: Request, case_id: str) -> HTMLResponse:
    user = current_user(request)
    return case_page(request, user, case_id, audit_view=True)


@router.post("/cases/{case_id}/unmask", response_class=HTMLResponse)
async def unmask(request: Request, case_id: str) -> HTMLResponse:
    """Show the full identity number once (in this response only, never in a URL or the session), audited."""
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))
    user = current_user(request)
    require_role(user, "admin", "inspector")
    with session_scope(engine_of(request)) as session:
        case = visible_case(session, user, case_id)
        record(request, session, user, "unmask", case.case_id, {"field": "id_number"})
    return case_page(request, user, case_id, full_id=True)


@router.get("/cases/{case_id}/letter.pdf")
async def notice_letter(request: Request, case_id: str) -> Response:
    """The notice letter of the latest notice, as PDF (audited); 404 before any notice."""
    user = current_user(request)
    with session_scope(engine_of(request)) as session:
        case = visible_case(session, user, case_id)
        notice = session.scalars(
            select(CaseEvent)
            .where(CaseEvent.case_id == case.case_id, CaseEvent.kind == "notified")
            .order_by(CaseEvent.event_id.desc())
            .limit(1)
        ).first()
        if notice is None or not (notice.payload or {}).get("deadline"):
            raise HTTPException(status_code=404, detail="本案尚未登记告知，请先登记告知再生成告知书。")
        notifier = session.get(User, notice.actor)
        contact = f"{(notifier.full_name if notifier else None) or notice.actor}（{ROLES.get(notifier.role, '') if notifier else '核查员'}）"
        number = case_numbers(session, [case.case_id]).get(case.case_id, case.case_id)
        html = letter_html(case, notice.payload, contact, f"告知书编号：{number}", today_beijing())
        record(request, session, user, "letter", case.case_id, {"notified_on": notice.payload.get("notified_on")})
    body = letter_pdf(html)
    headers = {"Content-Disposition": 'inline; filename="notice-letter.pdf"'}
    return Response(content=body, media_type="application/pdf", headers=headers)
