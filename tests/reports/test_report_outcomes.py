"""Outcomes by town and by rule: every figure recounted from the case-store tables with plain SQL."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from report_fixtures import COUNTY, NOTIFIED, OCT, OVERDUE_CUTOFF, SEP, case_of
from report_truth import NEGATIVE, POSITIVE, campaign_ids, case_attrs, latest_decisions, money, month_obs, rows
from sqlalchemy import Engine

from hecha.labels import finding_zh
from reports.campaign import build_campaign
from reports.monthly import build_monthly

AS_OF = OVERDUE_CUTOFF + dt.timedelta(days=30)


def notified(engine: Engine) -> set[str]:
    return {r[0] for r in rows(engine, "SELECT DISTINCT case_id FROM case_events WHERE kind = 'notified'")}


def check_outcomes(engine: Engine, table_town: object, table_rule: object, ids: set[str]) -> None:
    attrs = case_attrs(engine, COUNTY)
    latest = {c: d for c, d in latest_decisions(engine, COUNTY).items() if c in ids}
    told = notified(engine) & ids
    for frame, key, label in ((table_town, "town", "乡镇"), (table_rule, "finding", "规则")):
        by = frame.set_index(label)  # type: ignore[attr-defined]
        groups = Counter(getattr(attrs[c], key) for c in ids)
        for group, n in groups.items():
            name = finding_zh(group) if key == "finding" else group
            members = {c for c in ids if getattr(attrs[c], key) == group}
            pos = sum(latest.get(c) in POSITIVE for c in members)
            neg = sum(latest.get(c) in NEGATIVE for c in members)
            assert by.loc[name, "线索"] == n
            assert by.loc[name, "已告知"] == len(told & members)
            assert by.loc[name, "已核查"] == sum(c in latest for c in members)
            assert (by.loc[name, "属实"], by.loc[name, "误报"]) == (pos, neg)
            if pos + neg:
                assert by.loc[name, "准确率"] == pytest.approx(pos / (pos + neg))
            totals = money(engine, COUNTY, members)
            assert by.loc[name, "停发（元/月）"] == pytest.approx(totals.get("monthly_amount_stopped", 0))
            assert by.loc[name, "追回（元）"] == pytest.approx(totals.get("amount_recovered", 0))
            assert by.loc[name, "补发（元）"] == pytest.approx(totals.get("back_pay", 0))
        assert by.loc["合计", "线索"] == len(ids)
        assert by.loc["合计", "已告知"] == len(told)


def test_monthly_outcomes_by_town_and_rule(store: Engine) -> None:
    report = build_monthly(store, COUNTY, OCT, as_of=AS_OF)
    ids = {o.case_id for o in month_obs(store, COUNTY, OCT)}
    check_outcomes(store, report.table("outcomes_by_town"), report.table("outcomes_by_rule"), ids)
    assert report.metric("decided") == sum(c in ids for c in latest_decisions(store, COUNTY))
    assert len(notified(store)) == len(NOTIFIED) and case_of(NOTIFIED[0]) in notified(store)


def test_campaign_outcomes_by_town_and_rule(store: Engine) -> None:
    report = build_campaign(store, "专项", COUNTY, SEP, OCT, as_of=AS_OF)
    ids = campaign_ids(store, COUNTY, SEP, OCT)
    check_outcomes(store, report.table("outcomes_by_town"), report.table("precision"), ids)


def test_decided_within_the_deadline(store: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Share decided within N days of the flag (HECHA_RESPONSE_DEADLINE_DAYS), by month first flagged."""
    first = dict(rows(store, "SELECT case_id, min(at) FROM case_events WHERE kind = 'decision' GROUP BY case_id"))
    attrs = case_attrs(store, COUNTY)
    for days in (10, 90):
        monkeypatch.setenv("HECHA_RESPONSE_DEADLINE_DAYS", str(days))
        timely = build_campaign(store, "专项", COUNTY, SEP, OCT, as_of=AS_OF).table("timeliness").set_index("月份")
        for period in (SEP, OCT):
            ids = {
                c
                for c in campaign_ids(store, COUNTY, SEP, OCT)
                if rows(store, "SELECT first_period FROM cases WHERE case_id = :c", c=c)[0][0] == period
            }
            decided = [c for c in ids if c in first]
            in_time = sum(
                dt.datetime.fromisoformat(str(first[c])) - dt.datetime.fromisoformat(str(attrs[c].created_at))
                <= dt.timedelta(days=days)
                for c in decided
            )
            assert timely.loc[period, "已核查"] == len(decided)
            assert timely.loc[period, f"{days}天内核查"] == in_time
