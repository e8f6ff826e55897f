"""A real `prefect server start` on 127.0.0.1 for tests: started in its own home, bounded in time, torn down."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
STARTUP_SECONDS = 90
# What Prefect's own client retries on: the server answers 503 while its SQLite database is busy
# (prefect/server/api/server.py, is_client_retryable_exception), 429 and 502 under load.
RETRY_STATUSES = {429, 502, 503}
RETRY_DELAYS = (0.5, 1, 2, 4, 8, 8)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PrefectServer:
    """One server process; `restart()` stops it and starts it again on the same database."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.port = free_port()
        self.api = f"http://127.0.0.1:{self.port}/api"
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = home / "server.log"

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of a process that talks to this server (logs to the API are on)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
        env |= {
            "PREFECT_API_URL": self.api,
            "PREFECT_HOME": str(self.home / "client"),
            "DO_NOT_TRACK": "1",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PYTHONPATH": str(ROOT),
        }
        return env | extra

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
        env |= {
            "PREFECT_HOME": str(self.home / "server"),
            "DO_NOT_TRACK": "1",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_UI_ENABLED": "false",
        }
        cmd = [str(VENV_BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(self.port)]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"prefect server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.api}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"prefect server not up after {STARTUP_SECONDS} s")

    def stop(self) -> None:
        if self.proc is None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)  # the server and the services it started
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """One API call, retried the way Prefect's client retries (busy database, overload)."""
        for delay in (*RETRY_DELAYS, None):
            response = httpx.request(method, f"{self.api}{path}", json=body, timeout=30)
            if response.status_code not in RETRY_STATUSES or delay is None:
                break
            time.sleep(delay)
        response.raise_for_status()
        return response.json()

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self.request("POST", path, body)

    def get(self, path: str) -> Any:
        return self.request("GET", path)

    def hecha(self, *args: str, timeout: float = 240, **env: str) -> subprocess.CompletedProcess[str]:
        """`hecha …` as a separate process reporting to this server."""
        return subprocess.run(
            [sys.executable, "-m", "flows.cli", *args],
            env=self.env(**env),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
