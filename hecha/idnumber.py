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
    text = clean(raw)
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
    uniques = pd.unique(values.astype("object"))
    table = {u: normalise(u) for u in uniques}
    mapped = values.astype("object").map(table)
    return pd.DataFrame(
        {
            "id_number": mapped.map(lambda t: t[0]),
            "status": mapped.map(lambda t: t[1]),
        },
        index=values.index,
    )


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
