"""Audit trail of the workspace (PIPL): who logged in, viewed (cases and queues), unmasked,
decided, exported, and every refused attempt.

Entries name the user, the time, the client address and the case id or the filter; details
never carry identity numbers, phones or names, so the log itself can be exported to auditors.
Details are stored as codes and shown in Chinese (hecha.labels.audit_detail_zh). The CSV
neutralises cells a spreadsheet would run as a formula (= + - @).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cases.schema import AuditLog
from hecha.labels import AUDIT_ACTIONS as ACTIONS
from hecha.labels import audit_detail_zh

BEIJING = dt.timedelta(hours=8)  # stored times are naive UTC; users read China Standard Time
CSV_HEADER = ["时间(北京时间)", "用户", "客户端地址", "操作", "操作代码", "案件编号", "详情"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def record(
    session: Session,
    username: str,
    action: str,
    case_id: str | None = None,
    detail: dict[str, Any] | None = None,
    *,
    client: str | None = None,
) -> None:
    """Add one entry to the caller's transaction (committed with the action it records)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    session.add(
        AuditLog(username=username, action=action, case_id=case_id, detail=detail or {}, client=(client or "")[:64])
    )


def safe_cell(value: object) -> str:
    """A cell Excel will not evaluate: text starting with = + - @ (or a tab) gets a leading quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def entries(
    session: Session,
    *,
    username: str | None = None,
    action: str | None = None,
    case_id: str | None = None,
    limit: int | None = 200,
    offset: int = 0,
) -> tuple[list[AuditLog], int]:
    """Entries newest first, filtered, with the total count for paging."""
    query = select(AuditLog)
    if username:
        query = query.where(AuditLog.username == username)
    if action:
        query = query.where(AuditLog.action == action)
    if case_id:
        query = query.where(AuditLog.case_id == case_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    query = query.order_by(AuditLog.at.desc(), AuditLog.audit_id.desc()).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query)), total


def to_csv(rows: Iterable[AuditLog]) -> str:
    """CSV text with a BOM so that Excel opens the Chinese correctly."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for row in rows:
        cells = [
            (row.at + BEIJING).strftime("%Y-%m-%d %H:%M:%S"),
            row.username,
            row.client or "",
            ACTIONS.get(row.action, row.action),
            row.action,
            row.case_id or "",
            audit_detail_zh(row.detail),
        ]
        writer.writerow([safe_cell(c) for c in cells])
    return out.getvalue()
