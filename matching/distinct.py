"""Column work done once per distinct value, and identity numbers as arrays of characters.

A 1M-row registry has a few hundred village codes, tens of thousands of
addresses and birth dates, but pandas' `.str` methods and `to_datetime` on
text still run once per row in Python. Computing a function on the distinct
values and taking the result back by position gives the same column at the
cost of the distinct values; identity numbers, nearly all distinct, are read
as one (n, 18) array of character codes instead. Candidate pairs too repeat
their values (2M pairs of a cremation rule hold a few thousand name pairs), so
`distinct_pairs` lets a comparison run once per distinct pair of values.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

ID_LENGTH = 18


def per_distinct(values: pd.Series, fn: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """`fn(values)`, computed once per distinct value; same dtype, same index.

    `fn` must work element by element and treat every missing value alike (None,
    NaN and NA are one distinct value here). Columns that are not all text (or
    missing) are passed to `fn` whole: 1 and 1.0 are one key to a hash table but
    two texts to `astype(str)`.
    """
    if values.dtype != object or infer_dtype(values, skipna=True) not in ("string", "empty"):
        return fn(values)
    codes, uniques = pd.factorize(values.to_numpy(), use_na_sentinel=True)
    distinct = pd.Series([*np.asarray(uniques, dtype=object), None], dtype=object, name=values.name)  # last: missing
    return fn(distinct).take(codes).set_axis(values.index)


def value_codes(columns: list[np.ndarray]) -> np.ndarray:
    """One integer per row, equal where the rows' values are equal in every column.

    Missing values (None, NaN, NaT, NA) are one value here, as in `per_distinct`;
    columns hold one kind of value each (1 and 1.0 would be one value too).
    Codes are renumbered after each column, so they stay below the row count.
    """
    codes = [pd.factorize(values, use_na_sentinel=True)[0].astype(np.int64) + 1 for values in columns]  # 0: missing
    code = codes[0]
    for more in codes[1:]:
        code = pd.factorize(code * (int(more.max(initial=0)) + 1) + more)[0].astype(np.int64)
    return code


def first_of_each(codes: np.ndarray) -> np.ndarray:
    """Position of the first row of each code, for codes numbered in order of appearance (as pd.factorize does).

    A code appears for the first time exactly where it exceeds every code
    before it, so one running maximum finds them all, in code order.
    """
    if not len(codes):
        return np.zeros(0, dtype=np.int64)
    seen = np.maximum.accumulate(codes)
    return np.flatnonzero(np.r_[True, codes[1:] > seen[:-1]])


def involved(positions: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The records (of n) at some of `positions`, in order, and each position's index among them.

    Work per record can then run on the records that take part in pairs, not on
    every pair (one record is in many) nor on every record (most are in none).
    """
    seen = np.zeros(n, dtype=bool)
    seen[positions] = True
    rows = np.flatnonzero(seen)
    index = np.zeros(n, dtype=np.int64)
    index[rows] = np.arange(len(rows))
    return rows, index[positions]


def distinct_pairs(codes_l: np.ndarray, codes_r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first, inverse) of the (left, right) code pairs: a row of each distinct pair, and each row's pair."""
    width = int(codes_r.max(initial=-1)) + 1
    inverse = pd.factorize(codes_l * width + codes_r)[0].astype(np.int64)
    return first_of_each(inverse), inverse


def lengths(texts: np.ndarray) -> np.ndarray:
    """Length of each text of an object array of str."""
    return np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))


def id_chars(texts: np.ndarray, length: np.ndarray | None = None) -> np.ndarray:
    """(n, 18) character codes of 18-character texts (int32); rows of other lengths are zeros."""
    length = lengths(texts) if length is None else length
    full = length == ID_LENGTH
    out = np.zeros((len(texts), ID_LENGTH), dtype=np.int32)
    if full.any():
        joined = "".join(texts[full])
        try:
            codes = np.frombuffer(joined.encode("ascii"), dtype=np.uint8)
        except UnicodeEncodeError:
            codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype="<u4")
        out[full] = codes.reshape(-1, ID_LENGTH)
    return out


def digits_value(chars: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The decimal value of each row of character codes, and whether every one is an ASCII digit."""
    d = chars.astype(np.int64) - ord("0")
    ok = np.asarray(((d >= 0) & (d <= 9)).all(axis=1))
    value = (np.where(ok[:, None], d, 0) * 10 ** np.arange(chars.shape[1] - 1, -1, -1, dtype=np.int64)).sum(axis=1)
    return value, ok


def as_text(chars: np.ndarray) -> np.ndarray:
    """Rows of character codes back to an object array of str (for the few that need the slow path)."""
    return np.array(["".join(map(chr, row)) for row in chars.tolist()], dtype=object)


NOT_CODED, NOT_18 = -1, -2  # `id_codes` head of a number that is not 17 digits and a check; of another length


def id_codes(chars: np.ndarray, length: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each 18-character number as two integers: digits 1–9, and digits 10–17 with the check (X = 10).

    Head NOT_CODED for 18 characters that are not 17 ASCII digits and a check of
    0–9 or X, NOT_18 for text of another length. Two numbers so coded differ in
    as many characters as their decimal digits do (`differing_characters`),
    without comparing text.
    """
    head, head_ok = digits_value(chars[:, :9])
    body, body_ok = digits_value(chars[:, 9:17])
    check = chars[:, 17].astype(np.int64) - ord("0")
    check = np.where(chars[:, 17] == ord("X"), 10, check)
    ok = head_ok & body_ok & (check >= 0) & (check <= 10) & (length == ID_LENGTH)
    return np.where(ok, head, np.where(length == ID_LENGTH, NOT_CODED, NOT_18)), np.where(ok, body * 11 + check, -1)


def differing_characters(head_l: np.ndarray, tail_l: np.ndarray, head_r: np.ndarray, tail_r: np.ndarray) -> np.ndarray:
    """Characters in which two numbers coded by `id_codes` differ: 0, 1, or 2 for two or more.

    Linkage asks only "equal, one digit apart, or other", so when both halves
    differ the answer is 2 without counting; otherwise the differing half's
    digits are counted.
    """
    head_differs, tail_differs = head_l != head_r, tail_l != tail_r
    diff = np.where(head_differs & tail_differs, 2, 0)
    for differs, a, b in (
        (head_differs & ~tail_differs, head_l, head_r),
        (tail_differs & ~head_differs, tail_l, tail_r),
    ):
        k = np.flatnonzero(differs)
        x, y = a[k], b[k]
        count = np.zeros(len(k), dtype=np.int64)
        if a is tail_l:
            count += x % 11 != y % 11
            x, y = x // 11, y // 11
        for _ in range(9):
            count += x % 10 != y % 10
            x, y = x // 10, y // 10
        diff[k] = np.minimum(count, 2)
    return diff
