"""Production: a monthly deployment registered on a Prefect server, run by a process worker.

`hecha schedule` stores the deployment and its cron schedule in the server's database (so it
survives restarts of the server, the worker and the machine) in a `process` work pool; a
`prefect worker start --pool hecha` kept running as a system service runs each scheduled
run in a fresh process (deploy/systemd/ has example unit files). The month is a flow
parameter: empty, it is the month before the run's *scheduled* time in the bureau's time zone.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path
from typing import Any, cast
from uuid import UUID

from prefect import Flow, flow
from prefect.schedules import Cron

from flows.monthly import reconcile_counties
from flows.periods import period_due
from flows.province import CountyOutcome

DEPLOYMENT = "hecha-monthly"
WORK_POOL = "hecha"
ENTRYPOINT = "flows/schedule.py:reconcile_previous_month"
SOURCE = Path(__file__).resolve().parent.parent  # the folder holding flows/, checks/, ...


def _scheduled_at() -> dt.datetime:
    from prefect.runtime import flow_run

    return dt.datetime.fromisoformat(str(flow_run.scheduled_start_time))


def _run_name() -> str:
    from prefect.runtime import flow_run

    params = flow_run.parameters
    period = params.get("period") or period_due(_scheduled_at(), params.get("timezone", "Asia/Shanghai"))
    return f"hecha {period} " + ",".join(params.get("counties", []))


@flow(name="hecha-monthly-scheduled", flow_run_name=_run_name, log_prints=True)
def reconcile_previous_month(
    input_root: str,
    counties: list[str],
    period: str | None = None,
    timezone: str = "Asia/Shanghai",
    db_url: str | None = None,
    policy_path: str | None = None,
) -> dict[str, CountyOutcome]:
    """Reconcile `period` (default: the month before the scheduled time, in `timezone`) for every county."""
    month = period or period_due(_scheduled_at(), timezone)
    return reconcile_counties(input_root, counties, month, db_url, policy_path)


def ensure_work_pool(name: str = WORK_POOL) -> None:
    """A `process` work pool: a worker on this machine runs each flow run as a subprocess."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectAlreadyExists

    with get_client(sync_client=True) as client, contextlib.suppress(ObjectAlreadyExists):  # registered: keep it
        client.create_work_pool(WorkPoolCreate(name=name, type="process"))


def register_monthly(
    input_root: str,
    counties: list[str],
    cron: str,
    timezone: str,
    db_url: str | None,
    policy_path: str | None,
    work_pool: str = WORK_POOL,
) -> UUID:
    """Create or update the `hecha-monthly` deployment with its cron schedule; returns its id."""
    ensure_work_pool(work_pool)
    remote = cast(Flow[..., Any], reconcile_previous_month.from_source(source=str(SOURCE), entrypoint=ENTRYPOINT))
    deployment = remote.deploy(
        name=DEPLOYMENT,
        work_pool_name=work_pool,
        schedules=[Cron(cron, timezone=timezone)],
        parameters={
            "input_root": input_root,
            "counties": counties,
            "timezone": timezone,
            "db_url": db_url,
            "policy_path": policy_path,
        },
        tags=["hecha"],
        description="每月核查上月数据 reconcile last month for every listed county",
        print_next_steps=False,
    )
    return cast(UUID, deployment)  # sync in a sync caller
