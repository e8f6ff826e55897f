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
from hecha import settings
from hecha.labels import CATEGORIES, category_zh
from reports import charts, data, divisions, form, outcomes
from reports.charts import outcomes_charts
from reports.form import month_zh
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


def trend(
    cases: pd.DataFrame, window: pd.DataFrame, all_obs: pd.DataFrame, periods: list[str], ran: set[str]
) -> pd.DataFrame:
    """Per month: cases seen, first seen, and what became of the month's cases; — for a month without a run."""
    first_seen = all_obs.groupby("case_id")["period"].min()
    state = cases.set_index("case_id")
    columns = ["月份", "线索", "新发现", "属实", "排除误报", "未办结"]
    rows = []
    for period in periods:
        if period not in ran:
            rows.append({"月份": period, **{c: float("nan") for c in columns[1:]}})
            continue
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
    return pd.DataFrame(rows, columns=columns)


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


def campaign_title(name: str) -> str:
    """`2026年农村低保专项治理` → …专项治理报告; a bare name gets 专项行动报告 — never the phrase twice."""
    name = name.strip()
    for ending in ("专项行动", "专项治理", "专项整治", "行动", "治理", "整治"):
        if name.endswith(ending):
            return f"{name}报告"
    if name.endswith("专项"):
        return f"{name}行动报告"
    return f"{name}专项行动报告"


def _charts(
    cases: pd.DataFrame, table: pd.DataFrame, monthly: pd.DataFrame, ran: set[str]
) -> dict[str, list[tuple[str, bytes]]]:
    if not len(cases):
        return {}
    by_town = outcomes.outcome_table(cases, "town")
    by_town = by_town[by_town["乡镇"] != "合计"].set_index("乡镇")[["线索", "属实", "误报"]]
    ranking = table.dropna(subset=["核查率"])
    return {
        "overview": [("各乡镇线索与核查结果", charts.grouped_barh(by_town, "各乡镇线索与核查结果", "条"))],
        "trend": [
            (
                "逐月趋势",
                charts.lines(monthly.set_index("月份")[["线索", "新发现", "属实", "排除误报"]], "逐月趋势", "条", ran),
            ),
            (
                "乡镇排名（核查率）",
                charts.barh(
                    list(ranking["乡镇"]),
                    [round(v * 100, 1) for v in ranking["核查率"]],
                    "乡镇排名（核查率）",
                    "%",
                    value_format="{:.1f}%",
                ),
            ),
        ],
    }


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
    deadline = settings.response_deadline_days()
    cases, window = campaign_cases(engine, county, period_from, period_to, towns, as_of, overdue_days, deadline)
    periods = data.periods_between(period_from, period_to)
    ran = data.run_periods(engine, county)
    monthly = trend(cases, window, data.observations(engine, county), periods, ran)
    table = league(cases)
    money_months = data.periods_between(period_from, max(period_to, f"{as_of:%Y-%m}"))
    money = outcomes.money_by_month(data.decisions(engine, county), set(cases.case_id), money_months, ran)
    timely = outcomes.timeliness(cases, periods, ran, deadline)
    chart_sets = _charts(cases, table, monthly, ran)
    result_charts = outcomes_charts(money, timely, deadline, ran) if len(cases) else []
    scope = "、".join(towns) if towns else "全部乡镇（街道）"
    gap_note = "「—」表示该月没有运行核查，不计为 0。"
    sections = [
        Section(
            "一、总体情况",
            [Table("by_category", "分类情况", by_category(cases))],
            charts=chart_sets.get("overview", []),
            charts_first=False,
            notes=[
                f"范围：{scope}，{month_zh(period_from)}至{month_zh(period_to)}各次核查发现的线索；"
                "核查结论取每条线索的最新结论。",
                f"未办结指状态为待核查、核查中或核实属实（尚未整改）；超过 {overdue_days} 天未办结为超期。",
                "整改率 = 已整改或已纳入 ÷ 核实属实（含已整改、已纳入）。",
            ],
        ),
        Section(
            "二、核查处置结果",
            [
                Table("outcomes_by_town", "按乡镇", outcomes.outcome_table(cases, "town")),
                Table("precision", "按规则", outcomes.outcome_table(cases, "finding")),
                Table("money_by_month", "逐月停发与追回", money),
                Table("timeliness", "按期核查", timely),
            ],
            charts=result_charts,
            charts_first=False,
            notes=[
                "准确率 = 属实 ÷（属实 + 误报），按核查人员结论计算；恢复发放计为误报。",
                f"按期核查：发现后 {deadline} 天内作出核查结论。{gap_note}",
            ],
        ),
        Section(
            "三、逐月趋势与乡镇排名",
            [Table("trend", "逐月趋势", monthly), Table("league", "乡镇排名", table)],
            charts=chart_sets.get("trend", []),
            charts_first=False,
            notes=[gap_note, "乡镇排名按核查率，其次按整改率。"],
        ),
        Section("四、典型案例（已脱敏）", [Table("typical", "典型案例", typical_cases(cases))]),
    ]
    period_text = f"{month_zh(period_from)}至{month_zh(period_to)}"
    positive = cases[cases.positive]
    summary_text = [
        f"{period_text}，各次核查共发现疑点线索 {len(cases):,} 条，已核查 {int(cases.decided.sum()):,} 条，"
        f"核实属实 {len(positive):,} 条，排除误报 {int(cases.negative.sum()):,} 条。",
        f"清退（停发、减发）{int(cases.stopped.sum()):,} 人（户），每月停发、减发 "
        f"{cases.monthly_amount_stopped.sum():,.2f} 元，已追回资金 {cases.amount_recovered.sum():,.2f} 元，"
        f"恢复发放补发 {cases.back_pay.sum():,.2f} 元；新纳入保障 {int(cases.newly_covered.sum()):,} 人（户）；"
        f"尚有 {int(cases.open.sum()):,} 条未办结，其中超期 {int(cases.overdue.sum()):,} 条。",
    ]
    subtitle = f"{divisions.county_full_name(county)} · {scope} · {period_text} · 数据截至 {as_of:%Y年%m月%d日}"
    return Report(
        title=campaign_title(name),
        subtitle=subtitle,
        metrics=headline(cases),
        sections=sections,
        issuer=form.issuer(county),
        marking=form.marking(),
        appendix=[form.codes_appendix(cases["finding"])],
        summary=summary_text,
    )


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
