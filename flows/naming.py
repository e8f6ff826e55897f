"""How runs are named and tagged, so the Prefect UI tells counties and months apart."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

# Task run names: English first (the UI's graph and filters), Chinese beside it for the bureau.
STAGE_NAMES = {
    "load": "load 读取数据",
    "checks": "checks 数据检查",
    "linkage": "linkage 身份识别",
    "rules": "rules 规则核查",
    "favour": "favour 人情保风险",
    "cases": "cases 写入案件",
    "outputs": "outputs 导出与报告",
}


def run_name(county: str, period: str) -> str:
    """`hecha 429006 2026-10`: the flow run's name."""
    return f"hecha {county} {period}"


def month_tags(county: str, period: str) -> list[str]:
    """Tags to filter runs by in the UI and API: `county:429006`, `period:2026-10`."""
    return [f"county:{county}", f"period:{period}"]


def tagged(county: str, period: str) -> AbstractContextManager[Any]:
    """Every flow and task run started inside carries the county-month's tags."""
    from prefect import tags

    return tags(*month_tags(county, period))
