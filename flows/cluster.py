"""Where `hecha run-many` runs its counties: Prefect's thread pool in this process, or a Dask cluster.

`--dask-address tcp://HOST:PORT` uses an existing cluster (`dask scheduler` and `dask worker`s,
on one machine or many); `--dask-workers N` starts a local cluster of N single-threaded worker
processes for the run. Every county is one Dask task running the whole monthly flow in a
worker process, reading its inputs from a path every worker sees.

Worker processes report their runs to the same Prefect API as this one: the configured server
(`PREFECT_API_URL`, needed for workers on other machines), else the temporary API this process
starts, whose address Prefect hands to the workers with each task. Without that hand-over each
worker process starts a temporary API of its own (measured here: 5.5 min for three trivial
tasks on 2 workers, against 10 s with one shared API).
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from flows.errors import SettingsError
from hecha.privacy import scrub_error
from hecha.settings import id_salt

if TYPE_CHECKING:
    from prefect.task_runners import TaskRunner

LOCAL_CLUSTER = "distributed.LocalCluster"
CONNECT_TIMEOUT_S = 10
LOOPBACK = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}


def task_runner(address: str | None, workers: int | None) -> TaskRunner[Any] | None:
    """A DaskTaskRunner for the cluster at `address` or a local one of `workers` processes; None keeps the thread pool."""
    if address is None and workers is None:
        return None
    quiet_dask()
    from prefect_dask import DaskTaskRunner

    if address is not None:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(
        cluster_class=LOCAL_CLUSTER,
        cluster_kwargs={"n_workers": workers, "processes": True, "threads_per_worker": 1},
    )


def quiet_dask() -> None:
    """Dask's INFO lines (workers starting, connections closing) stay off the terminal; warnings still show.

    Set in the environment too: the worker processes of a local cluster inherit it.
    """
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")
    logging.getLogger("distributed").setLevel(logging.WARNING)


@contextmanager
def api_for_workers() -> Iterator[str]:
    """The Prefect API URL the workers will report to: the configured one, else a temporary one of this process.

    The temporary server is stopped when this process exits (as Prefect's own is), so the last
    events of the run still find it.
    """
    from prefect.settings import PREFECT_API_URL, temporary_settings

    configured = PREFECT_API_URL.value()
    if configured:
        yield str(configured)
        return
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()
    server.start()
    with temporary_settings({PREFECT_API_URL: server.api_url}):
        yield server.api_url


def worker_facts() -> tuple[str, str]:
    """Run on each worker: its host name and a digest of its identity-number salt, once hecha imports there."""
    importlib.import_module("flows.monthly")  # the whole pipeline, so a missing package shows now, not per county
    return socket.gethostname(), _digest(id_salt())


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _is_loopback(url: str | None) -> bool:
    host = urlsplit(url or "").hostname or ""
    return host in LOOPBACK or host.startswith("127.")


def check_cluster(address: str, db_url: str, api_url: str | None) -> int:
    """Before anything runs: the scheduler answers, has workers that import hecha, and they can share this store.

    Workers on other machines need PostgreSQL (SQLite's locking works on one machine only) and
    a Prefect server they can reach; every worker needs this installation's HECHA_ID_SALT, or
    the store's identity hashes would disagree. Returns the number of workers.
    """
    quiet_dask()
    import distributed

    try:
        client = distributed.Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except Exception as exc:
        raise SettingsError(
            f"--dask-address 无法连接 Dask 调度器 {address}（{CONNECT_TIMEOUT_S} 秒内无响应，请先运行 dask scheduler）/ "
            f"cannot reach the Dask scheduler at {address}: {scrub_error(exc).splitlines()[0]}"
        ) from None
    with client:
        try:
            facts = client.run(worker_facts)
        except Exception as exc:
            raise SettingsError(
                f"Dask worker 无法导入 hecha（每台 worker 机器都需安装同一版本）/ the Dask workers cannot import hecha "
                f"(install the same hecha on every worker): {scrub_error(exc).splitlines()[0]}"
            ) from None
    check_workers(address, facts, socket.gethostname(), db_url, api_url)
    return len(facts)


def check_workers(address: str, facts: dict[str, tuple[str, str]], here: str, db_url: str, api_url: str | None) -> None:
    """The workers' `worker_facts` (by worker address) against this machine `here`, its store and its Prefect API."""
    if not facts:
        raise SettingsError(
            f"Dask 调度器 {address} 没有 worker：请先运行 dask worker {address} / "
            f"the scheduler has no workers: start them with `dask worker {address}`"
        )
    if {salt for _, salt in facts.values()} != {_digest(id_salt())}:
        raise SettingsError(
            "Dask worker 的 HECHA_ID_SALT 与本机不同：案件库中的身份证号哈希会不一致 / "
            "HECHA_ID_SALT differs between this machine and the workers: the store's identity hashes would disagree"
        )
    others = sorted({host for host, _ in facts.values() if host != here})
    if others and db_url.startswith("sqlite"):
        raise SettingsError(
            f"SQLite 案件库只能在一台机器上使用，而 worker 在其他机器上（{'、'.join(others)}）：请用 --db postgresql+psycopg://… / "
            f"a SQLite store works on one machine only and workers run on {', '.join(others)}: use PostgreSQL"
        )
    if others and (api_url is None or _is_loopback(api_url)):
        raise SettingsError(
            f"其他机器上的 worker（{'、'.join(others)}）需要能访问的 Prefect 服务器：请设置 PREFECT_API_URL=http://本机地址:4200/api / "
            "workers on other machines need a Prefect server they can reach: set PREFECT_API_URL to its non-loopback address"
        )
