"""Independent recomputation of report figures with plain SQL over the case-store tables.

Deliberately shares no code with `reports/`: if a report and this module disagree,
one of them counts wrong.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from typing import Any

from sqlalchemy import Engine, text

POSITIVE = {"confirmed", "included", "rectified"}
NEGATIVE = {"cleared", "reinstated"}
OPEN = {"open", "in_review", "confirmed"}


def rows(engine: Engine, sql: str, **params: Any) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(text(sql), params))


def scalar(engine: Engine, sql: str, **params: Any) -> Any:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def month_obs(engine: Engine, county: str, period: str) -> list[Any]:
    return rows(
        engine,
        "SELECT o.case_id, c.finding, c.category, c.town, c.village, o.est_monthly_overpayment AS monthly,"
        " o.est_cumulative_overpayment AS cumulative, o.score FROM case_observations o"
        " JOIN cases c ON c.case_id = o.case_id WHERE c.county = :county AND o.period = :period",
        county=county,
        period=period,
    )


def latest_summary(engine: Engine, county: str, period: str) -> dict[str, Any]:
    raw = scalar(
        engine,
        "SELECT summary FROM runs WHERE county = :county AND period = :period AND status = 'succeeded'"
        " ORDER BY finished_at DESC LIMIT 1",
        county=county,
        period=period,
    )
    return json.loads(raw) if isinstance(raw, str) else raw


def decision_history(engine: Engine, county: str) -> dict[str, list[dict[str, Any]]]:
    """case_id -> decision payloads, oldest first."""
    result: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for case_id, payload in rows(
        engine,
        "SELECT e.case_id, e.payload FROM case_events e JOIN cases c ON c.case_id = e.case_id"
        " WHERE c.county = :county AND e.kind = 'decision' ORDER BY e.event_id",
        county=county,
    ):
        result[case_id].append(json.loads(payload) if isinstance(payload, str) else payload)
    return dict(result)


def latest_decisions(engine: Engine, county: str) -> dict[str, str]:
    return {cid: events[-1]["decision"] for cid, events in decision_history(engine, county).items()}


def money(engine: Engine, county: str, case_ids: set[str]) -> dict[str, float]:
    """Sums over decision events; stops and amounts to recover lapse when the last decision was negative."""
    totals: defaultdict[str, float] = defaultdict(float)
    for cid, events in decision_history(engine, county).items():
        if cid not in case_ids:
            continue
        negative = events[-1]["decision"] in NEGATIVE
        for event in events:
            for key in ("monthly_amount_stopped", "amount_to_recover", "amount_recovered", "amount_paid", "back_pay"):
                if negative and key in ("monthly_amount_stopped", "amount_to_recover"):
                    continue
                totals[key] += float(event.get(key) or 0)
    return dict(totals)


def stopped_people(engine: Engine, county: str, case_ids: set[str]) -> int:
    count = 0
    for cid, events in decision_history(engine, county).items():
        if cid in case_ids and events[-1]["decision"] not in NEGATIVE:
            count += sum(float(e.get("monthly_amount_stopped") or 0) for e in events) > 0
    return count


def campaign_ids(
    engine: Engine, county: str, period_from: str, period_to: str, towns: set[str] | None = None
) -> set[str]:
    found = rows(
        engine,
        "SELECT DISTINCT o.case_id, c.town, c.region_code FROM case_observations o JOIN cases c ON c.case_id = o.case_id"
        " WHERE c.county = :county AND o.period BETWEEN :a AND :b",
        county=county,
        a=period_from,
        b=period_to,
    )
    return {cid for cid, town, region in found if not towns or town in towns or region[:9] in towns}


def case_attrs(engine: Engine, county: str) -> dict[str, Any]:
    return {
        r.case_id: r
        for r in rows(
            engine,
            "SELECT case_id, finding, category, town, status, created_at FROM cases WHERE county = :county",
            county=county,
        )
    }


def as_datetime(value: Any) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
