"""The official form of a report: the county's name, issuing unit, handling mark, months in Chinese.

A leader reads 湖北省天门市 and 2026年10月, never a code or a run id; codes a clerk needs
to trace a figure go to the appendix (`codes_appendix`).
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from hecha import settings
from hecha.findings import FINDINGS
from hecha.labels import category_zh, finding_zh
from reports import divisions
from reports.model import Section, Table


def month_zh(period: str) -> str:
    """`2026-10` → 2026年10月."""
    year, month = period.split("-")
    return f"{year}年{int(month)}月"


def issuer(county: str) -> str:
    """The issuing unit from settings, else the county's civil-affairs bureau by its name."""
    return settings.report_issuer() or f"{divisions.county_name(county)}民政局"


def marking() -> str:
    return settings.report_marking()


def codes_appendix(codes: Iterable[str], extra: list[Table] | None = None) -> Section:
    """Rule codes beside their Chinese names, for staff who trace a figure to the system."""
    used = sorted(set(codes), key=list(FINDINGS).index)
    frame = pd.DataFrame(
        {
            "规则名称": [finding_zh(c) for c in used],
            "类别": [category_zh(FINDINGS[c][0]) for c in used],
            "规则代码": used,
        },
        columns=["规则名称", "类别", "规则代码"],
    )
    return Section(
        "附录  规则代码对照（供工作人员核对）",
        [Table("rule_codes", "规则代码对照", frame), *(extra or [])],
        notes=["正文只用规则名称；系统、导出清单和核查工作台中的规则代码与名称按本表对应。"],
    )
