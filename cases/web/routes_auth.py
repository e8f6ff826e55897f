"""Login and logout; every attempt is audited with the client address, and failures are throttled.

Every failed login gets the same answer (wrong password, unknown name, paused or disabled
account), so the page never tells which usernames exist.
"""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cases import sessions
from cases.db import session_scope
from cases.users import authenticate
from cases.web.deps import check_csrf, client_of, current_user, engine_of, record, render

router = APIRouter()
LOGIN_FAILED = "用户名或密码错误；连续多次失败后将暂停登录一段时间，请稍后再试或联系县级管理员。"


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request) -> HTMLResponse:
    return render(request, "login.html", {"user": None, "error": None})


@router.post("/login", response_model=None)
async def login(request: Request) -> Response:
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))
    username = str(form.get("username", "")).strip()[:64]
    password = str(form.get("password", ""))
    client = client_of(request)
    with session_scope(engine_of(request)) as session:
        result = authenticate(session, username, password, client=client)
        if result.user is None:
            record(request, session, username or "-", "login_failed", detail={"reason": result.reason})
            token = csrf = ""
        else:
            token, csrf = sessions.create(session, username, client)
            record(request, session, username, "login_ok")
    if result.user is None:
        request.session["csrf"] = secrets.token_urlsafe(32)
        return render(request, "login.html", {"user": None, "error": LOGIN_FAILED}, status_code=401)
    request.session.clear()  # a fresh session on login: no fixation of a pre-login cookie
    request.session.update({"sid": token, "csrf": csrf})
    return RedirectResponse("/cases", status_code=303)


@router.post("/logout")
async def logout(request: Request) -> RedirectResponse:
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))
    user = current_user(request)
    with session_scope(engine_of(request)) as session:
        sessions.end(session, str(request.session.get("sid") or ""))
        record(request, session, user, "logout")
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
