"""Masking and pseudonymisation of personal data (PIPL).

Lists, reports, logs and exports of evidence show identity numbers and phones
masked; stable keys (person ids, case ids) are hashes, never raw numbers.
"""

from __future__ import annotations

import hashlib
import logging
import re
import traceback

import pandas as pd


def mask_id(number: object) -> str:
    """42010519491231002X -> 420105********002X; short or empty values stay short."""
    text = "" if number is None or (isinstance(number, float) and number != number) else str(number)
    if len(text) >= 15:
        return text[:6] + "*" * (len(text) - 10) + text[-4:]
    if len(text) > 4:
        return "*" * (len(text) - 4) + text[-4:]
    return "*" * len(text)


def mask_phone(phone: object) -> str:
    """13812345678 -> 138****5678."""
    text = "" if phone is None or (isinstance(phone, float) and phone != phone) else str(phone)
    if len(text) >= 7:
        return text[:3] + "*" * (len(text) - 7) + text[-4:]
    return "*" * len(text)


def mask_name(name: object) -> str:
    """张三丰 -> 张**: for public notices and anonymised typical cases."""
    text = "" if name is None or (isinstance(name, float) and name != name) else str(name)
    return text[:1] + "*" * (len(text) - 1) if text else ""


def mask_account(account: object) -> str:
    """Bank accounts keep their last four digits."""
    text = "" if account is None or (isinstance(account, float) and account != account) else str(account)
    return "*" * max(len(text) - 4, 0) + text[-4:]


def pseudonym(*parts: object, prefix: str = "", length: int = 16) -> str:
    """A stable, non-reversible-by-eye key from parts (used for person and case ids)."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()
    return prefix + digest[:length]


def mask_id_series(values: pd.Series) -> pd.Series:
    return values.map(mask_id)


# Digit runs that are personal data wherever they appear in free text (errors, logs):
# identity numbers (18 with a check character, legacy 15, possibly split by spaces or
# dashes), mobile phones, and bank accounts / card numbers (16–19 digits). Full-width
# digits count too: clerks' exports carry them.
_D = "[0-9０-９]"
_EDGE_L, _EDGE_R = r"(?<![0-9０-９A-Za-z])", r"(?![0-9０-９A-Za-z])"
_ID18 = re.compile(_EDGE_L + f"{_D}{{6}}[ -]?{_D}{{8}}[ -]?{_D}{{3}}[0-9０-９XxＸｘ]" + _EDGE_R)
_PHONE = re.compile(_EDGE_L + f"(?:\\+?86[ -]?)?1[3-9０-９]{_D}[ -]?{_D}{{4}}[ -]?{_D}{{4}}" + _EDGE_R)
# Legacy 15-digit ids and 16–19-digit bank cards; 12-digit region codes and shorter numbers stay.
_LONG_DIGITS = re.compile(_EDGE_L + f"{_D}{{15,19}}" + _EDGE_R)
_SEPARATORS = re.compile("[ -]")


def scrub_text(text: str) -> str:
    """Free text with identity numbers, phones and bank accounts masked (for errors and logs).

    420105194912310021 -> 420105********0021, 13812345678 -> 138****5678,
    6222020200112233445 -> ***************3445; other numbers (rows, counts, dates) stay.
    """
    text = _ID18.sub(lambda m: mask_id(_SEPARATORS.sub("", m.group())), text)
    text = _PHONE.sub(lambda m: mask_phone(_SEPARATORS.sub("", m.group())), text)
    return _LONG_DIGITS.sub(lambda m: mask_id(m.group()) if len(m.group()) == 15 else mask_account(m.group()), text)


def scrub_error(exc: BaseException) -> str:
    """`Type: message` of an exception, scrubbed; database driver errors keep no SQL parameters."""
    message = str(exc)
    # SQLAlchemy appends "[SQL: …] [parameters: …]" (and psycopg a DETAIL with key values):
    # the statement and its parameters are the part most likely to hold a person's data.
    message = re.sub(r"\[parameters: .*?\](?=\s*(\(Background|\[SQL|$))", "[parameters: hidden]", message, flags=re.S)
    return scrub_text(f"{type(exc).__name__}: {message}".strip())


def scrub_traceback(exc: BaseException) -> str:
    """The whole traceback (chained exceptions too) as scrubbed text, for logs."""
    return scrub_text("".join(traceback.format_exception(exc)))


class ScrubFilter(logging.Filter):
    """A logging filter that masks personal numbers in messages and tracebacks.

    Put on handlers (not loggers), so records propagated from any library pass through it.
    The traceback is formatted here and folded into the message, so no handler can
    print the raw exception afterwards.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed log call: keep what can be shown
            message = str(record.msg)
        if record.exc_info and record.exc_info[1] is not None:
            message = f"{message}\n{scrub_traceback(record.exc_info[1])}".rstrip()
            record.exc_info, record.exc_text = None, None
        record.msg, record.args = scrub_text(message), None
        return True


def install_log_scrubber(*loggers: logging.Logger) -> None:
    """Add one ScrubFilter to every handler of the root logger, of `loggers`, and of every configured logger."""
    candidates = [logging.getLogger(), *loggers]
    candidates += [lg for lg in logging.Logger.manager.loggerDict.values() if isinstance(lg, logging.Logger)]
    for lg in candidates:
        for handler in lg.handlers:
            if not any(isinstance(f, ScrubFilter) for f in handler.filters):
                handler.addFilter(ScrubFilter())
