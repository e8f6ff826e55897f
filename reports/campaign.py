"""Campaign report (专项行动报告): what a rectification campaign found, verified and fixed.

Scope: every case of the county (optionally some towns) seen by a run in the campaign's
months. Results are the inspectors' latest decisions, whenever they were made.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from cases.schema import utcnow
from hecha.labels import CATEGORIES, category_zh, finding_zh
from reports import charts, data
from reports.model import Metric, Report, Section, Table
from reports.scope import campaign_cases
from reports.typical import typical_cases
from reports.writer import write_all


def _rate(numerator: float, denominator: float) -> float:
    return float(numerator) / float(denominator) if denominator else float("nan")


def by_category(cases: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for category in CATEGORIES:
        part = cases[cases.category == category]
        rows.append(
            {
                "类别": category_zh(category),
                "线索": len(part),
                "已核查": int(part.decided.sum()),
                "核实属实": int(part.positive.sum()),
                "排除误报": int(part.negative.sum()),
                "未办结": int(part.open.sum()),
                "超期未办结": int(part.overdue.sum()),
            }
        )
    return pd.DataFrame(rows)


def precision_by_rule(cases: pd.DataFrame) -> pd.DataFrame:
    """How often inspectors found a rule's flags true: confirmed/included/rectified vs cleared."""
    grouped = cases.groupby("finding").agg(n=("case_id", "size"), pos=("positive", "sum"), neg=("negative", "sum"))
    return pd.DataFrame(
        {
            "规则代码": grouped.index,
            "规则名称": [finding_zh(c) for c in grouped.index],
            "线索": grouped["n"].astype(int).to_numpy(),
            "属实": grouped["pos"].astype(int).to_numpy(),
            "误报": grouped["neg"].astype(int).to_numpy(),
            "准确率": [_rate(p, p + n) for p, n in zip(grouped["pos"], grouped["neg"], strict=True)],
        }
    )


def trend(cases: pd.DataFrame, window: pd.DataFrame, all_obs: pd.DataFrame, periods: list[str]) -> pd.DataFrame:
    """Per month: cases seen, first seen, and what became of the month's cases."""
    first_seen = all_obs.groupby("case_id")["period"].min()
    state = cases.set_index("case_id")
    rows = []
    for period in periods:
        ids = list(window.loc[window.period == period, "case_id"])
        part = state.loc[ids]
        rows.append(
            {
                "月份": period,
                "线索": len(ids),
                "新发现": int((first_seen.loc[ids] == period).sum()),
                "属实": int(part.positive.sum()),
                "排除误报": int(part.negative.sum()),
                "未办结": int(part.open.sum()),
            }
        )
    return pd.DataFrame(rows, columns=["月份", "线索", "新发现", "属实", "排除误报", "未办结"])


def league(cases: pd.DataFrame) -> pd.DataFrame:
    """Per-town league table, ranked by share verified, then rectification rate."""
    grouped = cases.groupby("town")
    frame = pd.DataFrame(
        {
            "线索": grouped.size(),
            "已核查": grouped.decided.sum(),
            "属实": grouped.positive.sum(),
            "排除误报": grouped.negative.sum(),
            "已整改或纳入": grouped.rectified.sum(),
            "未办结": grouped.open.sum(),
            "超期未办结": grouped.overdue.sum(),
            "停发（元/月）": grouped.monthly_amount_stopped.sum(),
            "追回（元）": grouped.amount_recovered.sum(),
            "新纳入": grouped.newly_covered.sum(),
        }
    ).astype(
        {
            "已核查": int,
            "属实": int,
            "排除误报": int,
            "已整改或纳入": int,
            "未办结": int,
            "超期未办结": int,
            "新纳入": int,
        }
    )
    frame.insert(2, "核查率", [_rate(a, b) for a, b in zip(frame["已核查"], frame["线索"], strict=True)])
    frame.insert(6, "整改率", [_rate(a, b) for a, b in zip(frame["已整改或纳入"], frame["属实"], strict=True)])
    frame = (
        frame.sort_values(["核查率", "整改率"], ascending=False, na_position="last").rename_axis("乡镇").reset_index()
    )
    frame.insert(0, "排名", range(1, len(frame) + 1))
    return frame


def headline(cases: pd.DataFrame) -> list[Metric]:
    positive = cases[cases.positive]
    metrics = [
        Metric("flagged", "疑点线索", len(cases), "条"),
        Metric("verified", "已核查", int(cases.decided.sum()), "条"),
    ]
    for category in CATEGORIES:
        metrics.append(
            Metric(
                f"confirmed_{category}",
                f"核实{category_zh(category)}",
                int((positive.category == category).sum()),
                "条",
            )
        )
    return [
        *metrics,
        Metric("cleared", "排除误报", int(cases.negative.sum()), "条"),
        Metric("stopped_people", "清退（停发、减发）", int(cases.stopped.sum()), "人（户）"),
        Metric("stopped_monthly", "每月停发、减发金额", round(float(cases.monthly_amount_stopped.sum()), 2), "元/月"),
        Metric("to_recover", "应追回资金", round(float(cases.amount_to_recover.sum()), 2), "元"),
        Metric("recovered", "已追回资金", round(float(cases.amount_recovered.sum()), 2), "元"),
        Metric("newly_covered", "新纳入保障", int(cases.newly_covered.sum()), "人（户）"),
        Metric("amount_paid", "新纳入已发放", round(float(cases.amount_paid.sum()), 2), "元"),
        Metric("back_pay", "恢复发放补发", round(float(cases.back_pay.sum()), 2), "元"),
        Metric("open", "未办结", int(cases.open.sum()), "条"),
        Metric("overdue", "超期未办结", int(cases.overdue.sum()), "条"),
        Metric("rectification_rate", "整改率", _rate(cases.rectified.sum(), len(positive)), ""),
    ]


def build_campaign(
    engine: Engine,
    name: str,
    county: str,
    period_from: str,
    period_to: str,
    towns: list[str] | None = None,
    *,
    overdue_days: int = 30,
    as_of: dt.datetime | None = None,
) -> Report:
    as_of = as_of or utcnow()
    cases, window = campaign_cases(engine, county, period_from, period_to, towns, as_of, overdue_days)
    periods = data.periods_between(period_from, period_to)
    monthly = trend(cases, window, data.observations(engine, county), periods)
    table = league(cases)
    chart_list = []
    if len(cases):
        chart_list = [
            (
                "逐月趋势",
                charts.lines(monthly.set_index("月份")[["线索", "新发现", "属实", "排除误报"]], "逐月趋势", "条"),
            ),
            (
                "各乡镇核查率",
                charts.barh(
                    list(table["乡镇"]), [round(v * 100, 1) for v in table["核查率"].fillna(0)], "各乡镇核查率", "%"
                ),
            ),
        ]
    scope = "、".join(towns) if towns else "全县"
    sections = [
        Section(
            "一、总体情况",
            [Table("by_category", "分类情况", by_category(cases))],
            notes=[
                f"范围：{scope}，{period_from} 至 {period_to} 运行发现的线索；核查结论取每条线索的最新结论。",
                f"未办结指状态为待核查、核查中或核实属实（尚未整改）；超过 {overdue_days} 天未办结为超期。",
                "整改率 = 已整改或已纳入 ÷ 核实属实（含已整改、已纳入）。",
            ],
        ),
        Section(
            "二、规则准确率",
            [Table("precision", "规则准确率", precision_by_rule(cases))],
            notes=["准确率 = 属实 ÷（属实 + 误报），按核查人员结论计算；恢复发放计为误报。"],
        ),
        Section(
            "三、逐月趋势与乡镇排名",
            [Table("trend", "逐月趋势", monthly), Table("league", "乡镇排名", table)],
            charts=chart_list,
        ),
        Section("四、典型案例（已脱敏）", [Table("typical", "典型案例", typical_cases(cases))]),
    ]
    subtitle = f"县（市、区）{county} · {scope} · {period_from} 至 {period_to} · 截至 {as_of:%Y-%m-%d}"
    return Report(title=f"{name}专项行动报告", subtitle=subtitle, metrics=headline(cases), sections=sections)


def write_campaign_report(
    engine: Engine,
    name: str,
    county: str,
    period_from: str,
    period_to: str,
    out_dir: Path,
    towns: list[str] | None = None,
    *,
    overdue_days: int = 30,
    as_of: dt.datetime | None = None,
) -> dict[str, Path]:
    """Write the campaign report as HTML, PDF and XLSX; returns the paths by format."""
    report = build_campaign(engine, name, county, period_from, period_to, towns, overdue_days=overdue_days, as_of=as_of)
    return write_all(report, Path(out_dir), f"campaign-{county}-{period_from}-{period_to}")
