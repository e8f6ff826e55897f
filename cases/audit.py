"""Audit trail of the workspace (PIPL): who logged in, viewed, unmasked, decided, exported.

Entries name the user, the time and the case id; details never carry identity numbers,
phones or names, so the log itself can be exported to auditors.
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

BEIJING = dt.timedelta(hours=8)  # stored times are naive UTC; users read China Standard Time
CSV_HEADER = ["时间(北京时间)", "用户", "操作", "操作代码", "案件编号", "详情"]


def record(
    session: Session, username: str, action: str, case_id: str | None = None, detail: dict[str, Any] | None = None
) -> None:
    """Add one entry to the caller's transaction (committed with the action it records)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    session.add(AuditLog(username=username, action=action, case_id=case_id, detail=detail or {}))


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
        detail = "; ".join(f"{k}={v}" for k, v in sorted((row.detail or {}).items()))
        writer.writerow(
            [
                (row.at + BEIJING).strftime("%Y-%m-%d %H:%M:%S"),
                row.username,
                ACTIONS.get(row.action, row.action),
                row.action,
                row.case_id or "",
                detail,
            ]
        )
    return out.getvalue()
