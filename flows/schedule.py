"""Production deployment: run last month's reconciliation for each county on a monthly cron.

Needs a Prefect server (`prefect server start`, with PREFECT_API_URL pointing at it);
`hecha schedule` then serves this deployment and a worker-less process runs it each month.
"""

from __future__ import annotations

import datetime as dt

from prefect import flow
from prefect.schedules import Cron

from flows.monthly import reconcile_counties
from hecha.summary import RunSummary


def previous_period(today: dt.date) -> str:
    """The county-month to reconcile on `today`: the month before."""
    first = today.replace(day=1)
    last_month = first - dt.timedelta(days=1)
    return f"{last_month.year:04d}-{last_month.month:02d}"


@flow(name="hecha-monthly-scheduled", log_prints=True)
def reconcile_previous_month(
    input_root: str, counties: list[str], db_url: str | None = None, policy_path: str | None = None
) -> dict[str, RunSummary]:
    period = previous_period(dt.date.today())
    return reconcile_counties(input_root, counties, period, db_url, policy_path)


def serve_monthly(
    input_root: str, counties: list[str], cron: str, timezone: str, db_url: str | None, policy_path: str | None
) -> None:
    reconcile_previous_month.serve(
        name="hecha-monthly",
        schedules=[Cron(cron, timezone=timezone)],
        parameters={"input_root": input_root, "counties": counties, "db_url": db_url, "policy_path": policy_path},
    )
