"""Campaign report: every figure equals an independent count or sum, before and after decisions."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from report_fixtures import COUNTY, OCT, OVERDUE_CUTOFF, SEP, build_store, case_rows
from report_truth import (
    NEGATIVE,
    OPEN,
    POSITIVE,
    as_datetime,
    campaign_ids,
    case_attrs,
    latest_decisions,
    money,
    stopped_people,
)
from sqlalchemy import Engine

from cases.db import make_engine, upgrade
from hecha.labels import finding_zh
from reports.campaign import build_campaign, write_campaign_report
from reports.model import Report

AS_OF = OVERDUE_CUTOFF + dt.timedelta(days=30)


def check_campaign(engine: Engine, report: Report, towns: set[str] | None = None) -> None:
    """Recompute every headline figure and the per-rule and per-town tables from the tables."""
    ids = campaign_ids(engine, COUNTY, SEP, OCT, towns)
    attrs = case_attrs(engine, COUNTY)
    latest = {cid: d for cid, d in latest_decisions(engine, COUNTY).items() if cid in ids}
    positive = {cid for cid, d in latest.items() if d in POSITIVE}
    negative = {cid for cid, d in latest.items() if d in NEGATIVE}
    totals = money(engine, COUNTY, ids)
    open_ids = {cid for cid in ids if attrs[cid].status in OPEN}
    overdue = {cid for cid in open_ids if as_datetime(attrs[cid].created_at) < AS_OF - dt.timedelta(days=30)}
    assert report.metric("flagged") == len(ids)
    assert report.metric("verified") == len(latest)
    for category in ("wrong", "missed", "favour"):
        assert report.metric(f"confirmed_{category}") == sum(attrs[c].category == category for c in positive)
    assert report.metric("cleared") == len(negative)
    assert report.metric("stopped_people") == stopped_people(engine, COUNTY, ids)
    assert report.metric("stopped_monthly") == pytest.approx(totals.get("monthly_amount_stopped", 0))
    assert report.metric("to_recover") == pytest.approx(totals.get("amount_to_recover", 0))
    assert report.metric("recovered") == pytest.approx(totals.get("amount_recovered", 0))
    assert report.metric("amount_paid") == pytest.approx(totals.get("amount_paid", 0))
    assert report.metric("back_pay") == pytest.approx(totals.get("back_pay", 0))
    covered = {c for c, d in latest.items() if attrs[c].category == "missed" and d in ("included", "rectified")}
    assert report.metric("newly_covered") == len(covered)
    assert report.metric("open") == len(open_ids)
    assert report.metric("overdue") == len(overdue)
    fixed = sum(d in ("included", "rectified") for d in latest.values())
    rate = report.metric("rectification_rate")
    assert rate == pytest.approx(fixed / len(positive)) if positive else rate != rate  # NaN when none
    precision = report.table("precision").set_index("规则")
    for code in {attrs[c].finding for c in ids}:
        pos = sum(attrs[c].finding == code for c in positive)
        neg = sum(attrs[c].finding == code for c in negative)
        rule = finding_zh(code)
        assert precision.loc[rule, "属实"] == pos and precision.loc[rule, "误报"] == neg
        assert precision.loc[rule, "线索"] == sum(attrs[c].finding == code for c in ids)
        if pos + neg:
            assert precision.loc[rule, "准确率"] == pytest.approx(pos / (pos + neg))
    league = report.table("league").set_index("乡镇")
    assert dict(league["线索"]) == dict(Counter(attrs[c].town for c in ids))
    assert dict(league["已核查"]) == {t: sum(attrs[c].town == t for c in latest) for t in league.index}
    assert dict(league["超期未办结"]) == {t: sum(attrs[c].town == t for c in overdue) for t in league.index}


@pytest.fixture(scope="module")
def campaign(store: Engine) -> Report:
    return build_campaign(store, "2026年秋季低保专项治理", COUNTY, SEP, OCT, as_of=AS_OF)


def test_campaign_figures_after_decisions(store: Engine, campaign: Report) -> None:
    check_campaign(store, campaign)
    # The fixture's decisions, counted by hand, so a shared mistake would still show.
    assert campaign.metric("verified") == 16 and campaign.metric("cleared") == 6
    assert campaign.metric("stopped_monthly") == pytest.approx(630 + 450 + 500 + 380 + 630)
    assert campaign.metric("recovered") == pytest.approx(900 + 240)
    assert campaign.metric("back_pay") == pytest.approx(630)


def test_campaign_for_some_towns_by_name_or_code(store: Engine) -> None:
    by_name = build_campaign(store, "多宝", COUNTY, SEP, OCT, ["多宝镇"], as_of=AS_OF)
    check_campaign(store, by_name, {"多宝镇"})
    town_code = next(r["region_code"][:9] for r in case_rows() if r["town"] == "多宝镇")
    by_code = build_campaign(store, "多宝", COUNTY, SEP, OCT, [town_code], as_of=AS_OF)
    assert by_code.metrics == by_name.metrics
    assert set(by_name.table("league")["乡镇"]) == {"多宝镇"}


def test_trend_by_month(store: Engine, campaign: Report) -> None:
    trend = campaign.table("trend").set_index("月份")
    assert trend.loc[SEP, "线索"] == len(campaign_ids(store, COUNTY, SEP, SEP))
    assert trend.loc[OCT, "线索"] == len(campaign_ids(store, COUNTY, OCT, OCT))
    assert trend.loc[OCT, "新发现"] == len(
        campaign_ids(store, COUNTY, OCT, OCT) - campaign_ids(store, COUNTY, SEP, SEP)
    )


def test_figures_follow_a_round_of_decisions(tmp_path: Path) -> None:
    """Before any decision nothing is verified; after the round every figure still matches the store."""
    engine = make_engine(f"sqlite:///{tmp_path / 'h.db'}")
    upgrade(engine)
    build_store(engine, tmp_path, decisions=False)
    before = build_campaign(engine, "专项", COUNTY, SEP, OCT, as_of=AS_OF)
    check_campaign(engine, before)
    assert before.metric("verified") == 0 and before.metric("recovered") == 0
    build_store(engine, tmp_path, runs=False)
    after = build_campaign(engine, "专项", COUNTY, SEP, OCT, as_of=AS_OF)
    check_campaign(engine, after)
    assert after.metric("verified") == 16
    engine.dispose()


def test_typical_cases_are_masked(store: Engine, campaign: Report) -> None:
    typical = campaign.table("typical")
    assert len(typical) >= 3
    raw = {(r["name"], r["id_number"]) for r in case_rows()}
    text = typical.to_string()
    for name, number in raw:
        assert number not in text
        assert name not in text
    assert all(re.fullmatch(r"\d{6}\*{8}\d{3}[\dX]|", v) for v in typical["身份证号码"])


def test_writes_all_formats_without_personal_data(store: Engine, tmp_path: Path) -> None:
    paths = write_campaign_report(store, "秋季专项", COUNTY, SEP, OCT, tmp_path, as_of=AS_OF)
    assert {p.suffix for p in paths.values()} == {".html", ".pdf", ".xlsx"}
    html = paths["html"].read_text(encoding="utf-8")
    assert "秋季专项行动报告" in html and "专项专项" not in html
    for row in case_rows():
        assert row["id_number"] not in html and row["name"] not in html
    book = openpyxl.load_workbook(paths["xlsx"])
    assert book["乡镇排名"].freeze_panes == "A2"
    assert isinstance(book["乡镇排名"]["D2"].value, int)
