"""The data checks as a trend over the months, from the history each run keeps in the store."""

from __future__ import annotations

from report_fixtures import COUNTY, OCT, SEP, summary
from sqlalchemy import Engine

from reports.check_trend import check_history, trend_table
from reports.monthly import build_monthly


def test_history_takes_each_months_latest_succeeded_run(store: Engine) -> None:
    """September and October, each from its latest succeeded run; a failed later run and other counties do not count."""
    history = check_history(store, COUNTY, OCT)
    assert [h["period"] for h in history] == [SEP, OCT]
    expected = summary(OCT, "r-oct", villages=False)["checks"]
    october = history[-1]
    assert (october["passed"], october["failed"], october["not_run"]) == (
        expected["passed"],
        expected["failed"],
        expected["not_run"],
    )
    assert october["failed_by_source"] == {"roll": 1}
    assert [h["period"] for h in check_history(store, COUNTY, SEP)] == [SEP]


def test_trend_shows_the_change_from_month_to_month() -> None:
    """Failures up, down or level against the month before, with the sources that failed, in Chinese."""
    months = [
        {"period": "2026-08", "passed": 30, "failed": 1, "not_run": 0, "blocking_failed": 0, "failed_by_source": {"roll": 1}},
        {"period": "2026-09", "passed": 28, "failed": 3, "not_run": 0, "blocking_failed": 1,
         "failed_by_source": {"roll": 2, "deaths": 1}},
        {"period": "2026-10", "passed": 31, "failed": 3, "not_run": 1, "blocking_failed": 0, "failed_by_source": {}},
    ]  # fmt: skip
    table = trend_table(months)
    assert list(table["未通过较上月"]) == ["—", "↑ 2", "持平"]
    assert table.loc[1, "未通过的数据源"] == "死亡人员 1、救助发放名册 2"  # sorted by source code
    assert table.loc[2, "未通过的数据源"] == "—"


def test_the_monthly_report_carries_the_trend(store: Engine) -> None:
    """The monthly report's first section has the trend, one row per month so far."""
    report = build_monthly(store, COUNTY, OCT)
    [table] = [t for s in report.sections for t in s.tables if t.key == "check_trend"]
    assert list(table.frame["月份"]) == [SEP, OCT]
