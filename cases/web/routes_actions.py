"""Review actions through `cases.workflow`: assign, notice, response, proposal, approval or
rejection, conclusions and notes.

Each form carries the case version it was shown; the workflow refuses a stale write and
the page says so in Chinese. The action and its audit entry commit together; a refused
action is audited in a transaction of its own, since the workflow's rolled back.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from cases import workflow
from cases.db import session_scope
from cases.dueprocess import DueProcessError
from cases.schema import User
from cases.web.deps import check_csrf, current_user, engine_of, record, require_role, visible_case
from cases.web.routes_case import case_page, eligible_assignees
from hecha.exceptions import HechaError

log = logging.getLogger(__name__)
router = APIRouter()
STALE_ZH = "该案件已被他人更新（例如另一位核查员已登记），您的操作未保存。请查看最新内容后重新填写。"
CONFLICT_ZH = "本案涉及您本人、同户或亲属、本村或您经办的对象，您须回避：本案已转由其他核查员办理，您的操作未保存。"
AMOUNTS = ("monthly_amount_stopped", "amount_to_recover", "amount_recovered", "amount_paid", "back_pay")
KINDS = ("assign", "notice", "response", "propose", "approve", "reject", "decide", "note")
ROLES_OF = {"approve": ("supervisor",), "reject": ("supervisor",), "assign": ("admin",)}


class FormError(HechaError):
    """A form value the page cannot use (shown to the user, nothing saved)."""


def _text(form: Any, key: str, limit: int = 2000) -> str:
    return str(form.get(key) or "").strip()[:limit]


def _money(form: Any, key: str) -> float:
    """A money field: blank is 0; anything not a finite number ≥ 0 is refused in Chinese."""
    raw = _text(form, key, 32)
    try:
        value = float(raw) if raw else 0.0
    except ValueError as exc:
        raise FormError(f"金额格式不正确：{raw}") from exc
    if not math.isfinite(value) or value < 0:
        raise FormError(f"金额须为不小于 0 的有效数字：{raw}")
    return value


def _date(form: Any, key: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(_text(form, key, 10))
    except ValueError as exc:
        raise FormError(f"请填写正确的{what}。") from exc


def _apply(
    request: Request, session: Session, user: User, kind: str, case_id: str, version: int, form: Any
) -> dict[str, Any]:
    """Call the workflow for one action; returns the audit details (codes and amounts, no personal data)."""
    if kind == "assign":
        assignee = _text(form, "assignee", 64)
        case = visible_case(session, user, case_id)
        if assignee not in eligible_assignees(session, case.region_code, case_id):
            raise FormError("只能分派给负责该乡镇、且与本案无利害关系的在岗核查员。")
        workflow.assign(session, case_id, version, user.username, assignee)
        return {"assignee": assignee}
    if kind == "notice":
        days = request.app.state.policy.review.response_days
        notified_on = _date(form, "notified_on", "告知日期")
        method = _text(form, "method", 16)
        workflow.record_notice(
            session, case_id, version, user.username, notified_on, method, _text(form, "note"), response_days=days
        )
        return {"method": method, "notified_on": notified_on.isoformat()}
    if kind == "response":
        response = _text(form, "response")
        if not response:
            raise FormError("请填写当事人的陈述或申辩内容。")
        responded_on = _date(form, "responded_on", "申辩日期") if _text(form, "responded_on") else None
        workflow.record_response(session, case_id, version, user.username, response, responded_on)
        return {}
    if kind == "propose":
        action = _text(form, "action", 16)
        stopped, recover = _money(form, "monthly_amount_stopped"), _money(form, "amount_to_recover")
        workflow.propose(
            session,
            case_id,
            version,
            user.username,
            action,
            monthly_amount_stopped=stopped,
            amount_to_recover=recover,
            reason=_text(form, "reason") or None,
        )
        return {"action": action, "monthly_amount_stopped": stopped, "amount_to_recover": recover}
    if kind == "approve":
        workflow.approve(session, case_id, version, user.username)
        return {}
    if kind == "reject":
        workflow.reject(session, case_id, version, user.username, _text(form, "reason"))
        return {}
    if kind == "note":
        workflow.add_note(session, case_id, version, user.username, _text(form, "text"))
        return {}
    decision = _text(form, "decision", 16)
    amounts = {key: _money(form, key) for key in AMOUNTS}
    back_pay = amounts["back_pay"] if _text(form, "back_pay") else None
    workflow.decide(
        session,
        case_id,
        version,
        user.username,
        decision,  # type: ignore[arg-type]  # checked by the workflow
        action=_text(form, "action", 16) or None,
        reason=_text(form, "reason") or None,
        back_pay=back_pay,
        monthly_amount_stopped=amounts["monthly_amount_stopped"],
        amount_to_recover=amounts["amount_to_recover"],
        amount_recovered=amounts["amount_recovered"],
        amount_paid=amounts["amount_paid"],
    )
    return {"decision": decision, "action": _text(form, "action", 16), **amounts}


def _refusal(exc: HechaError) -> tuple[str, int, str]:
    if isinstance(exc, workflow.StaleCaseError):
        return STALE_ZH, 409, "stale"
    if isinstance(exc, workflow.ConflictOfInterestError):
        return CONFLICT_ZH, 403, "conflict_of_interest"
    if isinstance(exc, workflow.NotYoursError):
        return str(exc).split(" / ")[0], 403, "forbidden"
    if isinstance(exc, DueProcessError):
        return exc.zh, 400, "invalid"
    return str(exc).split(" / ")[0], 400, "invalid"


@router.post("/cases/{case_id}/{kind}", response_model=None)
async def act(request: Request, case_id: str, kind: str) -> Response:
    if kind not in KINDS:
        raise HTTPException(status_code=404, detail="未找到该操作。")
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))
    user = current_user(request)
    require_role(user, *ROLES_OF.get(kind, ("admin", "inspector")))
    try:
        version = int(_text(form, "version", 12))
    except ValueError as exc:
        raise HTTPException(status_code=400, detail="表单缺少案件版本号，请刷新页面后重试。") from exc
    engine = engine_of(request)
    try:
        with session_scope(engine) as session:
            visible_case(session, user, case_id)
            detail = _apply(request, session, user, kind, case_id, version, form)
            record(request, session, user, kind, case_id, {"version": version, **detail})
    except HechaError as exc:  # stale, conflict of interest, refused step, bad form value
        message, status, reason = _refusal(exc)
        with session_scope(engine) as session:
            record(
                request, session, user, "refused", case_id, {"attempted": kind, "reason": reason, "version": version}
            )
        log.info("case %s: %s refused (%s)", case_id, kind, reason)
        return case_page(request, user, case_id, error=message, status_code=status)
    return RedirectResponse(f"/cases/{case_id}#history", status_code=303)
