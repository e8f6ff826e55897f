"""The queue page and its Excel export, both limited to the user's towns."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from cases import audit
from cases.db import session_scope
from cases.schema import User
from cases.web import queue
from cases.web.deps import check_csrf, current_user, engine_of, render
from cases.web.export import queue_xlsx
from hecha.labels import CATEGORIES, STATUSES

router = APIRouter()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_LIMIT = 50_000


@router.get("/cases", response_class=HTMLResponse)
async def queue_page(request: Request) -> HTMLResponse:
    user = current_user(request)
    return _queue(request, user, queue.QueueFilter.from_params(request.query_params))


@router.post("/cases/search", response_class=HTMLResponse)
async def search(request: Request) -> HTMLResponse:
    """Find cases by name or identity number: a POST, so the term never appears in a URL or access log.

    The search is audited without the term itself (only that one was made and how many matched).
    """
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))
    user = current_user(request)
    term = str(form.get("person") or "").strip()[:64]
    flt = queue.QueueFilter()
    if not term:
        return _queue(request, user, flt)
    return _queue(request, user, flt, person=term)


def _queue(request: Request, user: User, flt: queue.QueueFilter, person: str = "") -> HTMLResponse:
    with session_scope(engine_of(request)) as session:
        rows, total = queue.page(session, user, flt, person)
        if person:
            audit.record(session, user.username, "search", detail={"matches": total})
        counts = queue.status_counts(session, user, flt)
        opts = queue.options(session, user)
        pages = max(1, -(-total // queue.PAGE_SIZE))
        return render(
            request,
            "queue.html",
            {
                "user": user,
                "rows": rows,
                "total": total,
                "counts": counts,
                "opts": opts,
                "flt": flt,
                "pages": pages,
                "statuses": STATUSES,
                "categories": CATEGORIES,
                "sorts": queue.SORTS,
                "searched": bool(person),
            },
        )


@router.get("/cases/export.xlsx")
async def export_queue(request: Request) -> Response:
    """The filtered queue (all pages) as .xlsx; the filter codes and row count are audited."""
    user = current_user(request)
    flt = queue.QueueFilter.from_params(request.query_params)
    with session_scope(engine_of(request)) as session:
        rows = list(session.scalars(queue.query(user, flt).limit(EXPORT_LIMIT)))
        params = flt.params()
        params.pop("page", None)
        audit.record(session, user.username, "export", detail={"rows": len(rows), "filters": params})
        body = queue_xlsx(rows)
    headers = {"Content-Disposition": 'attachment; filename="hecha-queue.xlsx"'}
    return Response(content=body, media_type=XLSX, headers=headers)
