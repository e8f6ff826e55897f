"""The FastAPI application of the inspector workspace (核查工作台).

`create_app` wires the store, templates, the signed expiring session cookie and the
security headers; the routes live in small modules by page.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from cases import audit
from cases.db import make_engine, session_scope, upgrade
from cases.sessions import ABSOLUTE_HOURS
from cases.web import (
    routes_actions,
    routes_audit,
    routes_auth,
    routes_case,
    routes_dashboard,
    routes_files,
    routes_queue,
)
from cases.web.deps import LoginRequired, client_of, render
from cases.web.labels import FILTERS
from hecha import settings
from hecha.labels import ROLES
from hecha.policy import Policy, load_policy

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).parent / "templates"
REFUSALS = {400: "invalid", 403: "forbidden", 404: "not_found"}
ERRORS_ZH = {
    400: "请求有误",
    403: "无权操作",
    404: "未找到",
    405: "不支持的操作",
    409: "案件已被他人更新",
    422: "表单填写有误",
}


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES))
    templates.env.filters.update(FILTERS)
    templates.env.globals["ROLES"] = ROLES
    return templates


def create_app(
    db_url: str | None = None,
    *,
    secret_key: str | None = None,
    policy: Policy | None = None,
    attachments_dir: Path | None = None,
) -> FastAPI:
    """The workspace app over the case store at `db_url` (else the default store, hecha.settings).

    `policy.review` sets the response deadline of notices; attachments are stored under
    `attachments_dir` (default HECHA_HOME/attachments), outside the database.

    The secret signs session cookies; without one (argument or env HECHA_SECRET_KEY) a random
    key is used and every restart logs everybody out. Set HECHA_COOKIE_SECURE=1 behind HTTPS.
    """
    key = secret_key or settings.secret_key()
    if not key:
        log.warning("no HECHA_SECRET_KEY set: using a random session key (sessions end on restart)")
        key = secrets.token_urlsafe(48)
    app = FastAPI(title="核查工作台", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.engine = make_engine(db_url)
    app.state.templates = _templates()
    app.state.policy = policy or load_policy()
    app.state.attachments = attachments_dir or settings.home() / "attachments"
    app.add_middleware(
        SessionMiddleware,
        secret_key=key,
        session_cookie="hecha_session",
        max_age=ABSOLUTE_HOURS * 3600,
        same_site="lax",
        https_only=settings.cookie_secure(),
    )

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        """Pages carry personal data: no caching, no framing, no referrer leaking case ids."""
        response = await call_next(request)
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; style-src 'self' 'unsafe-inline'; form-action 'self'"
        )
        return response

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> HTMLResponse:
        detail = (
            exc.detail
            if isinstance(exc.detail, str) and not exc.detail.isascii()
            else ERRORS_ZH.get(exc.status_code, "出错了")
        )
        title = ERRORS_ZH.get(exc.status_code, "出错了")
        username = getattr(request.state, "username", None)
        if exc.status_code in (400, 403, 404) and username:  # refused attempts are audited
            with session_scope(request.app.state.engine) as session:
                audit.record(
                    session,
                    username,
                    "refused",
                    detail={"reason": REFUSALS.get(exc.status_code, "invalid"), "path": request.url.path[:80]},
                    client=client_of(request),
                )
        return render(
            request, "error.html", {"title": title, "detail": detail, "user": None}, status_code=exc.status_code
        )

    @app.get("/", include_in_schema=False)
    async def home() -> RedirectResponse:
        return RedirectResponse("/cases", status_code=303)

    # files before actions: /cases/{id}/attachments must not be read as an action named "attachments"
    for module in (
        routes_auth,
        routes_queue,
        routes_dashboard,
        routes_case,
        routes_files,
        routes_actions,
        routes_audit,
    ):
        app.include_router(module.router)
    return app


def serve(db_url: str | None = None, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run the workspace with uvicorn (what `hecha serve` calls); bind to localhost unless told otherwise.

    The schema is brought to head first, so a fresh database serves at once.
    """
    import uvicorn

    app = create_app(db_url)
    upgrade(app.state.engine)
    uvicorn.run(app, host=host, port=port, proxy_headers=False)
