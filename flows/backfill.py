"""Backfill: past months of one county, one after another in calendar order.

Order matters: a case's carry-over and "resolved by data" are judged against the month
before, so month N runs only after month N-1 has finished; a failed month stops the backfill.
"""

from __future__ import annotations

from prefect import flow

from flows.monthly import monthly_reconciliation
from flows.naming import tagged
from flows.periods import months
from hecha.summary import RunSummary


@flow(name="hecha-backfill", flow_run_name="hecha backfill {county} {period_from}..{period_to}", log_prints=True)
def backfill(
    input_root: str,
    county: str,
    period_from: str,
    period_to: str,
    db_url: str | None = None,
    policy_path: str | None = None,
    output_root: str | None = None,
) -> dict[str, RunSummary]:
    """Every month from `period_from` to `period_to` as its own tagged flow run, in order."""
    done: dict[str, RunSummary] = {}
    for period in months(period_from, period_to):
        with tagged(county, period):
            done[period] = monthly_reconciliation(input_root, county, period, db_url, policy_path, output_root)
    return done
