"""Request helpers shared by the routes: the logged-in user, CSRF, rendering, access, audit.

The session cookie (signed) carries only a random session token and a CSRF token; the
session itself is a row of `sessions` (cases.sessions), checked on every request, so logout,
a password reset, a role change or disabling an account ends it at once.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from cases import audit, sessions, workflow
from cases.db import session_scope
from cases.schema import Case, User, utcnow
from cases.users import can_see


class LoginRequired(Exception):
    """Raised when a page needs a logged-in user; the app answers with a redirect to /login."""


def client_of(request: Request) -> str:
    """The client address as the server sees it (no proxy headers are trusted)."""
    return request.client.host if request.client else ""


def engine_of(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def templates_of(request: Request) -> Jinja2Templates:
    templates: Jinja2Templates = request.app.state.templates
    return templates


def csrf_token(request: Request) -> str:
    """The per-session token every form carries (created on first use)."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


def check_csrf(request: Request, form_token: object) -> None:
    """Refuse a POST whose token is missing or differs from the session's."""
    expected = request.session.get("csrf")
    if not expected or not isinstance(form_token, str) or not hmac.compare_digest(str(expected), form_token):
        raise HTTPException(status_code=403, detail="表单已失效（CSRF 校验失败），请刷新页面后重试。")


def current_user(request: Request) -> User:
    """The active logged-in user, or LoginRequired (no session, ended, expired, account disabled).

    A cookie whose session is no longer live (replayed after logout or a password reset) is audited.
    """
    token = request.session.get("sid")
    if not token:
        raise LoginRequired
    with session_scope(engine_of(request)) as session:
        row = sessions.lookup(session, str(token))
        user = session.get(User, row.username) if row is not None else None
        if row is not None and (user is None or not user.active):
            sessions.end(session, str(token))
            user = None
        if user is None:
            audit.record(
                session,
                row.username if row is not None else "-",
                "session_rejected",
                detail={"reason": "expired", "path": request.url.path[:80]},
                client=client_of(request),
            )
        else:
            session.expunge(user)
    if user is None:
        request.session.clear()
        raise LoginRequired
    request.state.username = user.username
    return user


def record(
    request: Request,
    session: Session,
    user: User | str,
    action: str,
    case_id: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """An audit entry with the request's client address."""
    name = user if isinstance(user, str) else user.username
    audit.record(session, name, action, case_id, detail, client=client_of(request))


def require_role(user: User, *roles: str) -> None:
    if user.role not in roles:
        raise HTTPException(status_code=403, detail="您的账号无权执行此操作。")


def visible_case(session: Session, user: User, case_id: str) -> Case:
    """The case if this user may see it; otherwise 404, the same as a case that does not exist.

    An inspector with a conflict of interest does not see the case at all (回避).
    """
    case = session.get(Case, case_id)
    if case is None or not can_see(user, case.region_code or ""):
        raise HTTPException(status_code=404, detail="未找到该案件。")
    if user.role == "inspector" and workflow.conflict_of_interest(session, case_id, user.username):
        raise HTTPException(status_code=404, detail="未找到该案件。")
    return case


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """Render a page with the user and CSRF token every template needs."""
    base = {"csrf_token": csrf_token(request), "now": utcnow()}
    base.update(context)
    return templates_of(request).TemplateResponse(request, name, base, status_code=status_code)
