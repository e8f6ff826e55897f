"""Against a real Prefect server on 127.0.0.1: named and tagged runs, logs and artifacts kept, a durable deployment."""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from prefect_server import VENV_BIN, PrefectServer

from sample import generate_county

COUNTY, PERIOD = "429006", "2026-10"
pytestmark = [pytest.mark.slow]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    srv = PrefectServer(tmp_path_factory.mktemp("prefect"))
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def incoming(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("incoming")
    generate_county(root, COUNTY, PERIOD, households=400, seed=7)
    return root


def _flow_runs(server: PrefectServer, name: str) -> list[dict]:
    return list(server.post("/flow_runs/filter", {"flow_runs": {"name": {"any_": [name]}}}))


def test_a_run_is_named_tagged_logged_and_summarised_in_the_server(
    server: PrefectServer, incoming: Path, tmp_path: Path
) -> None:
    """`hecha run` with PREFECT_API_URL: the server holds `hecha 429006 2026-10`, its tags, task names, logs, artifact."""
    done = server.hecha("run", "--input", str(incoming), "--county", COUNTY, "--period", PERIOD,
                        HECHA_HOME=str(tmp_path / "home"))  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    runs = _flow_runs(server, f"hecha {COUNTY} {PERIOD}")
    assert len(runs) == 1
    run = runs[0]
    assert run["state_type"] == "COMPLETED"
    assert {f"county:{COUNTY}", f"period:{PERIOD}"} <= set(run["tags"])

    tasks = server.post("/task_runs/filter", {"flow_runs": {"id": {"any_": [run["id"]]}}})
    names = {t["name"] for t in tasks}
    assert {"load 读取数据", "linkage 身份识别", "rules 规则核查", "outputs 导出与报告"} <= names
    assert all(f"county:{COUNTY}" in t["tags"] for t in tasks)

    logs = server.post("/logs/filter", {"logs": {"flow_run_id": {"any_": [run["id"]]}}, "limit": 200})
    messages = [entry["message"] for entry in logs]
    assert any("开始 load" in m for m in messages), messages[:10]
    assert any("完成 outputs" in m for m in messages)

    artifacts = server.post("/artifacts/filter", {"artifacts": {"flow_run_id": {"any_": [run["id"]]}}})
    kinds = {a["type"]: a for a in artifacts}
    assert set(kinds) >= {"markdown", "table"}
    markdown = kinds["markdown"]["data"]
    assert markdown.startswith(f"# 核查运行 {COUNTY} {PERIOD}")
    assert "估计每月多发" in markdown and "## 按乡镇" in markdown and "| 乡镇 |" in markdown
    assert "](file://" in markdown and "monthly-429006-2026-10.html" in markdown


def test_the_monthly_deployment_is_durable_and_defaults_to_last_month_in_the_bureaus_time_zone(
    server: PrefectServer, incoming: Path, tmp_path: Path
) -> None:
    """`hecha schedule` stores cron, time zone and parameters; a worker runs a fired run for the month before."""
    home = str(tmp_path / "home")
    done = server.hecha("schedule", "--input", str(incoming), "--counties", COUNTY, "--cron", "0 6 2 * *",
                        "--timezone", "Asia/Shanghai", HECHA_HOME=home)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "prefect worker start --pool hecha" in done.stdout

    server.restart()  # the deployment and its schedule live in the server's database
    [deployment] = server.post("/deployments/filter", {"deployments": {"name": {"any_": ["hecha-monthly"]}}})
    assert deployment["paused"] is False and deployment["work_pool_name"] == "hecha"
    [schedule] = deployment["schedules"]
    assert schedule["active"] and schedule["schedule"]["cron"] == "0 6 2 * *"
    assert schedule["schedule"]["timezone"] == "Asia/Shanghai"
    assert deployment["parameters"]["counties"] == [COUNTY] and "period" not in deployment["parameters"]
    period = deployment["parameter_openapi_schema"]["properties"]["period"]
    assert period["default"] is None

    # Fired at 2026-11-01 22:30 UTC = 2 November 06:30 in Shanghai: it reconciles October.
    fired = dt.datetime(2026, 11, 1, 22, 30, tzinfo=dt.UTC).isoformat()
    created = server.post(
        f"/deployments/{deployment['id']}/create_flow_run",
        {"state": {"type": "SCHEDULED", "state_details": {"scheduled_time": fired}}},
    )
    worker = subprocess.run(
        [str(VENV_BIN / "prefect"), "worker", "start", "--pool", "hecha", "--run-once"],
        env=server.env(HECHA_HOME=home, PREFECT_WORKER_QUERY_SECONDS="2"), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert worker.returncode == 0, worker.stdout[-3000:]
    parent = server.get(f"/flow_runs/{created['id']}")
    assert parent["state_type"] == "COMPLETED", worker.stdout[-3000:]
    assert parent["name"] == f"hecha {PERIOD} {COUNTY}"
    [child] = [r for r in _flow_runs(server, f"hecha {COUNTY} {PERIOD}") if r["parent_task_run_id"]]
    assert child["state_type"] == "COMPLETED" and f"period:{PERIOD}" in child["tags"]


def test_period_default_follows_the_bureaus_calendar() -> None:
    """At 01:00 on 1 December in Shanghai it is still 30 November in UTC: the month due is November."""
    from flows.periods import period_due

    fired = dt.datetime(2026, 11, 30, 17, 0, tzinfo=dt.UTC)
    assert period_due(fired, "Asia/Shanghai") == "2026-11"
    assert period_due(fired, "UTC") == "2026-10"
