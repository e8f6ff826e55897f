"""A province on Dask: `hecha run-many --dask-address` runs each county in a worker process of the cluster.

A 2-worker `LocalCluster` (processes) stands in for the province's cluster; the counties write
one SQLite file from both worker processes at once (the store's busy timeout and write lock).
The two `slow` tests run real counties in fresh worker processes; the others need no Prefect.
"""

from __future__ import annotations

import os
import pickle
import re
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa

from flows import cli
from flows.cli import main
from flows.province import CountiesFailedError, CountyOutcome, county_error, failed, format_outcomes
from hecha.exceptions import MissingSourceError
from sample import generate_county

PERIOD = "2026-10"
COUNTIES = ("429006", "429005", "429004")
ID_NUMBER = "42010519491231002X"


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """Two single-threaded worker processes; the test talks to them through its own client."""
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0") as lc,
        distributed.Client(lc, set_as_default=False) as client,
    ):
        yield client


@pytest.fixture(scope="module")
def incoming(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("incoming")
    for seed, county in enumerate(COUNTIES, start=21):
        generate_county(root, county, PERIOD, households=400, seed=seed)
    return root


def _runs(db_url: str) -> pd.DataFrame:
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        runs = pd.read_sql("select county, period, status, pid, host, summary from runs order by county", conn)
    engine.dispose()
    return runs


def _run_many(root: Path, counties: list[str], db_url: str, address: str) -> int:
    return main(["run-many", "--input", str(root), "--counties", ",".join(counties), "--period", PERIOD,
                 "--db", db_url, "--dask-address", address])  # fmt: skip


def _county_tasks(client: Any, since: int) -> list[dict[str, Any]]:
    """Tasks the scheduler ran after `since` (an index into its task stream)."""
    return list(client.run_on_scheduler(lambda dask_scheduler: dask_scheduler.get_task_stream())[since:])


def _task_stream_index(client: Any) -> int:
    return int(client.run_on_scheduler(lambda dask_scheduler: dask_scheduler.get_task_stream_index()))


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HECHA_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.mark.slow
def test_three_counties_run_on_the_cluster_workers(
    prefect_harness: None, cluster: Any, incoming: Path, home: Path, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """Every county succeeds, in a worker process of the cluster (not this one), and the table says so."""
    db_url = f"sqlite:///{tmp_path / 'province.db'}"
    since = _task_stream_index(cluster)
    assert _run_many(incoming, list(COUNTIES), db_url, cluster.scheduler.address) == 0
    out = capsys.readouterr().out

    runs = _runs(db_url)
    assert list(runs["county"]) == sorted(COUNTIES)
    assert (runs["status"] == "succeeded").all(), runs[["county", "status"]]
    worker_pids = set(cluster.run(os.getpid).values())
    assert set(runs["pid"]) <= worker_pids and os.getpid() not in set(runs["pid"])

    tasks = _county_tasks(cluster, since)
    assert len(tasks) == len(COUNTIES), [t["key"] for t in tasks]
    assert all(t["status"] == "OK" for t in tasks)
    assert {t["worker"] for t in tasks} == set(cluster.scheduler_info()["workers"])  # both workers took counties

    assert "合计 3 个县：成功 3，失败 0" in out
    for county in COUNTIES:
        assert any(line.startswith(county) and "成功 succeeded" in line for line in out.splitlines()), out[-2000:]
    assert (home / "runs" / "429004" / PERIOD).is_dir()  # run folders where this machine said, not the workers' cwd


@pytest.mark.slow
def test_a_broken_county_fails_alone_and_is_reported(
    prefect_harness: None, cluster: Any, incoming: Path, home: Path, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """A county whose roll is missing fails; the other two still succeed; the table names the error; exit 1."""
    root = tmp_path / "incoming"
    for county in COUNTIES:
        shutil.copytree(incoming / county, root / county)
    for roll in (root / "429005" / PERIOD).glob("roll.*"):
        roll.unlink()
    db_url = f"sqlite:///{tmp_path / 'province.db'}"
    since = _task_stream_index(cluster)

    assert _run_many(root, list(COUNTIES), db_url, cluster.scheduler.address) == 1
    captured = capsys.readouterr()

    runs = _runs(db_url).set_index("county")
    assert runs.loc["429005", "status"] == "failed"
    assert (runs.loc[["429004", "429006"], "status"] == "succeeded").all()
    assert len(_county_tasks(cluster, since)) == len(COUNTIES)

    table = captured.out.splitlines()
    failed = [line for line in table if line.startswith("429005")]
    assert len(failed) == 1 and "失败 failed" in failed[0]
    assert "MissingSourceError" in failed[0] and "roll" in failed[0]
    assert "合计 3 个县：成功 2，失败 1" in captured.out


def test_a_county_error_comes_back_from_a_worker_scrubbed() -> None:
    """The county's error crosses as a scrubbed plain message with its time (hecha's own did not unpickle there)."""
    original = MissingSourceError("roll", "救助发放名册", f"/data/{ID_NUMBER}")
    back = pickle.loads(pickle.dumps(county_error(original, 12.34)))
    outcome = failed("429005", "2026-10", back)
    assert outcome.state == "failed" and outcome.seconds == 12.3
    assert outcome.error is not None and outcome.error.startswith("MissingSourceError: 缺少必需数据源")
    assert ID_NUMBER not in outcome.error and "420105********002X" in outcome.error


def test_the_table_names_every_county_and_the_failed_ones() -> None:
    """County, state, open cases, seconds, error: one line each, then the totals; the run error names the failed."""
    outcomes = {
        "429006": CountyOutcome("429006", PERIOD, "succeeded", 41.5, summary={"cases": {"total_open": 17}}),
        "429005": failed("429005", PERIOD, OSError(f"disk gone, owner {ID_NUMBER}")),
    }
    lines = format_outcomes(outcomes).splitlines()
    assert lines[0].split()[:2] == ["县", "county"]
    assert lines[1].split() == ["429006", "成功", "succeeded", "17", "41.5"]
    assert lines[2].split()[:5] == ["429005", "失败", "failed", "-", "-"] and "OSError: disk gone" in lines[2]
    assert ID_NUMBER not in lines[2]
    assert lines[3] == "合计 2 个县：成功 1，失败 1 / 2 counties: 1 succeeded, 1 failed"
    error = pickle.loads(pickle.dumps(CountiesFailedError(outcomes)))
    assert str(error).endswith("1 of 2 counties failed: 429005") and set(error.outcomes) == set(outcomes)


@pytest.fixture()
def no_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """Validation must refuse before the counties start; returns the argv of a valid run-many."""

    def never(args: object) -> int:
        raise AssertionError("the run started despite a bad argument")

    monkeypatch.setattr(cli, "_run_many", never)
    (tmp_path / "429006" / PERIOD).mkdir(parents=True)
    return ["run-many", "--input", str(tmp_path), "--counties", "429006", "--period", PERIOD,
            "--db", f"sqlite:///{tmp_path / 'h.db'}"]  # fmt: skip


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--dask-address", "10.0.0.5:8786"], "--dask-address must be a Dask scheduler address tcp://HOST:PORT"),
        (["--dask-address", "tcp://10.0.0.5:99999"], "--dask-address must be a Dask scheduler address"),
        (["--dask-address", "http://10.0.0.5:8786"], "--dask-address must be a Dask scheduler address"),
        (["--dask-workers", "0"], "--dask-workers must be a whole number"),
        (["--dask-workers", "two"], "--dask-workers must be a whole number"),
        (["--dask-workers", "2", "--dask-address", "tcp://10.0.0.5:8786"], "not both"),
        (["--dask-address", "tcp://127.0.0.1:{port}"], "cannot reach the Dask scheduler at tcp://127.0.0.1:"),
    ],
)
def test_dask_options_are_checked_before_anything_runs(
    no_run: list[str], capsys: pytest.CaptureFixture[str], extra: list[str], expected: str
) -> None:
    """A malformed address, a bad worker count, both flags, or a scheduler that does not answer: exit 2, one line."""
    argv = no_run + [x.format(port=_free_port()) for x in extra]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("错误 error: ") and err.count("\n") == 0 and "Traceback" not in err
    assert expected in err
    assert re.search("[\u4e00-\u9fff]", err.split(" / ")[0])  # the Chinese half is there too


def test_workers_elsewhere_need_postgresql_a_reachable_prefect_server_and_the_same_salt(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """SQLite's locks work on one machine; remote workers cannot report to 127.0.0.1; a different salt splits identities."""
    from flows.cluster import check_workers, worker_facts
    from flows.errors import SettingsError

    here = worker_facts()  # this machine's host name and salt digest, as a worker here would report them
    remote = {"tcp://10.0.0.7:4000": ("county-node-7", here[1])}
    pg, server = "postgresql+psycopg://hecha@db/hecha", "http://10.0.0.5:4200/api"
    check_workers("tcp://10.0.0.5:8786", {"tcp://127.0.0.1:4000": here}, here[0], "sqlite:///x.db", None)
    check_workers("tcp://10.0.0.5:8786", remote, here[0], pg, server)
    cases = [
        ({}, pg, server, "the scheduler has no workers"),
        (remote, "sqlite:////data/hecha.db", server, "a SQLite store works on one machine only"),
        (remote, pg, None, "workers on other machines need a Prefect server"),
        (remote, pg, "http://127.0.0.1:4200/api", "workers on other machines need a Prefect server"),
    ]
    for facts, db, api, expected in cases:
        with pytest.raises(SettingsError, match=expected):
            check_workers("tcp://10.0.0.5:8786", facts, here[0], db, api)
    monkeypatch.setenv("HECHA_ID_SALT", "another-salt")
    with pytest.raises(SettingsError, match="HECHA_ID_SALT differs"):
        check_workers("tcp://10.0.0.5:8786", {"tcp://127.0.0.1:4000": here}, here[0], pg, server)


def test_the_flags_choose_the_task_runner() -> None:
    """No flag: the flow's thread pool; an address: that cluster; a count: a local cluster of single-threaded processes."""
    from prefect_dask import DaskTaskRunner

    from flows.cluster import task_runner

    assert task_runner(None, None) is None
    existing = task_runner("tcp://10.0.0.5:8786", None)
    assert isinstance(existing, DaskTaskRunner) and existing.address == "tcp://10.0.0.5:8786"
    local = task_runner(None, 3)
    assert isinstance(local, DaskTaskRunner) and local.address is None
    assert local.cluster_class == "distributed.LocalCluster"
    assert local.cluster_kwargs == {"n_workers": 3, "processes": True, "threads_per_worker": 1}
