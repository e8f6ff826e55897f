"""Scrubbing personal numbers out of free text: errors, logs, driver messages."""

from __future__ import annotations

import io
import logging

import pytest

from hecha.privacy import ScrubFilter, install_log_scrubber, scrub_error, scrub_text


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("42010519491231002X", "420105********002X"),
        ("42010519491231002x", "420105********002x"),
        ("420105 19491231 002X", "420105********002X"),  # spaces as clerks type them
        ("４２０１０５１９４９１２３１００２Ｘ", "４２０１０５********００２Ｘ"),  # full-width
        ("420105491231002", "420105*****1002"),  # legacy 15 digits
        ("13812345678", "138****5678"),
        ("138-1234-5678", "138****5678"),
        ("6222020200112233445", "***************3445"),  # bank card
    ],
)
def test_numbers_are_masked(raw: str, masked: str) -> None:
    assert scrub_text(f"行 12：{raw}，失败") == f"行 12：{masked}，失败"


def test_ordinary_numbers_stay() -> None:
    """Rows, counts, dates, ports, county and region codes are not personal data."""
    text = "row 12 of roll.csv, 2026-10, 429006 county 429006101201 port 5432 took 31.1 s"
    assert scrub_text(text) == text


def test_driver_errors_lose_their_parameters() -> None:
    """SQLAlchemy's `[parameters: …]` block is dropped whole; numbers elsewhere are masked."""
    exc = RuntimeError(
        "(psycopg.errors.UniqueViolation) duplicate key\nDETAIL:  Key (id_number)=(42900619500101001X) exists.\n"
        "[SQL: INSERT INTO t VALUES (%(n)s)]\n[parameters: {'n': '42900619500101001X', 'name': '张三'}]\n"
        "(Background on this error at: https://sqlalche.me/e/20/gkpj)"
    )
    text = scrub_error(exc)
    assert text.startswith("RuntimeError: ") and "[parameters: hidden]" in text
    assert "张三" not in text and "42900619500101001X" not in text and "429006********001X" in text


def test_log_records_and_tracebacks_are_scrubbed() -> None:
    """install_log_scrubber puts one filter on each handler; it masks the message and the formatted traceback."""
    logger = logging.getLogger("hecha.test.privacy")
    logger.propagate = False
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    logger.addHandler(handler)
    try:
        install_log_scrubber(logger)
        install_log_scrubber(logger)  # idempotent: one filter per handler
        assert sum(isinstance(f, ScrubFilter) for f in handler.filters) == 1
        try:
            raise ValueError("bad 42900619500101001X")
        except ValueError:
            logger.exception("row %s failed", "13812345678")
    finally:
        logger.removeHandler(handler)
    text = out.getvalue()
    assert "row 138****5678 failed" in text and "ValueError: bad 429006********001X" in text
    assert "Traceback" in text and "13812345678" not in text and "42900619500101001X" not in text
