"""The gate plan and the report logic, without running Great Expectations."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from checks.datadocs import offline_html
from checks.expectations import quarantine_gate
from checks.plan import period_end, plan
from checks.report import CheckReport, CheckResult
from hecha.contract import SOURCES
from hecha.dataset import QUARANTINE_COLUMNS, Dataset
from hecha.exceptions import DataQualityError
from hecha.policy import ChecksPolicy, load_policy


def test_policy_defaults_match_yaml() -> None:
    """The checks section of default_policy.yaml loads into ChecksPolicy with the new thresholds."""
    assert load_policy().checks == ChecksPolicy()


def test_period_end() -> None:
    assert period_end("2026-02") == pd.Timestamp("2026-02-28")
    assert period_end("2026-12") == pd.Timestamp("2026-12-31")


def test_plan_is_data() -> None:
    """Roll: ID validity at the policy threshold, blocking; DUPLICATE_ENROLMENT reported, not blocking."""
    policy = ChecksPolicy(min_id_valid_share=0.95)
    roll = {s.key: s for s in plan(SOURCES["roll"], policy, "2026-10")}
    assert roll["id_valid_share(id_number)"].kwargs["mostly"] == 0.95 and roll["id_valid_share(id_number)"].blocking
    assert not roll["unique(program,id_number)"].blocking
    assert roll["has_rows"].blocking and "has_rows" not in {s.key for s in plan(SOURCES["deaths"], policy, "2026-10")}
    assert roll["period_matches(period)"].kwargs["value_set"] == ["2026-10"]
    deaths = {s.key: s for s in plan(SOURCES["deaths"], policy, "2026-10")}
    assert deaths["date_not_after_period(death_date)"].kwargs["max_value"] == pd.Timestamp("2026-10-31")
    assert not deaths["id_valid_share(id_number)"].blocking
    assert deaths["id_valid_share(id_number)"].kwargs["mostly"] == policy.min_id_valid_share_other


def _dataset(rows_read: int, quarantined: int) -> Dataset:
    lines = [["roll", "roll.csv", i + 2, "amount", "x", "r", "quarantined"] for i in range(quarantined)]
    lines.append(["roll", "roll.csv", 99, "id_number", "", "r", "kept_flagged"])
    return Dataset(
        "429006", "2026-10", Path("."), {}, rows_read={"roll": rows_read},
        quarantine=pd.DataFrame(lines, columns=QUARANTINE_COLUMNS),
    )  # fmt: skip


@pytest.mark.parametrize(("quarantined", "status"), [(5, "passed"), (6, "failed")])
def test_quarantine_gate(quarantined: int, status: str) -> None:
    """At most 5% of a required source may be quarantined; flagged rows do not count."""
    result = quarantine_gate(_dataset(100, quarantined), "roll", ChecksPolicy())
    assert result.status == status and result.blocking
    assert result.observed == {"quarantined": quarantined, "rows_read": 100, "share": quarantined / 100}


def test_report_counts_and_reason() -> None:
    results = [
        CheckResult("roll", "a", "甲 / A", "passed", True),
        CheckResult("roll", "b", "乙 / B", "failed", True, {"unexpected_count": 3}),
        CheckResult("roll", "c", "丙 / C", "failed", False),
        CheckResult("deaths", "d", "丁 / D", "not_run", True),
    ]
    report = CheckReport("429006", "2026-10", results)
    assert report.counts == {"passed": 1, "failed": 2, "not_run": 1, "blocking_failed": 1}
    assert "[roll] 乙 / B" in report.reason and '"unexpected_count": 3' in report.reason
    with pytest.raises(DataQualityError, match="1 blocking data-quality checks failed"):
        report.raise_if_blocking()


def test_offline_html_strips_network_assets() -> None:
    html = (
        '<html><head><link rel="stylesheet" href="https://cdn.example/b.css"/>'
        '<script src="https://cdn.example/j.js"></script><link href="static/local.css" rel="stylesheet">'
        '</head><body><img src="https://x/logo.png"><a href="https://docs">docs</a></body></html>'
    )
    out = offline_html(html)
    assert "cdn.example" not in out and "x/logo.png" not in out
    assert "static/local.css" in out and 'href="https://docs"' in out and "<style>" in out
