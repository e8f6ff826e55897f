"""Jinja filters of the workspace: codes in Chinese (hecha.labels), masking and times, so templates stay plain."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from urllib.parse import urlencode

from cases.audit import BEIJING
from hecha import labels
from hecha.privacy import mask_id

HIDDEN_PAYLOAD = ("decision", "action", "method")  # codes shown through their 中文 twins


def payload_items(payload: dict[str, object] | None) -> list[tuple[str, object]]:
    """An event's payload as (中文 label, value), without empty values and raw codes."""
    return [
        (labels.PAYLOAD[key], f"{value:,.2f}" if isinstance(value, float) else value)
        for key, value in (payload or {}).items()
        if key in labels.PAYLOAD and key not in HIDDEN_PAYLOAD and value not in (None, "", 0, 0.0)
    ]


def beijing(at: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Stored times are naive UTC; pages show China Standard Time (UTC+8)."""
    return (at + BEIJING).strftime(fmt) if at else ""


def money(value: object) -> str:
    """Yuan with two decimals; blanks as —."""
    try:
        return f"{float(value):,.2f}"  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "—"


def query_string(params: Mapping[str, object]) -> str:
    """A URL query from filter codes (never personal data), skipping blanks."""
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


FILTERS = {
    "mask_id": mask_id,
    "beijing": beijing,
    "qs": query_string,
    "payload_items": payload_items,
    "finding_zh": labels.finding_zh,
    "program_zh": labels.program_zh,
    "status_zh": labels.status_zh,
    "category_zh": labels.category_zh,
    "decision_zh": labels.decision_zh,
    "action_zh": labels.action_zh,
    "event_zh": labels.event_zh,
    "audit_detail_zh": labels.audit_detail_zh,
    "stage_zh": labels.stage_zh,
    "role_zh": labels.role_zh,
    "money": money,
}
