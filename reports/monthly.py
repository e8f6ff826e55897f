"""Monthly report (核查月报) of one county-month: inputs, linkage, findings, money, changes.

Findings are the case observations of the month; inputs and linkage come from the
latest succeeded run's summary; review progress from inspector decisions.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from hecha.exceptions import HechaError
from hecha.labels import CATEGORIES, DECISIONS, category_zh, finding_zh
from reports import charts, check_trend, data, run_summary
from reports.model import Metric, Report, Section, Table
from reports.writer import write_all


def findings_by_code(current: pd.DataFrame) -> pd.DataFrame:
    grouped = current.groupby("finding").agg(
        n=("case_id", "size"),
        monthly=("est_monthly_overpayment", "sum"),
        cumulative=("est_cumulative_overpayment", "sum"),
    )
    frame = pd.DataFrame(
        {
            "代码": grouped.index,
            "名称": [finding_zh(c) for c in grouped.index],
            "类别": [category_zh(current.loc[current.finding == c, "category"].iloc[0]) for c in grouped.index],
            "线索数": grouped["n"].astype(int).to_numpy(),
            "月多发金额估计（元）": grouped["monthly"].astype(float).to_numpy(),
            "累计多发金额估计（元）": grouped["cumulative"].astype(float).to_numpy(),
        }
    )
    return frame.sort_values(["线索数", "代码"], ascending=[False, True]).reset_index(drop=True)


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
    return pd.DataFrame(
        {
            "规则代码": counts.index,
            "规则名称": [finding_zh(c) for c in counts.index],
            "人（户）数": counts.astype(int).to_numpy(),
        }
    )


def _finding_charts(by_code: pd.DataFrame, by_town: pd.DataFrame) -> list[tuple[str, bytes]]:
    if by_code.empty:
        return []
    town_chart = by_town.set_index("乡镇")[[category_zh(c) for c in CATEGORIES]]
    return [
        ("按规则统计的线索数", charts.barh(list(by_code["名称"]), list(by_code["线索数"]), "按规则统计的线索数", "条")),
        ("各乡镇线索数", charts.stacked(town_chart, "各乡镇线索数", "条")),
    ]


def build_monthly(engine: Engine, county: str, period: str) -> Report:
    run = data.latest_run(engine, county, period)
    if run is None:
        raise HechaError(f"{county} {period} 没有成功的运行记录，无法生成月报 / no succeeded run for {county} {period}")
    summary = run.summary or {}
    obs = data.observations(engine, county)
    current = obs[obs.period == period]
    outcomes = data.outcomes(engine, county)

    sources = run_summary.sources_table(summary)
    by_code = findings_by_code(current)
    by_town = category_counts(current, ["town"])
    by_village = category_counts(current, ["town", "village"])
    villages = run_summary.favour_villages_from_summary(summary)
    villages_note = "风险村排名取自本次运行的人情保风险模型结果。"
    if villages is None:
        villages = favour_villages(current)
        villages_note = "风险村排名按本月「人情保关系保风险」线索户数（其次平均风险分）计算。"
    change = changes(obs, period)
    missed = current[current.category == "missed"]
    checks = summary.get("checks") or {}

    metrics = [
        Metric("findings", "本月线索", len(current), "条"),
        Metric("wrong", "错保线索", int((current.category == "wrong").sum()), "条"),
        Metric("missed", "漏保线索（人/户）", len(missed), "条"),
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
        Metric("rows_read", "读取数据行", int(sources["读取行数"].sum()), "行"),
        Metric("rows_quarantined", "隔离数据行", int(sources["隔离行数"].sum()), "行"),
        Metric("checks_failed", "未通过的检查", int(checks.get("failed") or 0), "项"),
        Metric("checks_not_run", "未运行的检查", int(checks.get("not_run") or 0), "项"),
    ]
    sections = [
        Section(
            "一、输入数据与数据质量",
            [
                Table("sources", "数据源", sources),
                Table("checks", "数据检查", run_summary.checks_table(summary)),
                Table("failed_checks", "未通过或未运行的检查", run_summary.failed_checks_table(summary)),
                Table("check_trend", "数据检查历史（近12个月）", check_trend.check_trend(engine, county, period)),
                Table("rules_not_run", "未运行的规则", run_summary.rules_not_run_table(summary)),
            ],
            notes=["缺少数据源的检查和规则列为「未运行」，不视为通过。"],
        ),
        Section(
            "二、数据比对关联",
            [Table("linkage", "比对关联", run_summary.linkage_table(summary))],
            notes=["模糊关联指身份证号缺失、旧号或个别位错误，依据姓名、出生日期等关联，证据较弱。"],
        ),
        Section(
            "三、疑点线索",
            [
                Table("findings_by_code", "按规则", by_code),
                Table("findings_by_town", "按乡镇", by_town),
                Table("findings_by_village", "按村社区", by_village),
                Table("missed", "漏保线索", missed_table(missed)),
            ],
            charts=_finding_charts(by_code, by_town),
        ),
        Section("四、人情保/关系保风险村", [Table("favour_villages", "人情保风险村", villages)], notes=[villages_note]),
        Section(
            "五、较上月变化与核查进展",
            [
                Table("changes", "较上月变化", change),
                Table("review", "核查进展", review_progress(current, outcomes)),
                Table("precision", "各规则核查准确率（截至本月的全部核查结论）", run_summary.precision_table(summary)),
            ],
            notes=["准确率 = 属实 ÷（属实 + 误报），按核查人员的决定计算；准确率低的规则需复查口径。"],
        ),
    ]
    subtitle = f"县（市、区）{county} · {period} · 运行 {run.run_id}"
    return Report(title=f"社会救助核查月报（{period}）", subtitle=subtitle, metrics=metrics, sections=sections)


def write_monthly_report(engine: Engine, county: str, period: str, out_dir: Path) -> dict[str, Path]:
    """Write the monthly report as HTML, PDF and XLSX; returns the paths by format."""
    report = build_monthly(engine, county, period)
    return write_all(report, Path(out_dir), f"monthly-{county}-{period}")
