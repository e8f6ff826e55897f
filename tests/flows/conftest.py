"""One Prefect test harness for the whole session (it costs ~12 s to start)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session", autouse=True)
def prefect_logging_on_the_session_stream() -> None:
    """Set Prefect's logging up once, before any test captures output.

    Prefect binds its console handler to whatever sys.stderr is when logging is first set up;
    if that is one test's capsys stream, every later flow logs to a closed file, and with
    log_prints Prefect's own error report recurses through print. The session's stream lives on.
    """
    from prefect.logging.configuration import setup_logging

    setup_logging()
