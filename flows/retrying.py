"""Retries only where there is I/O: a lost share or database connection is worth a second try,
a data error (a missing source, a failed quality gate, a bad value) is not: it fails again."""

from __future__ import annotations

from typing import Any

from hecha.exceptions import HechaError

IO_RETRIES = 2
IO_RETRY_DELAYS: list[float] = [10.0, 60.0]  # seconds: a network share or database back after a blip


def is_io_error(exc: BaseException) -> bool:
    """An error of the machine or the network, not of the data."""
    if isinstance(exc, HechaError):
        return False
    if isinstance(exc, (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError)):
        return False  # the folder is wrong: retrying will not create the file
    if isinstance(exc, (OSError, TimeoutError, ConnectionError)):
        return True
    from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError

    return isinstance(exc, (OperationalError, InterfaceError, DisconnectionError))


def retry_on_io(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect's retry condition: retry a failed task only when it failed on I/O."""
    try:
        state.result()
    except BaseException as exc:
        return is_io_error(exc)
    return False
