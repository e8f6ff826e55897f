"""The case page (every view audited) and the explicit, audited unmasking of the identity number."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from cases import audit, workflow
from cases.db import session_scope
from cases.schema import User
from cases.users import can_see
from cases.web import casepage
from cases.web.deps import check_csrf, current_user, engine_of, render, require_role, visible_case
from cases.web.labels import METHODS
from hecha.labels import ACTIONS
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
    with session_scope(engine_of(request)) as session:
        case = visible_case(session, user, case_id)
        if audit_view:
            audit.record(session, user.username, "view", case.case_id)
        evidence = case.evidence or {}
        context = {
            "user": user,
            "case": case,
            "evidence": evidence,
            "table": casepage.evidence_table(evidence),
            "related": casepage.related_open(session, user, case),
            "events": workflow.history(session, case.case_id),
            "conflict": workflow.conflict_of_interest(session, case.case_id, user.username),
            "allowed": workflow.allowed_decisions(session, case.case_id),
            "id_masked": mask_id(case.id_number),
            "phone_masked": mask_phone((evidence.get("facts") or {}).get("phone", "")),
            "full_id": case.id_number if full_id else None,
            "can_write": user.role in ("admin", "inspector"),
            "assignees": eligible_assignees(session, case.region_code, case.case_id) if user.role == "admin" else [],
            "error": error,
            "actions": ACTIONS,
            "methods": METHODS,
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
        audit.record(session, user.username, "unmask", case.case_id, {"field": "id_number"})
    return case_page(request, user, case_id, full_id=True)
