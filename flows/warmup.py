"""Prefect's temporary API boots while the run's libraries import, so the two overlap instead of adding up.

Without PREFECT_API_URL every `hecha run` starts Prefect's temporary server: a subprocess that
imports the whole server and migrates its SQLite database before the first flow run can be
created. The run's own imports (pandas, scikit-learn, Great Expectations, WeasyPrint) take about
as long and need only this process, so the server is started on a thread first and waited for
just before the flow begins. If it fails to start, Prefect starts it again when the flow begins
and reports its own error there.
"""

from __future__ import annotations

import threading

from hecha.settings import prefect_api_url

_booting: threading.Thread | None = None


def start_temporary_api() -> None:
    """Start Prefect's temporary server in the background (no-op with a configured server)."""
    global _booting
    if prefect_api_url() is not None or _booting is not None:
        return
    # Imported here, on the calling thread: importing Prefect from two threads at once can deadlock.
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # the singleton Prefect's client will use

    def boot() -> None:
        try:
            server.start()
        except Exception:
            return

    _booting = threading.Thread(target=boot, name="prefect-temporary-api", daemon=True)
    _booting.start()


def wait_for_temporary_api() -> None:
    """Block until the background start has finished (succeeded or failed)."""
    if _booting is not None:
        _booting.join()
