"""The county dashboard page for administrators, supervisors and auditors (audited)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from cases.db import session_scope
from cases.dueprocess import today_beijing
from cases.web import dashboard, queue
from cases.web.deps import current_user, engine_of, record, render, require_role

router = APIRouter()


@router.get("/dashboard", response_class=HTMLResponse)
async def dashboard_page(request: Request) -> HTMLResponse:
    user = current_user(request)
    require_role(user, "admin", "supervisor", "auditor")
    county = (request.query_params.get("county") or "").strip()[:6] or None
    with session_scope(engine_of(request)) as session:
        overdue = queue.due_views(session, user, today_beijing())["overdue"]
        rows = dashboard.by_town(session, county, overdue)
        record(request, session, user, "dashboard", detail={"filters": {"county": county or ""}})
        return render(request, "dashboard.html", {"user": user, "rows": rows, "columns": dashboard.COLUMNS})
