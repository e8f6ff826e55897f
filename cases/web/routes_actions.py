"""Review actions (assign, notice, response, decide) through `cases.workflow`.

Each form carries the case version it was shown; the workflow refuses a stale write and
the page says so in Chinese. The action and its audit entry commit together; a refused
action is audited in a transaction of its own, since the workflow's rolled back.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from cases import audit, workflow
from cases.db import session_scope
from cases.schema import User
from cases.web.deps import check_csrf, current_user, engine_of, require_role, visible_case
from cases.web.routes_case import case_page, eligible_assignees
from hecha.exceptions import HechaError

log = logging.getLogger(__name__)
router = APIRouter()
STALE_ZH = "该案件已被他人更新（例如另一位核查员已登记），您的操作未保存。请查看最新内容后重新填写。"
CONFLICT_ZH = "本案涉及您本人、同户或亲属，您须回避：本案已转由其他核查员办理，您的操作未保存。"
AMOUNTS = ("monthly_amount_stopped", "amount_to_recover", "amount_recovered", "amount_paid", "back_pay")


class FormError(HechaError):
    """A form value the page cannot use (shown to the user, nothing saved)."""


def _text(form: Any, key: str, limit: int = 2000) -> str:
    return str(form.get(key) or "").strip()[:limit]


def _money(form: Any, key: str) -> float:
    raw = _text(form, key, 32)
    try:
        return float(raw) if raw else 0.0
    except ValueError as exc:
        raise FormError(f"金额格式不正确：{raw}") from exc


def _apply(session: Session, user: User, kind: str, case_id: str, version: int, form: Any) -> dict[str, Any]:
    """Call the workflow for one action; returns the audit details (codes and amounts, no personal data)."""
    if kind == "assign":
        require_role(user, "admin")
        assignee = _text(form, "assignee", 64)
        case = visible_case(session, user, case_id)
        if assignee not in eligible_assignees(session, case.region_code, case_id):
            raise FormError("只能分派给负责该乡镇、且与本案无利害关系的在岗核查员。")
        workflow.assign(session, case_id, version, user.username, assignee)
        return {"assignee": assignee}
    if workflow.conflict_of_interest(session, case_id, user.username):
        raise workflow.ConflictOfInterestError(user.username)
    if kind == "notice":
        method = _text(form, "method", 8)
        if method not in ("电话", "上门", "书面"):
            raise FormError("请选择告知方式：电话、上门或书面。")
        try:
            notified_on = dt.date.fromisoformat(_text(form, "notified_on", 10))
        except ValueError as exc:
            raise FormError("请填写正确的告知日期。") from exc
        workflow.record_notice(session, case_id, version, user.username, notified_on, method, _text(form, "note"))
        return {"method": method, "notified_on": notified_on.isoformat()}
    if kind == "response":
        response = _text(form, "response")
        if not response:
            raise FormError("请填写当事人的陈述或申辩内容。")
        workflow.record_response(session, case_id, version, user.username, response)
        return {}
    decision = _text(form, "decision", 16)
    amounts = {key: _money(form, key) for key in AMOUNTS}
    workflow.decide(
        session,
        case_id,
        version,
        user.username,
        decision,  # type: ignore[arg-type]  # checked by the workflow
        action=_text(form, "action", 16) or None,
        reason=_text(form, "reason") or None,
        **amounts,
    )
    return {"decision": decision, "action": _text(form, "action", 16), **amounts}


@router.post("/cases/{case_id}/{kind}", response_model=None)
async def act(request: Request, case_id: str, kind: str) -> Response:
    if kind not in ("assign", "notice", "response", "decide"):
        raise HTTPException(status_code=404, detail="未找到该操作。")
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))
    user = current_user(request)
    require_role(user, "admin", "inspector")
    try:
        version = int(_text(form, "version", 12))
    except ValueError as exc:
        raise HTTPException(status_code=400, detail="表单缺少案件版本号，请刷新页面后重试。") from exc
    audit_action = "decide" if kind == "decide" else kind
    engine = engine_of(request)
    try:
        with session_scope(engine) as session:
            visible_case(session, user, case_id)
            detail = _apply(session, user, kind, case_id, version, form)
            audit.record(session, user.username, audit_action, case_id, {"version": version, **detail})
    except HechaError as exc:  # stale, conflict of interest, refused decision, bad form value
        if isinstance(exc, workflow.StaleCaseError):
            message, status, reason = STALE_ZH, 409, "stale"
        elif isinstance(exc, workflow.ConflictOfInterestError):
            message, status, reason = CONFLICT_ZH, 403, "conflict_of_interest"
        else:
            message, status, reason = str(exc), 400, "invalid"
        with session_scope(engine) as session:
            audit.record(
                session, user.username, "refused", case_id, {"attempted": kind, "reason": reason, "version": version}
            )
        log.info("case %s: %s refused (%s)", case_id, kind, reason)
        return case_page(request, user, case_id, error=message, status_code=status)
    return RedirectResponse(f"/cases/{case_id}#history", status_code=303)
