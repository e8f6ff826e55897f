"""Request helpers shared by the routes: the logged-in user, CSRF, rendering, access.

The session cookie (signed, expiring) carries only the username, a CSRF token and the
login time; everything else is read from the database on each request, so disabling an
account takes effect at once.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from cases.db import session_scope
from cases.schema import Case, User, utcnow
from cases.users import can_see

ABSOLUTE_SESSION_HOURS = 12


class LoginRequired(Exception):
    """Raised when a page needs a logged-in user; the app answers with a redirect to /login."""


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
    """The active logged-in user, or LoginRequired (expired, disabled or never logged in)."""
    username = request.session.get("user")
    login_at = request.session.get("login_at", 0)
    too_old = dt.datetime.now(dt.UTC).timestamp() - float(login_at) > ABSOLUTE_SESSION_HOURS * 3600
    if not username or too_old:
        request.session.clear()
        raise LoginRequired
    with session_scope(engine_of(request)) as session:
        user = session.get(User, username)
        if user is None or not user.active:
            request.session.clear()
            raise LoginRequired
        session.expunge(user)
        return user


def require_role(user: User, *roles: str) -> None:
    if user.role not in roles:
        raise HTTPException(status_code=403, detail="您的账号无权执行此操作。")


def visible_case(session: Session, user: User, case_id: str) -> Case:
    """The case if this user may see it; otherwise 404, the same as a case that does not exist."""
    case = session.get(Case, case_id)
    if case is None or not can_see(user, case.region_code or ""):
        raise HTTPException(status_code=404, detail="未找到该案件。")
    return case


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """Render a page with the user and CSRF token every template needs."""
    base = {"csrf_token": csrf_token(request), "now": utcnow()}
    base.update(context)
    return templates_of(request).TemplateResponse(request, name, base, status_code=status_code)
