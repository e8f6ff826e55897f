"""The data checks over the months: the history each run keeps in the store, as a trend.

Every run stores its check results in `runs.summary["checks"]` (counts and one line per
check), so the store already holds a history per county and month: no table of its own.
The latest succeeded run of each month speaks for that month.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select

from cases.schema import Run
from hecha.labels import source_zh

MONTHS = 12


def check_history(engine: Engine, county: str, upto: str, months: int = MONTHS) -> list[dict[str, Any]]:
    """One entry per month up to `upto` (the latest `months`): that month's check counts and failures by source."""
    stmt = (
        select(Run.period, Run.summary)
        .where(Run.county == county, Run.status == "succeeded", Run.period <= upto)
        .order_by(Run.period, Run.finished_at.nulls_first(), Run.started_at)
    )
    with engine.connect() as conn:
        latest = {period: summary or {} for period, summary in conn.execute(stmt).all()}  # later rows win
    history = []
    for period in sorted(latest)[-months:]:
        checks = latest[period].get("checks") or {}
        failed = Counter(d.get("source", "") for d in checks.get("details") or [] if d.get("status") == "failed")
        history.append(
            {
                "period": period,
                "passed": int(checks.get("passed") or 0),
                "failed": int(checks.get("failed") or 0),
                "not_run": int(checks.get("not_run") or 0),
                "blocking_failed": int(checks.get("blocking_failed") or 0),
                "failed_by_source": dict(failed),
            }
        )
    return history


def _change(now: int, before: int | None) -> str:
    if before is None:
        return "—"
    if now == before:
        return "持平"
    return f"↑ {now - before}" if now > before else f"↓ {before - now}"


def trend_table(history: list[dict[str, Any]]) -> pd.DataFrame:
    """月份 · 通过 · 未通过 · 较上月 · 未运行 · 阻断项未通过 · 未通过的数据源: Chinese headers for the report."""
    rows = []
    before: int | None = None
    for month in history:
        by_source = month["failed_by_source"]
        rows.append(
            {
                "月份": month["period"],
                "通过": month["passed"],
                "未通过": month["failed"],
                "未通过较上月": _change(month["failed"], before),
                "未运行": month["not_run"],
                "阻断项未通过": month["blocking_failed"],
                "未通过的数据源": "、".join(f"{source_zh(s)} {n}" for s, n in sorted(by_source.items())) or "—",
            }
        )
        before = month["failed"]
    columns = ["月份", "通过", "未通过", "未通过较上月", "未运行", "阻断项未通过", "未通过的数据源"]
    return pd.DataFrame(rows, columns=columns)


def check_trend(engine: Engine, county: str, period: str) -> pd.DataFrame:
    """The trend table of the county's last months up to `period` (what the monthly report shows)."""
    return trend_table(check_history(engine, county, period))
