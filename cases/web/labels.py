"""Chinese labels for codes shown on the pages (one place, so templates stay plain)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from urllib.parse import urlencode

from cases.audit import BEIJING
from cases.schema import CATEGORIES, STATUSES
from cases.workflow import ACTIONS, DECISIONS, EVENT_KINDS
from checks.contract import PROGRAMS
from hecha.privacy import mask_id
from models.findings import FINDINGS

METHODS: tuple[str, ...] = ("电话", "上门", "书面")


def finding_zh(code: str) -> str:
    return FINDINGS.get(code, ("", code))[1]


def program_zh(codes: str) -> str:
    """Programs may be a comma-separated list of codes."""
    return "、".join(PROGRAMS.get(c.strip(), c.strip()) for c in (codes or "").split(",") if c.strip())


def status_zh(code: str | None) -> str:
    return STATUSES.get(code or "", code or "")


def category_zh(code: str) -> str:
    return CATEGORIES.get(code, code)


PAYLOAD_ZH: dict[str, str] = {
    "assignee": "核查员",
    "previous": "原核查员",
    "notified_on": "告知日期",
    "method": "方式",
    "note": "备注",
    "response": "陈述申辩",
    "decision_zh": "结论",
    "action_zh": "处理方式",
    "monthly_amount_stopped": "每月停发/减发",
    "amount_to_recover": "应追回",
    "amount_recovered": "已追回",
    "amount_paid": "已发放",
    "back_pay": "补发",
    "reason": "理由",
    "run_id": "批次",
}
HIDDEN_PAYLOAD = ("decision", "action")  # codes shown through their 中文 twins


def payload_items(payload: dict[str, object] | None) -> list[tuple[str, object]]:
    """An event's payload as (中文 label, value), without empty values and raw codes."""
    return [
        (PAYLOAD_ZH.get(key, key), value)
        for key, value in (payload or {}).items()
        if key not in HIDDEN_PAYLOAD and value not in (None, "", 0, 0.0)
    ]


def beijing(at: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Stored times are naive UTC; pages show China Standard Time (UTC+8)."""
    return (at + BEIJING).strftime(fmt) if at else ""


def query_string(params: Mapping[str, object]) -> str:
    """A URL query from filter codes (never personal data), skipping blanks."""
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


FILTERS = {
    "mask_id": mask_id,
    "beijing": beijing,
    "qs": query_string,
    "payload_items": payload_items,
    "finding_zh": finding_zh,
    "program_zh": program_zh,
    "status_zh": status_zh,
    "category_zh": category_zh,
    "decision_zh": lambda c: DECISIONS.get(c, c),
    "action_zh": lambda c: ACTIONS.get(c, c),
    "event_zh": lambda c: EVENT_KINDS.get(c, c),
}
