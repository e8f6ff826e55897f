"""The queue page (my cases, due and overdue views, numbered pages), bulk assignment and the
Excel export, all limited to the user's towns; every queue view is audited with its filter."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from cases import workflow
from cases.db import session_scope
from cases.dueprocess import today_beijing
from cases.numbers import case_numbers, find_by_number
from cases.schema import Case, User
from cases.web import queue
from cases.web.deps import check_csrf, current_user, engine_of, record, render, require_role, visible_case
from cases.web.export import queue_xlsx
from cases.web.routes_case import eligible_assignees
from hecha.exceptions import HechaError
from hecha.labels import CATEGORIES, STATUSES

router = APIRouter()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_LIMIT = 50_000
BULK_LIMIT = 500
DUE_VIEWS = {"due": "申辩期内", "overdue": "期限已过待处理", "proposed": "待县级审核"}


@router.get("/cases", response_class=HTMLResponse)
async def queue_page(request: Request) -> HTMLResponse:
    user = current_user(request)
    return _queue(request, user, queue.QueueFilter.from_params(request.query_params))


@router.post("/cases/search", response_model=None)
async def search(request: Request) -> Response:
    """Find cases by name, identity number or short case number: a POST, so the term never appears
    in a URL or access log. Audited without the term itself (only that one was made and how many matched).
    """
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))
    user = current_user(request)
    term = str(form.get("person") or "").strip()[:64]
    flt = queue.QueueFilter()
    if not term:
        return _queue(request, user, flt)
    with session_scope(engine_of(request)) as session:
        found = find_by_number(session, term)
    if found:
        return RedirectResponse(f"/cases/{found}", status_code=303)
    return _queue(request, user, flt, person=term)


def _queue(
    request: Request, user: User, flt: queue.QueueFilter, person: str = "", message: str | None = None
) -> HTMLResponse:
    with session_scope(engine_of(request)) as session:
        views = queue.due_views(session, user, today_beijing())
        if flt.due:
            flt.due_cases = frozenset(views[flt.due])
        rows, total = queue.page(session, user, flt, person)
        detail = {"rows": len(rows), "filters": flt.params()}
        if person:
            record(request, session, user, "search", detail={"matches": total})
        else:
            record(request, session, user, "queue", detail=detail)
        counts = queue.status_counts(session, user, flt)
        opts = queue.options(session, user)
        pages = max(1, -(-total // flt.size))
        assignees = []
        if user.role == "admin":
            assignees = list(
                session.scalars(
                    select(User.username).where(User.active.is_(True), User.role == "inspector").order_by(User.username)
                )
            )
        return render(
            request,
            "queue.html",
            {
                "user": user,
                "rows": rows,
                "numbers": case_numbers(session, [r.case_id for r in rows]),
                "total": total,
                "counts": counts,
                "opts": opts,
                "flt": flt,
                "pages": pages,
                "page_links": queue.page_links(flt.page, pages),
                "page_sizes": queue.PAGE_SIZES,
                "statuses": STATUSES,
                "categories": CATEGORIES,
                "sorts": queue.SORTS,
                "searched": bool(person),
                "due_views": DUE_VIEWS,
                "due_counts": {k: len(v) for k, v in views.items()},
                "assignees": assignees,
                "message": message,
            },
        )


@router.post("/cases/bulk-assign", response_class=HTMLResponse)
async def bulk_assign(request: Request) -> HTMLResponse:
    """An administrator gives the ticked cases to one inspector; a case the inspector may not take
    (other town, conflict of interest, changed meanwhile) is skipped and reported."""
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))
    user = current_user(request)
    require_role(user, "admin")
    assignee = str(form.get("assignee") or "").strip()[:64]
    chosen = [str(v)[:40] for v in form.getlist("case_id")][:BULK_LIMIT]
    done, skipped = 0, 0
    for cid in chosen:
        try:
            with session_scope(engine_of(request)) as session:
                case = visible_case(session, user, cid)
                if assignee not in eligible_assignees(session, case.region_code, cid):
                    skipped += 1
                    continue
                workflow.assign(session, cid, case.version, user.username, assignee)
                record(request, session, user, "assign", cid, {"assignee": assignee, "version": case.version})
                done += 1
        except HechaError:
            skipped += 1
    with session_scope(engine_of(request)) as session:
        record(request, session, user, "bulk_assign", detail={"assignee": assignee, "cases": done, "rows": skipped})
    message = f"已分派 {done} 件给 {assignee}；跳过 {skipped} 件（不属其乡镇、须回避或已被更新）。"
    return _queue(request, user, queue.QueueFilter(), message=message)


@router.get("/cases/export.xlsx")
async def export_queue(request: Request) -> Response:
    """The filtered queue (all pages) as .xlsx; the filter codes and row count are audited."""
    user = current_user(request)
    flt = queue.QueueFilter.from_params(request.query_params)
    with session_scope(engine_of(request)) as session:
        if flt.due:
            flt.due_cases = frozenset(queue.due_views(session, user, today_beijing())[flt.due])
        rows: list[Case] = list(session.scalars(queue.query(user, flt).limit(EXPORT_LIMIT)))
        params = flt.params()
        params.pop("page", None)
        record(request, session, user, "export", detail={"rows": len(rows), "filters": params})
        body = queue_xlsx(rows, case_numbers(session, [r.case_id for r in rows]))
    headers = {"Content-Disposition": 'attachment; filename="hecha-queue.xlsx"'}
    return Response(content=body, media_type=XLSX, headers=headers)
