"""Login and logout; every attempt is audited and repeated failures lock the account."""

from __future__ import annotations

import datetime as dt
import secrets

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cases import audit
from cases.db import session_scope
from cases.users import LOCK_MINUTES, authenticate
from cases.web.deps import check_csrf, current_user, engine_of, render

router = APIRouter()
MESSAGES = {
    "bad": "用户名或密码错误。",
    "disabled": "用户名或密码错误。",
    "locked": f"登录失败次数过多，账号已锁定 {LOCK_MINUTES} 分钟，请稍后再试或联系县级管理员。",
}


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request) -> HTMLResponse:
    return render(request, "login.html", {"user": None, "error": None})


@router.post("/login", response_model=None)
async def login(request: Request) -> Response:
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))
    username = str(form.get("username", "")).strip()[:64]
    password = str(form.get("password", ""))
    with session_scope(engine_of(request)) as session:
        result = authenticate(session, username, password)
        if result.user is None:
            audit.record(session, username or "-", "login_failed", detail={"reason": result.reason})
        else:
            audit.record(session, username, "login_ok")
    if result.user is None:
        return render(request, "login.html", {"user": None, "error": MESSAGES[result.reason]}, status_code=401)
    request.session.clear()  # a fresh session on login: no fixation of a pre-login cookie
    request.session.update(
        {"user": username, "csrf": secrets.token_urlsafe(32), "login_at": dt.datetime.now(dt.UTC).timestamp()}
    )
    return RedirectResponse("/cases", status_code=303)


@router.post("/logout")
async def logout(request: Request) -> RedirectResponse:
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))
    user = current_user(request)
    with session_scope(engine_of(request)) as session:
        audit.record(session, user.username, "logout")
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
