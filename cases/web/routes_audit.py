"""The audit page for auditors and administrators, with a CSV export (itself audited)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from cases import audit
from cases.db import session_scope
from cases.web.deps import current_user, engine_of, render, require_role

router = APIRouter()
PAGE_SIZE = 100


def _filters(request: Request) -> dict[str, str | None]:
    """Filters by account, action code and case id: none of them personal data of a household."""
    params = request.query_params
    return {key: (params.get(key) or "").strip()[:64] or None for key in ("username", "action", "case_id")}


@router.get("/audit", response_class=HTMLResponse)
async def audit_page(request: Request) -> HTMLResponse:
    user = current_user(request)
    require_role(user, "admin", "auditor")
    filters = _filters(request)
    raw_page = request.query_params.get("page", "1")
    page = max(1, int(raw_page)) if raw_page.isdigit() else 1
    with session_scope(engine_of(request)) as session:
        rows, total = audit.entries(
            session,
            username=filters["username"],
            action=filters["action"],
            case_id=filters["case_id"],
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
        return render(
            request,
            "audit.html",
            {
                "user": user,
                "rows": rows,
                "total": total,
                "filters": filters,
                "page": page,
                "pages": max(1, -(-total // PAGE_SIZE)),
                "actions": audit.ACTIONS,
            },
        )


@router.get("/audit/export.csv")
async def audit_export(request: Request) -> Response:
    user = current_user(request)
    require_role(user, "admin", "auditor")
    filters = _filters(request)
    with session_scope(engine_of(request)) as session:
        rows, total = audit.entries(
            session, username=filters["username"], action=filters["action"], case_id=filters["case_id"], limit=None
        )
        body = audit.to_csv(rows)
        audit.record(
            session, user.username, "audit_export", detail={"rows": total, **{k: v for k, v in filters.items() if v}}
        )
    headers = {"Content-Disposition": 'attachment; filename="hecha-audit.csv"'}
    return Response(content=body.encode("utf-8"), media_type="text/csv; charset=utf-8", headers=headers)
