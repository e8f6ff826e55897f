"""Monthly report: every figure equals an independent count or sum over the case store."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from report_fixtures import COUNTY, LIST_NOTE, OCT, SEP
from report_truth import NEGATIVE, latest_decisions, latest_summary, month_obs, rows
from sqlalchemy import Engine

from hecha.exceptions import HechaError
from hecha.findings import FINDINGS
from hecha.labels import DECISIONS, finding_zh, source_zh
from reports.model import Report
from reports.monthly import build_monthly, write_monthly_report


@pytest.fixture(scope="module")
def october(store: Engine) -> Report:
    return build_monthly(store, COUNTY, OCT)


def test_headline_counts_and_money(store: Engine, october: Report) -> None:
    """It counts this month's observations of this county only, by category, and sums their money."""
    obs = month_obs(store, COUNTY, OCT)
    categories = Counter(o.category for o in obs)
    assert october.metric("findings") == len(obs) == 28
    assert october.metric("wrong") == categories["wrong"]
    assert october.metric("missed") == categories["missed"]
    assert october.metric("favour") == categories["favour"]
    assert october.metric("monthly_overpayment") == pytest.approx(sum(o.monthly for o in obs))
    assert october.metric("cumulative_overpayment") == pytest.approx(sum(o.cumulative or 0 for o in obs))


def test_inputs_come_from_the_latest_succeeded_run(store: Engine, october: Report) -> None:
    """It reads sources, checks and linkage from the newest succeeded run, not an older or failed one."""
    summary = latest_summary(store, COUNTY, OCT)
    assert summary["run_id"] == "r-oct"
    sources = october.table("sources").set_index("数据源")
    for source, info in summary["sources"].items():
        source = source_zh(source)
        assert sources.loc[source, "读取行数"] == info["rows_read"]
        assert sources.loc[source, "隔离行数"] == info["quarantined"]
        assert sources.loc[source, "身份证号有效率"] == pytest.approx(info["id_valid_share"])
    assert sources.loc[source_zh("vehicles"), "状态"] == "未提供"
    assert october.metric("rows_read") == sum(i["rows_read"] for i in summary["sources"].values())
    assert october.metric("rows_quarantined") == sum(i["quarantined"] for i in summary["sources"].values())
    checks = dict(october.table("checks").values)
    assert checks["通过"] == summary["checks"]["passed"] and checks["未运行"] == summary["checks"]["not_run"]
    linkage = october.table("linkage").set_index("数据源对")
    assert linkage.loc["救助发放名册与死亡人员", "关联数"] == summary["linkage"]["roll~deaths"]["links"]
    assert list(october.table("rules_not_run")["规则"]) == [finding_zh(c) for c in summary["rules_not_run"]]


def test_findings_by_code_town_and_village(store: Engine, october: Report) -> None:
    obs = month_obs(store, COUNTY, OCT)
    by_code = october.table("findings_by_code").set_index("规则")
    for code, n in Counter(o.finding for o in obs).items():
        assert by_code.loc[FINDINGS[code][1], "线索数"] == n
        assert by_code.loc[FINDINGS[code][1], "月多发金额估计（元）"] == pytest.approx(
            sum(o.monthly for o in obs if o.finding == code)
        )
    by_town = october.table("findings_by_town").set_index("乡镇")
    for (town, category), n in Counter((o.town, o.category) for o in obs).items():
        assert by_town.loc[town, {"wrong": "错保", "missed": "漏保", "favour": "人情保/关系保"}[category]] == n
    by_village = october.table("findings_by_village").set_index(["乡镇", "村（社区）"])
    for key, n in Counter((o.town, o.village) for o in obs).items():
        assert by_village.loc[key, "合计"] == n
    missed = october.table("missed").set_index("规则")["人（户）数"].to_dict()
    assert missed == {finding_zh(c): n for c, n in Counter(o.finding for o in obs if o.category == "missed").items()}


def test_favour_villages_from_cases_when_the_run_has_no_ranking(store: Engine, october: Report) -> None:
    obs = [o for o in month_obs(store, COUNTY, OCT) if o.finding == "FAVOUR_RISK"]
    table = october.table("favour_villages").set_index(["乡镇", "村（社区）"])
    assert dict(table["风险户数"]) == dict(Counter((o.town, o.village) for o in obs))
    assert list(table["排名"]) == list(range(1, len(table) + 1))


def test_favour_villages_from_the_run_summary_when_present(store: Engine) -> None:
    september = build_monthly(store, COUNTY, SEP)
    villages = latest_summary(store, COUNTY, SEP)["favour"]["villages"]
    table = september.table("favour_villages")
    assert list(table["村（社区）"]) == [v["village"] for v in villages]
    assert list(table["风险户数"]) == [v["flagged"] for v in villages]
    assert list(table["救助户数"]) == [v["households"] for v in villages]


def test_the_report_says_how_long_the_favour_list_is_and_why(store: Engine, october: Report) -> None:
    """The run's own sentence on the list's length; none when the run recorded none."""
    section = next(s for s in build_monthly(store, COUNTY, SEP).sections if s.title.startswith("三、"))
    assert LIST_NOTE in section.notes
    october_notes = next(s for s in october.sections if s.title.startswith("三、")).notes
    assert not any("显著落差" in n for n in october_notes)


def test_rule_precision_from_inspector_decisions_is_reported(store: Engine) -> None:
    """Weak rules are visible every month: precision per rule as recorded in the run summary."""
    september = build_monthly(store, COUNTY, SEP)
    recorded = latest_summary(store, COUNTY, SEP)["favour"]["precision"]
    table = september.table("precision")
    assert list(table["规则"])[:-1] == [finding_zh(r["finding"]) for r in recorded[:-1]]
    assert list(table["规则"])[-1] == "人情保关系保风险（无监督模型第 1 版）"  # a model version, never its hash
    assert list(table["准确率"]) == [r["precision"] for r in recorded]


def test_changes_since_last_month(store: Engine, october: Report) -> None:
    """New = never seen before; carried over = seen in an earlier month; resolved = last month only."""
    now = {o.case_id for o in month_obs(store, COUNTY, OCT)}
    before = {o.case_id for o in month_obs(store, COUNTY, SEP)}
    assert october.metric("new") == len(now - before) == 12
    assert october.metric("carried_over") == len(now & before) == 16
    assert october.metric("resolved") == len(before - now) == 8
    resolved_events = rows(
        store,
        "SELECT count(*) FROM case_events e JOIN cases c ON c.case_id = e.case_id"
        " WHERE c.county = :county AND e.kind = 'resolved_by_data' AND e.period = :period",
        county=COUNTY,
        period=OCT,
    )[0][0]
    assert october.metric("resolved") == resolved_events


def test_review_progress_after_decisions(store: Engine, october: Report) -> None:
    """After the round of decisions, the month's cases are counted by their latest decision."""
    latest = latest_decisions(store, COUNTY)
    obs = month_obs(store, COUNTY, OCT)
    review = october.table("review").set_index("核查决定")["合计"]
    assert review["尚未作出核查决定"] == sum(o.case_id not in latest for o in obs)
    assert review["排除（误报）"] == sum(latest.get(o.case_id) == "cleared" for o in obs)
    assert review[DECISIONS["reinstated"]] == sum(latest.get(o.case_id) == "reinstated" for o in obs)
    assert review[DECISIONS["included"]] == sum(latest.get(o.case_id) == "included" for o in obs)
    assert sum(latest.get(o.case_id) in NEGATIVE for o in obs) == 6


def test_a_month_without_a_succeeded_run_is_refused(store: Engine) -> None:
    with pytest.raises(HechaError, match="没有成功的运行记录"):
        build_monthly(store, COUNTY, "2026-11")


def test_writes_html_pdf_and_xlsx(store: Engine, tmp_path: Path) -> None:
    paths = write_monthly_report(store, COUNTY, OCT, tmp_path)
    assert set(paths) == {"html", "pdf", "xlsx"}
    assert all(p.exists() and p.stat().st_size > 1000 for p in paths.values())
