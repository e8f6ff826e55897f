"""Prefect's temporary API boots on the other core while the run's libraries import, so the two overlap.

Without PREFECT_API_URL every `hecha run` needs Prefect's temporary server: a uvicorn subprocess
serving Prefect's API over a SQLite database in PREFECT_HOME. Prefect starts it itself when the
first flow begins, but only after importing its whole server in this process (about 3 s) and then
waiting for the boot. So the CLI starts the same server command itself, before Prefect is imported,
and points PREFECT_API_URL at it; the run's own imports (pandas, scikit-learn, Great Expectations,
WeasyPrint) then run while the server boots, and the first flow finds it ready.

A new PREFECT_HOME would also make the server run Prefect's ~150 database migrations first (about
5 s). `scripts/setup.sh` migrates one empty database per installed Prefect version
(`python -m flows.warmup --template`), and a new home starts from a copy of it.
"""

from __future__ import annotations

import argparse
import atexit
import importlib.metadata
import importlib.util
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from hecha.exceptions import HechaError
from hecha.settings import prefect_api_url

_server: subprocess.Popen[bytes] | None = None
_booting: threading.Thread | None = None  # Prefect's own server, when Prefect was imported before the CLI asked


class TemporaryApiError(HechaError):
    """Prefect's temporary server did not come up."""


def template_path() -> Path:
    """The migrated empty Prefect database for the installed Prefect version (inside this environment)."""
    version = importlib.metadata.version("prefect")
    return Path(sys.prefix) / "share" / "hecha" / f"prefect-{version}.db"


def make_template() -> Path:
    """Run Prefect's migrations on an empty database once and keep it as the template (setup time)."""
    target = template_path()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "prefect.db"
        env = os.environ | {"PREFECT_HOME": tmp, "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{db}"}
        code = "import asyncio; from prefect.server.database import provide_database_interface as p; asyncio.run(p().create_db())"
        subprocess.run([sys.executable, "-c", code], env=env, check=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        with sqlite3.connect(db) as con:  # one self-contained file, whatever journal mode Prefect left
            con.execute("VACUUM INTO ?", (str(partial),))
        partial.replace(target)
    return target


def seed_home(home: Path) -> bool:
    """Give a new PREFECT_HOME a copy of the migrated template; False if it has a database or no template exists."""
    if os.environ.get("PREFECT_API_DATABASE_CONNECTION_URL") or os.environ.get(
        "PREFECT_SERVER_DATABASE_CONNECTION_URL"
    ):
        return False  # a database of the user's choosing
    db, template = home / "prefect.db", template_path()
    if db.exists() or not template.is_file():
        return False
    partial = db.with_suffix(".partial")
    shutil.copyfile(template, partial)
    partial.replace(db)
    return True


def profile_names_a_server(home: Path) -> bool:
    """Whether the Prefect profiles of this home mention PREFECT_API_URL (then no temporary server is ours to start)."""
    profiles = home / "profiles.toml"
    return profiles.is_file() and "PREFECT_API_URL" in profiles.read_text(encoding="utf-8", errors="replace")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_temporary_api() -> None:
    """Start Prefect's temporary server in the background (no-op with a configured server)."""
    global _server
    if prefect_api_url() is not None or _server is not None or _booting is not None:
        return
    if "prefect" in sys.modules:  # its settings are already read: only its own temporary server can be used
        _start_prefects_own()
        return
    home = Path(os.environ["PREFECT_HOME"]).expanduser()
    if profile_names_a_server(home):
        return  # a server named in a Prefect profile: Prefect reads it, and this must not override it
    seed_home(home)
    spec = importlib.util.find_spec("prefect")
    assert spec is not None and spec.submodule_search_locations
    port = _free_port()
    # The command and settings Prefect's SubprocessASGIServer uses for its temporary server.
    cmd = [sys.executable, "-m", "uvicorn", "--app-dir", str(Path(spec.submodule_search_locations[0]).parent),
           "--factory", "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(port),
           "--log-level", "error", "--lifespan", "on"]  # fmt: skip
    env = os.environ | {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
    _server = subprocess.Popen(cmd, env=env)
    atexit.register(stop_temporary_api)
    os.environ["PREFECT_API_URL"] = f"http://127.0.0.1:{port}/api"  # read by Prefect when it is imported


def wait_for_temporary_api() -> None:
    """Block until the server answers its health check; a clear error if it exits or never answers."""
    if _booting is not None:
        _booting.join()
    if _server is None:
        return
    url = f"{os.environ['PREFECT_API_URL']}/health"
    deadline = time.monotonic() + float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS") or 120)
    while time.monotonic() < deadline:
        if _server.poll() is not None:
            raise TemporaryApiError(
                f"Prefect 临时服务器启动失败 the temporary Prefect server exited (code {_server.returncode})"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.05)
    raise TemporaryApiError(f"Prefect 临时服务器未在时限内启动 the temporary Prefect server did not answer {url}")


def stop_temporary_api() -> None:
    """Stop the server this process started (at exit, after Prefect has sent its last events)."""
    global _server
    if _server is None:
        return
    _server.terminate()
    try:
        _server.wait(timeout=5)
    except subprocess.TimeoutExpired:
        _server.kill()
        _server.wait()
    _server = None


def _start_prefects_own() -> None:
    global _booting
    # Imported here, on the calling thread: importing Prefect from two threads at once can deadlock.
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # the singleton Prefect's client will use

    def boot() -> None:
        try:
            server.start()
        except Exception:  # Prefect starts it again when the flow begins and reports its own error there
            return

    _booting = threading.Thread(target=boot, name="prefect-temporary-api", daemon=True)
    _booting.start()


def main() -> None:
    ap = argparse.ArgumentParser(description="Prepare the migrated Prefect database new homes start from.")
    ap.add_argument("--template", action="store_true", help="migrate an empty database for this Prefect version")
    if ap.parse_args().template:
        sys.stdout.write(f"== Prefect database template: {make_template()}\n")


if __name__ == "__main__":
    main()
