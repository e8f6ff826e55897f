"""Identity numbers (公民身份号码, GB 11643-1999).

An 18-character number is 6 digits of area, 8 of birth date (YYYYMMDD), 3 of
sequence (odd for men, even for women) and a MOD 11-2 check character (0-9 or X).
Legacy 15-digit numbers (before 1999) lack the century and the check character;
they upgrade to 18 by inserting "19" and computing the check.

A number that fails validation is data, not a reason to drop a row: callers keep
the cleaned text and mark it invalid.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np
import pandas as pd

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"  # index = sum mod 11

Status = Literal["valid", "upgraded", "invalid", "missing"]
_JUNK = re.compile(r"[\s\-_'\"`]+")


def clean(raw: object) -> str:
    """NFKC (full-width digits), drop spaces and quotes, upper-case the check X."""
    if raw is None or raw is pd.NA or (isinstance(raw, float) and raw != raw):
        return ""  # pd.NA would otherwise become the "number" <NA>, invalid, and block nothing
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    if text.endswith(".0") and text[:-2].isdigit():  # a number read as float by Excel
        text = text[:-2]
    return _JUNK.sub("", text).upper()


def check_char(first17: str) -> str:
    """The MOD 11-2 check character for 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def _valid_date(yyyymmdd: str) -> bool:
    try:
        born = dt.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return dt.date(1880, 1, 1) <= born <= dt.date.today()


def is_valid(number: str) -> bool:
    """True for a well-formed 18-character number with a correct check character."""
    return (
        len(number) == 18
        and number[:17].isdigit()
        and number[17] in "0123456789X"
        and number[:6] != "000000"
        and _valid_date(number[6:14])
        and check_char(number[:17]) == number[17]
    )


def upgrade15(number: str) -> str | None:
    """Upgrade a legacy 15-digit number to 18 (insert 19, add the check), or None."""
    if len(number) != 15 or not number.isdigit():
        return None
    first17 = number[:6] + "19" + number[6:]
    if not _valid_date(first17[6:14]):
        return None
    return first17 + check_char(first17)


def normalise(raw: object) -> tuple[str, Status]:
    """Return (normalised text, status); invalid numbers come back cleaned, not dropped."""
    return _judge(clean(raw))


def _judge(text: str) -> tuple[str, Status]:
    """(normalised text, status) of a cleaned number."""
    if not text:
        return "", "missing"
    if is_valid(text):
        return text, "valid"
    upgraded = upgrade15(text)
    if upgraded is not None:
        return upgraded, "upgraded"
    return text, "invalid"


def normalise_series(values: pd.Series) -> pd.DataFrame:
    """Vectorised over unique values: columns `id_number`, `status` aligned to `values`."""
    numbers, statuses = normalise_many(values.to_numpy(dtype=object))
    return pd.DataFrame({"id_number": numbers, "status": statuses}, index=values.index)


def normalise_many(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`normalise` of every value, as two object arrays (numbers, statuses), identical to it.

    A county's registry holds a million numbers, nearly all distinct, so caching per value is
    not enough: plain ASCII numbers of 18 or 15 digits, which `clean` leaves as they are, are
    judged with numpy; every other value (spaces, full-width digits, lower-case x, None) is
    cleaned once per distinct value and then judged the same way.
    """
    values = np.asarray(values, dtype=object)
    text = np.fromiter((type(v) is str for v in values), dtype=bool, count=len(values))
    numbers, statuses, rest = _judge_plain(values, text)
    cache: dict[object, str] = {}
    cleaned = np.empty(len(rest), dtype=object)
    for k, value in enumerate(values[rest]):
        key = value if type(value) is str else (type(value), value)  # 1 and 1.0 and True stay apart
        if key not in cache:
            cache[key] = clean(value)
        cleaned[k] = cache[key]
    more_numbers, more_statuses, left = _judge_plain(cleaned, np.ones(len(cleaned), dtype=bool))
    judged: dict[str, tuple[str, Status]] = {}
    for k in left:
        if cleaned[k] not in judged:
            judged[cleaned[k]] = _judge(cleaned[k])
        more_numbers[k], more_statuses[k] = judged[cleaned[k]]
    numbers[rest], statuses[rest] = more_numbers, more_statuses
    return numbers, statuses


def _judge_plain(values: np.ndarray, text: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`_judge` of the plain numbers among `values` (where `text` says they are str), with numpy;
    returns (numbers, statuses, positions of the values left to judge another way)."""
    numbers = np.empty(len(values), dtype=object)
    statuses = np.empty(len(values), dtype=object)
    sizes = np.zeros(len(values), dtype=np.int64)  # characters of each text; 0 for anything else
    sizes[text] = np.fromiter(map(len, values[text]), dtype=np.int64, count=int(text.sum()))
    rows18, digits18 = _plain(values, sizes == 18, last_may_be_x=True)
    rows15, digits15 = _plain(values, sizes == 15, last_may_be_x=False)
    if len(rows18):
        valid = _check_ok(digits18) & (digits18[:, :6] != 0).any(axis=1) & _valid_dates(digits18[:, 6:14])
        numbers[rows18] = values[rows18]
        statuses[rows18] = _STATUS[np.where(valid, 0, 2)]
    if len(rows15):
        first17 = np.concatenate(
            [digits15[:, :6], np.full((len(rows15), 2), (1, 9), np.uint8), digits15[:, 6:]], axis=1
        )
        ok = _valid_dates(first17[:, 6:14])
        check = _CHECK_BYTES[_weighted(first17) % 11]
        chars = np.concatenate([first17 + 48, check[:, None]], axis=1).tobytes().decode("ascii")
        upgraded = np.array([chars[k : k + 18] for k in range(0, len(chars), 18)], dtype=object)
        numbers[rows15] = np.where(ok, upgraded, values[rows15])
        statuses[rows15] = _STATUS[np.where(ok, 1, 2)]
    rest = np.ones(len(values), dtype=bool)
    rest[rows18] = rest[rows15] = False
    return numbers, statuses, np.flatnonzero(rest)


_STATUS = np.array(["valid", "upgraded", "invalid"], dtype=object)
_CHECK_BYTES = np.frombuffer(CHECK_CHARS.encode("ascii"), dtype=np.uint8)
_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int32)


def _plain(values: np.ndarray, candidates: np.ndarray, last_may_be_x: bool) -> tuple[np.ndarray, np.ndarray]:
    """Rows among `candidates` (texts of one length) that are ASCII digits (the last may be X), and their digits."""
    rows = np.flatnonzero(candidates)
    joined = "".join(values[rows])
    if not joined.isascii():
        rows = rows[np.fromiter(map(str.isascii, values[rows]), dtype=bool, count=len(rows))]
        joined = "".join(values[rows])
    if not len(rows):
        return rows, np.empty((0, 18), dtype=np.uint8)
    raw = np.frombuffer(joined.encode("ascii"), dtype=np.uint8).reshape(len(rows), -1)
    digits = raw - np.uint8(48)  # wraps below '0', so one comparison tells digits apart
    is_digit = digits <= 9
    ok = is_digit[:, :-1].all(axis=1) & (is_digit[:, -1] | ((raw[:, -1] == 88) & last_may_be_x))
    return rows[ok], digits[ok]


def _weighted(digits: np.ndarray) -> np.ndarray:
    """The MOD 11-2 weighted sum of the first 17 digits of each row."""
    total = np.zeros(len(digits), dtype=np.int32)
    for position, weight in enumerate(WEIGHTS):
        total += digits[:, position].astype(np.int32) * weight
    return total


def _check_ok(digits: np.ndarray) -> np.ndarray:
    """The check character (`check_char`) of each row matches its 18th character (X as 40)."""
    return _CHECK_BYTES[_weighted(digits) % 11] == digits[:, 17] + np.uint8(48)


def _valid_dates(digits: np.ndarray) -> np.ndarray:
    """`_valid_date` of each row of 8 digits (YYYYMMDD): a real calendar date from 1880 to today."""
    d = digits.astype(np.int32)
    year = d[:, 0] * 1000 + d[:, 1] * 100 + d[:, 2] * 10 + d[:, 3]
    month = d[:, 4] * 10 + d[:, 5]
    day = d[:, 6] * 10 + d[:, 7]
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    month_ok = (month >= 1) & (month <= 12)
    days = _DAYS[np.where(month_ok, month, 0)] + ((month == 2) & leap)
    today = dt.date.today()
    stamp = year * 10000 + month * 100 + day
    in_range = (stamp >= 18800101) & (stamp <= today.year * 10000 + today.month * 100 + today.day)
    return month_ok & (day >= 1) & (day <= days) & in_range


@dataclass(frozen=True)
class Decoded:
    """What an 18-character number says about its holder."""

    area: str  # 6-digit area code at issue
    birth_date: dt.date
    sex: Literal["M", "F"]


def decode(number: str) -> Decoded | None:
    """Decode area, birth date and sex from a valid (or 15→18 upgraded) number."""
    if not is_valid(number):
        upgraded = upgrade15(number)
        if upgraded is None:
            return None
        number = upgraded
    born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    return Decoded(number[:6], born, "M" if int(number[16]) % 2 else "F")


def one_digit_corrections(number: str) -> list[str]:
    """Valid numbers that differ from an invalid 18-character number in exactly one place.

    A clerk's one-digit typo leaves the check character wrong. For each position
    at most one replacement restores it (weights are invertible mod 11), so there
    are at most 18 candidates; those with an impossible birth date are dropped.
    """
    return list(_one_digit_corrections(number))


@lru_cache(maxsize=65_536)  # the roll's invalid numbers are corrected once per source pair
def _one_digit_corrections(number: str) -> tuple[str, ...]:
    if len(number) != 18 or not number[:17].isdigit() or is_valid(number):
        return ()
    digits = [int(d) for d in number[:17]]
    total = sum(d * w for d, w in zip(digits, WEIGHTS, strict=True)) % 11
    out: list[str] = []
    if number[17] in CHECK_CHARS:
        target = CHECK_CHARS.index(number[17])  # the sum mod 11 the given check char needs
        for pos, w in enumerate(WEIGHTS):
            new = (digits[pos] + (target - total) * pow(w, -1, 11)) % 11
            if new < 10 and new != digits[pos]:
                cand = number[:pos] + str(new) + number[pos + 1 : 17] + number[17]
                if is_valid(cand):
                    out.append(cand)
    fixed_check = number[:17] + CHECK_CHARS[total]
    if fixed_check != number and is_valid(fixed_check):
        out.append(fixed_check)
    return tuple(out)


def digits_differing(a: str, b: str) -> int:
    """Count of positions where two same-length numbers differ (99 if lengths differ)."""
    if len(a) != len(b):
        return 99
    return sum(x != y for x, y in zip(a, b, strict=True))
