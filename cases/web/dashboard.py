"""The county dashboard (县级看板): per town, what was flagged and what became of it.

Counts and money come from the cases and their decision events (the same events the reports
read); "median days to decide" runs from a case's creation to its first decision.
"""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cases.schema import Case, CaseEvent

COLUMNS = {
    "flagged": "发现疑点",
    "notified": "已告知",
    "overdue": "期限已过待处理",
    "confirmed": "核实属实",
    "cleared": "排除误报",
    "stopped": "每月停发/减发（元）",
    "recovered": "已追回（元）",
    "back_pay": "补发（元）",
    "included": "新纳入保障",
    "median_days": "办结天数中位数",
}


def by_town(session: Session, county: str | None, overdue_ids: set[str]) -> list[dict[str, Any]]:
    """One row per town (9-digit code) plus a county total."""
    town = func.substr(Case.region_code, 1, 9)
    cases = session.execute(
        select(Case.case_id, town, Case.town, Case.status, Case.created_at).where(
            *([Case.county == county] if county else [])
        )
    ).all()
    towns: dict[str, dict[str, Any]] = {}
    of_case: dict[str, str] = {}
    created: dict[str, dt.datetime] = {}
    for cid, code, name, status, at in cases:
        row = towns.setdefault(code, {"code": code, "name": name or code, **dict.fromkeys(COLUMNS, 0), "_days": []})
        row["flagged"] += 1
        row["confirmed"] += status in ("confirmed", "rectified")
        row["cleared"] += status == "cleared"
        row["included"] += status == "included"
        row["overdue"] += cid in overdue_ids
        of_case[cid], created[cid] = code, at
    events = session.execute(
        select(CaseEvent.case_id, CaseEvent.kind, CaseEvent.payload, CaseEvent.at)
        .where(CaseEvent.case_id.in_(list(of_case)), CaseEvent.kind.in_(("notified", "decision")))
        .order_by(CaseEvent.event_id)
    ).all()
    notified: set[str] = set()
    decided: set[str] = set()
    stopped: dict[str, float] = {}
    for cid, kind, payload, at in events:
        row = towns[of_case[cid]]
        if kind == "notified":
            notified.add(cid)
            continue
        payload = payload or {}
        if cid not in decided:
            decided.add(cid)
            row["_days"].append((at - created[cid]).total_seconds() / 86400)
        if payload.get("decision") == "confirmed" and payload.get("action") in ("stop_payment", "adjust"):
            stopped[cid] = float(payload.get("monthly_amount_stopped") or 0)
        if payload.get("decision") in ("reinstated", "cleared"):
            stopped.pop(cid, None)
        row["recovered"] += float(payload.get("amount_recovered") or 0)
        row["back_pay"] += float(payload.get("back_pay") or 0)
    for cid in notified:
        towns[of_case[cid]]["notified"] += 1
    for cid, amount in stopped.items():
        towns[of_case[cid]]["stopped"] += amount
    rows = sorted(towns.values(), key=lambda r: r["code"])
    total = {"code": "", "name": "全县合计", **dict.fromkeys(COLUMNS, 0), "_days": []}
    for row in rows:
        for key in COLUMNS:
            if key != "median_days":
                total[key] += row[key]
        total["_days"] += row["_days"]
    for row in [*rows, total]:
        days = row.pop("_days")
        row["median_days"] = round(statistics.median(days), 1) if days else "—"
    return [*rows, total] if rows else []
