"""Monthly report (核查月报) of one county-month: inputs, linkage, findings, money, changes.

Findings are the case observations of the month; inputs and linkage come from the
latest succeeded run's summary; review progress from inspector decisions.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from cases.schema import utcnow
from hecha import settings
from hecha.exceptions import HechaError
from hecha.findings import FINDINGS
from hecha.labels import CATEGORIES, DECISIONS, category_zh, finding_zh
from reports import charts, check_trend, data, divisions, form, outcomes, run_summary
from reports.model import Metric, Report, Section, Table
from reports.writer import write_all

OVERDUE_DAYS = 30  # an open case older than this is overdue, as in the campaign report


def findings_by_code(current: pd.DataFrame) -> pd.DataFrame:
    grouped = current.groupby("finding").agg(
        n=("case_id", "size"),
        monthly=("est_monthly_overpayment", "sum"),
        cumulative=("est_cumulative_overpayment", "sum"),
    )
    frame = pd.DataFrame(
        {
            "规则": [finding_zh(c) for c in grouped.index],
            "类别": [category_zh(current.loc[current.finding == c, "category"].iloc[0]) for c in grouped.index],
            "线索数": grouped["n"].astype(int).to_numpy(),
            "月多发金额估计（元）": grouped["monthly"].astype(float).to_numpy(),
            "累计多发金额估计（元）": grouped["cumulative"].astype(float).to_numpy(),
        }
    )
    order = [list(FINDINGS).index(c) for c in grouped.index]
    frame["_order"] = order
    frame = frame.sort_values(["线索数", "_order"], ascending=[False, True]).drop(columns="_order")
    return frame.reset_index(drop=True)


def category_counts(current: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Counts per category (columns 错保/漏保/人情保) for each group, with a total."""
    table = pd.crosstab([current[c] for c in by], current["category"]) if len(current) else pd.DataFrame()
    table = table.reindex(columns=list(CATEGORIES), fill_value=0).astype(int)
    table.columns = [category_zh(c) for c in CATEGORIES]
    table["合计"] = table.sum(axis=1)
    table = table.reset_index().rename(columns={"town": "乡镇", "village": "村（社区）"})
    return table.sort_values("合计", ascending=False, kind="stable").reset_index(drop=True)


def favour_villages(current: pd.DataFrame) -> pd.DataFrame:
    """Villages ranked by how many households the risk model flagged, then by mean score."""
    favour = current[current.finding == "FAVOUR_RISK"]
    grouped = favour.groupby(["town", "village"]).agg(
        n=("case_id", "size"), mean=("score", "mean"), top=("score", "max")
    )
    grouped = grouped.sort_values(["n", "mean"], ascending=False).reset_index()
    return pd.DataFrame(
        {
            "排名": range(1, len(grouped) + 1),
            "乡镇": grouped["town"],
            "村（社区）": grouped["village"],
            "风险户数": grouped["n"].astype(int),
            "平均风险分": grouped["mean"].round(3),
            "最高风险分": grouped["top"].round(3),
        }
    )


def changes(obs: pd.DataFrame, period: str) -> pd.DataFrame:
    """New, carried over and no-longer-seen cases against last month, per category."""
    current = obs[obs.period == period]
    seen_before = set(obs.loc[obs.period < period, "case_id"])
    previous = obs[obs.period == data.previous_period(period)]
    rows = []
    for category in CATEGORIES:
        cur = current[current.category == category]
        prev = previous[previous.category == category]
        new = int((~cur.case_id.isin(seen_before)).sum())
        rows.append(
            {
                "类别": category_zh(category),
                "本月线索": len(cur),
                "新发现": new,
                "延续上月及以前": len(cur) - new,
                "上月有、本月已消除": int((~prev.case_id.isin(set(cur.case_id))).sum()),
            }
        )
    frame = pd.DataFrame(rows)
    total = frame.drop(columns="类别").sum()
    return pd.concat([frame, pd.DataFrame([{"类别": "合计", **total.to_dict()}])], ignore_index=True)


def review_progress(current: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    """This month's cases by latest inspector decision (未决定 = no decision yet)."""
    merged = current.merge(outcomes[["case_id", "decision"]], on="case_id", how="left")
    merged["decision"] = merged["decision"].fillna("none")
    labels = {"none": "尚未作出核查决定", **DECISIONS}
    table = pd.crosstab(merged["decision"], merged["category"]).reindex(index=list(labels), columns=list(CATEGORIES))
    table = table.fillna(0).astype(int)
    table.columns = [category_zh(c) for c in CATEGORIES]
    table["合计"] = table.sum(axis=1)
    table.index = [labels[i] for i in table.index]
    return table.rename_axis("核查决定").reset_index()


def missed_table(missed: pd.DataFrame) -> pd.DataFrame:
    counts = missed.groupby("finding").size()
    return pd.DataFrame({"规则": [finding_zh(c) for c in counts.index], "人（户）数": counts.astype(int).to_numpy()})


def _finding_charts(by_town: pd.DataFrame) -> list[tuple[str, bytes]]:
    if by_town.empty:
        return []
    town_chart = by_town.set_index("乡镇")[[category_zh(c) for c in CATEGORIES]]
    return [("各乡镇线索（按类别）", charts.stacked(town_chart, "各乡镇线索（按类别）", "条"))]


def _outcome_charts(
    month_cases: pd.DataFrame, money: pd.DataFrame, timely: pd.DataFrame, deadline: int, ran: set[str]
) -> list[tuple[str, bytes]]:
    if month_cases.empty:
        return []
    by_town = outcomes.outcome_table(month_cases, "town")
    by_town = by_town[by_town["乡镇"] != "合计"].set_index("乡镇")[["线索", "属实", "误报"]]
    return [
        ("各乡镇线索与核查结果", charts.grouped_barh(by_town, "各乡镇线索与核查结果", "条")),
        *charts.outcomes_charts(money, timely, deadline, ran),
    ]


def series_months(ran: set[str], period: str, months: int = 12) -> list[str]:
    """The last `months` months up to `period`, from the county's first run on (no gaps before hecha began)."""
    first = min([p for p in ran if p <= period] or [period])
    start = period
    for _ in range(months - 1):
        start = data.previous_period(start)
    return data.periods_between(max(first, start), period)


def build_monthly(
    engine: Engine, county: str, period: str, *, as_of: dt.datetime | None = None, run_id: str | None = None
) -> Report:
    """The monthly report of a county-month: of its latest succeeded run, or of `run_id` (the run writing it)."""
    run = data.latest_run(engine, county, period, run_id)
    if run is None:
        raise HechaError(f"{county} {period} 没有成功的运行记录，无法生成月报 / no succeeded run for {county} {period}")
    as_of = as_of or utcnow()
    deadline = settings.response_deadline_days()
    summary = run.summary or {}
    obs = data.observations(engine, county)
    current = obs[obs.period == period]
    decided = data.outcomes(engine, county)
    all_cases = outcomes.case_outcomes(engine, county, as_of, OVERDUE_DAYS, deadline)
    month_cases = all_cases[all_cases.case_id.isin(set(current.case_id))]
    ran = data.run_periods(engine, county)
    months = series_months(ran, period)
    money = outcomes.money_by_month(data.decisions(engine, county), set(all_cases.case_id), months, ran)
    timely = outcomes.timeliness(all_cases, months, ran, deadline)

    sources = run_summary.sources_table(summary)
    by_code = findings_by_code(current)
    by_town = category_counts(current, ["town"])
    by_village = category_counts(current, ["town", "village"])
    villages = run_summary.favour_villages_from_summary(summary)
    villages_note = "风险村排名取自本次运行的人情保风险模型结果。"
    if villages is None:
        villages = favour_villages(current)
        villages_note = "风险村排名按本月人情保关系保风险线索户数（其次平均风险分）计算。"
    change = changes(obs, period)
    missed = current[current.category == "missed"]
    checks = summary.get("checks") or {}
    positive = month_cases[month_cases.positive]

    metrics = [
        Metric("findings", "本月线索", len(current), "条"),
        Metric("wrong", "错保线索", int((current.category == "wrong").sum()), "条"),
        Metric("missed", "漏保线索", len(missed), "人（户）"),
        Metric("favour", "人情保/关系保线索", int((current.category == "favour").sum()), "条"),
        Metric("monthly_overpayment", "估计每月多发金额", round(float(current.est_monthly_overpayment.sum()), 2), "元"),
        Metric(
            "cumulative_overpayment",
            "估计累计多发金额",
            round(float(current.est_cumulative_overpayment.sum()), 2),
            "元",
        ),
        Metric("new", "新发现", int(change.iloc[-1]["新发现"]), "条"),
        Metric("carried_over", "延续", int(change.iloc[-1]["延续上月及以前"]), "条"),
        Metric("resolved", "上月有、本月已消除", int(change.iloc[-1]["上月有、本月已消除"]), "条"),
        Metric("decided", "已核查", int(month_cases.decided.sum()), "条"),
        Metric("confirmed", "核实属实", len(positive), "条"),
        Metric("cleared", "排除误报", int(month_cases.negative.sum()), "条"),
        Metric("stopped_monthly", "每月停发、减发", round(float(month_cases.monthly_amount_stopped.sum()), 2), "元/月"),
        Metric("recovered", "已追回资金", round(float(month_cases.amount_recovered.sum()), 2), "元"),
        Metric("back_pay", "恢复发放补发", round(float(month_cases.back_pay.sum()), 2), "元"),
        Metric("newly_covered", "新纳入保障", int(month_cases.newly_covered.sum()), "人（户）"),
        Metric("overdue", "超期未办结", int(month_cases.overdue.sum()), "条"),
        Metric("rows_read", "读取数据行", int(sources["读取行数"].sum()), "行"),
        Metric("rows_quarantined", "隔离数据行", int(sources["隔离行数"].sum()), "行"),
        Metric("checks_failed", "未通过的检查", int(checks.get("failed") or 0), "项"),
        Metric("checks_not_run", "未运行的检查", int(checks.get("not_run") or 0), "项"),
    ]
    gap_note = "「—」表示该月没有运行核查，不计为 0。"
    sections = [
        Section(
            "一、本月疑点线索",
            [
                Table("findings_by_code", "按规则", by_code),
                Table("findings_by_town", "按乡镇", by_town),
                Table("missed", "漏保线索", missed_table(missed)),
                Table("findings_by_village", "按村社区", by_village),
            ],
            charts=_finding_charts(by_town),
            charts_first=False,
            notes=["疑点线索是比对发现的核查线索，不是违规结论，须经核查人员入户核实后作出结论。"],
        ),
        Section(
            "二、核查处置结果",
            [
                Table("outcomes_by_town", "本月线索处置情况（按乡镇）", outcomes.outcome_table(month_cases, "town")),
                Table("outcomes_by_rule", "本月线索处置情况（按规则）", outcomes.outcome_table(month_cases, "finding")),
                Table("money_by_month", "逐月停发与追回", money),
                Table("timeliness", "按期核查", timely),
            ],
            charts=_outcome_charts(month_cases, money, timely, deadline, ran),
            charts_first=False,
            notes=[
                "准确率 = 属实 ÷（属实 + 误报），按核查人员结论计算；恢复发放计为误报。",
                f"按期核查：发现后 {deadline} 天内作出核查结论；超过 {OVERDUE_DAYS} 天仍未办结为超期。{gap_note}",
            ],
        ),
        Section(
            "三、人情保/关系保风险村",
            [Table("favour_villages", "人情保风险村", villages)],
            notes=[villages_note, *filter(None, [run_summary.favour_list_note(summary)])],
        ),
        Section(
            "四、较上月变化与核查进展",
            [
                Table("changes", "较上月变化", change),
                Table("review", "核查进展", review_progress(current, decided)),
                Table("precision", "各规则累计准确率（截至本月的全部核查结论）", run_summary.precision_table(summary)),
            ],
            notes=["准确率低的规则需复查比对口径。"],
        ),
        Section(
            "五、输入数据与数据质量",
            [
                Table("sources", "数据源", sources),
                Table("checks", "数据检查", run_summary.checks_table(summary)),
                Table("failed_checks", "未通过或未运行的检查", run_summary.failed_checks_table(summary)),
                Table("check_trend", "数据检查历史（近12个月）", check_trend.check_trend(engine, county, period)),
                Table("rules_not_run", "未运行的规则", run_summary.rules_not_run_table(summary)),
                Table("registry_repeats", "户籍重复身份证号", run_summary.registry_repeats_table(summary)),
                Table("linkage", "比对关联", run_summary.linkage_table(summary)),
            ],
            notes=[
                "缺少数据源的检查和规则列为「未运行」，不视为通过。",
                run_summary.registry_repeats_note(summary),
                "模糊关联指身份证号缺失、旧号或个别位错误，依据姓名、出生日期等关联，证据较弱。",
            ],
        ),
    ]
    summary_text = [
        f"本月比对发现疑点线索 {len(current):,} 条，其中错保 {int((current.category == 'wrong').sum()):,} 条、"
        f"漏保 {len(missed):,} 人（户）、人情保/关系保 {int((current.category == 'favour').sum()):,} 条；"
        f"新发现 {int(change.iloc[-1]['新发现']):,} 条，延续上月及以前 {int(change.iloc[-1]['延续上月及以前']):,} 条。",
        f"本月线索已核查 {int(month_cases.decided.sum()):,} 条，核实属实 {len(positive):,} 条，"
        f"排除误报 {int(month_cases.negative.sum()):,} 条；每月停发、减发 {month_cases.monthly_amount_stopped.sum():,.2f} 元，"
        f"已追回 {month_cases.amount_recovered.sum():,.2f} 元，新纳入保障 {int(month_cases.newly_covered.sum()):,} 人（户）；"
        f"超期未办结 {int(month_cases.overdue.sum()):,} 条。",
    ]
    finished = run.finished_at or run.started_at
    subtitle = f"{divisions.county_full_name(county)} · {form.month_zh(period)} · 核查于 {finished:%Y年%m月%d日}"
    title = f"{divisions.county_name(county)}社会救助核查月报（{form.month_zh(period)}）"
    return Report(
        title=title,
        subtitle=subtitle,
        metrics=metrics,
        sections=sections,
        issuer=form.issuer(county),
        marking=form.marking(),
        appendix=[form.codes_appendix([*current["finding"], *summary.get("rules_not_run", {})])],
        summary=summary_text,
    )


def write_monthly_report(
    engine: Engine, county: str, period: str, out_dir: Path, run_id: str | None = None
) -> dict[str, Path]:
    """Write the monthly report as HTML, PDF and XLSX; returns the paths by format."""
    report = build_monthly(engine, county, period, run_id=run_id)
    return write_all(report, Path(out_dir), f"monthly-{county}-{period}")
