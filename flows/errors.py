"""Errors as the operator reads them: one line, Chinese with English beside it, no raw identity number.

The CLI catches everything once (`one_line`); `--debug` shows the traceback instead. Prefect's
console log would print a traceback for a failed task too, so `quiet_tracebacks` keeps its
message and drops the trace from the terminal (the Prefect server still gets the full log).
"""

from __future__ import annotations

import logging

from hecha.exceptions import HechaError, explain_validation
from hecha.privacy import scrub_error
from hecha.privacy import scrub_text as scrub  # identity numbers, phones and accounts masked


class SettingsError(HechaError):
    """A bad argument or settings file, found before anything runs."""


def one_line(exc: BaseException) -> str:
    """The error as one line for the terminal."""
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        zh, en = explain_validation(exc)
        text = f"参数无效：{zh} / {en}"
    elif isinstance(exc, HechaError):
        text = str(exc)
    elif isinstance(exc, FileNotFoundError):
        text = f"文件或目录不存在 / no such file or folder: {exc.filename or exc}"
    elif isinstance(exc, PermissionError):
        text = f"没有权限 / permission denied: {exc.filename or exc}"
    elif isinstance(exc, KeyboardInterrupt):
        text = "已中断 / interrupted"
    else:
        first = (scrub_error(exc).strip().splitlines() or [""])[0]  # driver errors without their SQL parameters
        text = f"运行失败 / failed: {first}"
    return scrub(" ".join(text.split("\n")))


class _NoTraceback(logging.Filter):
    """Keep a log record's message, drop its traceback, mask identity numbers."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info or record.exc_text:
            record.exc_info = None
            record.exc_text = None
        if isinstance(record.msg, str) and not record.args:
            record.msg = scrub(record.msg).split("\nTraceback", 1)[0]
        return True


def quiet_tracebacks() -> None:
    """Prefect's terminal log shows failures in one line (call after Prefect set up its logging)."""
    import prefect.logging.configuration  # noqa: F401 - importing prefect installs its handlers

    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, _NoTraceback) for f in handler.filters):
            handler.addFilter(_NoTraceback())
