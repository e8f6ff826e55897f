"""Prefect artifacts: nothing outside a flow run; a digest and an int-only table inside one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from reports.artifacts import findings_rows, publish_run_artifacts

SUMMARY = {
    "county": "429006",
    "period": "2026-10",
    "findings": {"DECEASED_PAID": np.int64(3), "MISSED_DIBAO": np.int64(2)},
    "cases": {"new": 2, "carried_over": 3, "resolved_by_data": 1, "total_open": 5},
    "checks": {"passed": 10, "failed": 1, "not_run": 2},
    "rules_not_run": {"VEHICLE_OWNED": "缺少机动车登记"},
}


def test_outside_a_flow_run_it_does_nothing() -> None:
    assert publish_run_artifacts(SUMMARY, {"html": Path("r.html")}) == []


def test_table_rows_hold_plain_ints() -> None:
    rows = findings_rows(SUMMARY)
    assert [type(r["数量"]) for r in rows] == [int, int]
    assert rows[0]["名称"] == "死亡人员仍在领取"


@pytest.mark.slow
def test_inside_a_flow_run_it_creates_both_artifacts(tmp_path: Path) -> None:
    from prefect import flow
    from prefect.testing.utilities import prefect_test_harness

    @flow
    def monthly() -> list[object]:
        return list(publish_run_artifacts(SUMMARY, {"html": tmp_path / "r.html"}))

    with prefect_test_harness(server_startup_timeout=120):  # a loaded 2-core box starts it slowly
        ids = monthly()
    assert len(ids) == 2
