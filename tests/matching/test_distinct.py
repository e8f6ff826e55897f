"""Column helpers: per distinct value, identity numbers as character arrays and as integers."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd

from matching.distinct import (
    differing_characters,
    distinct_pairs,
    first_of_each,
    id_chars,
    id_codes,
    lengths,
    per_distinct,
    value_codes,
)
from matching.regions import clean_codes


def test_per_distinct_equals_the_function_on_the_whole_column() -> None:
    """Same values, dtype, index and name as calling the function on every row; missing values alike."""
    values = pd.Series(["429006101201", None, "42900610120", np.nan, "429006101201", " 429006101202 "] * 3,
                       index=range(10, 28), name="region_code")  # fmt: skip
    got, want = per_distinct(values, clean_codes), clean_codes(values)
    pd.testing.assert_series_equal(got, want)


def test_per_distinct_passes_columns_that_are_not_text_whole() -> None:
    """1 and 1.0 are one hash key but two texts: a mixed column is not split by distinct value."""
    values = pd.Series([1, 1.0, "1"], dtype=object)
    got = per_distinct(values, lambda s: s.astype(str))
    assert list(got) == ["1", "1.0", "1"]


def _numbers(rng: random.Random, n: int) -> list[str]:
    out = []
    for _ in range(n):
        digits = "".join(rng.choice("0123456789") for _ in range(17)) + rng.choice("0123456789X")
        kind = rng.random()
        if kind < 0.1:
            digits = digits[:-1] + rng.choice("xY")  # not a check character
        elif kind < 0.2:
            digits = digits[:15]
        elif kind < 0.25:
            digits = digits[:5] + "一" + digits[6:]  # a character that is not a digit
        out.append(digits)
    return out


def test_integer_numbers_differ_where_their_characters_differ() -> None:
    """differing_characters of id_codes equals a character-by-character count (up to 2) for every codable pair."""
    rng = random.Random(5)
    left = _numbers(rng, 2000)

    def changed(number: str, *positions: int) -> str:
        for i in positions:
            if i < len(number) and number[i].isdigit():
                number = number[:i] + str((int(number[i]) + 1) % 10) + number[i + 1 :]
        return number

    right = [rng.choice([a, changed(a, 4), changed(a, 12), changed(a, 2, 7), changed(a, 10, 15), b])
             for a, b in zip(left, _numbers(rng, 2000), strict=True)]  # fmt: skip
    texts_l, texts_r = np.array(left, dtype=object), np.array(right, dtype=object)
    (hl, tl), (hr, tr) = (id_codes(id_chars(t), lengths(t)) for t in (texts_l, texts_r))
    coded = (hl >= 0) & (hr >= 0)
    assert 0.4 < coded.mean() < 0.9
    got = differing_characters(hl[coded], tl[coded], hr[coded], tr[coded])
    count = [
        sum(x != y for x, y in zip(a, b, strict=True)) for a, b in zip(texts_l[coded], texts_r[coded], strict=True)
    ]
    assert list(got) == [min(c, 2) for c in count] and {0, 1, 2}.issubset(set(count))
    uncoded = [t for t, h in zip(left, hl, strict=True) if h < 0]
    assert all(len(t) != 18 or not t[:17].isdigit() or t[17] not in "0123456789X" for t in uncoded)
    assert all((h == -2) == (len(t) != 18) for t, h in zip(left, hl, strict=True) if h < 0)


def test_id_chars_reads_any_text_of_18_characters() -> None:
    """Character codes of 18-character texts (non-ASCII too); other lengths are zero rows."""
    texts = np.array(["４２９００６１９４８０２０３００２２", "429006194802030022", "4290"], dtype=object)
    chars = id_chars(texts)
    assert list(lengths(texts)) == [18, 18, 4]
    assert chars[0, 0] == ord("４") and chars[1, 0] == ord("4") and not chars[2].any()


def test_value_codes_are_equal_exactly_where_every_column_is() -> None:
    """Rows get one code when all their values agree; any missing value is one value."""
    names = np.array(["王秀英", "王秀英", "王秀英", None, np.nan, "李明"], dtype=object)
    dates = np.array(["1948-02-03", "1948-02-03", "1950-01-01", "NaT", "NaT", "1948-02-03"], dtype="datetime64[ns]")
    shared = np.array([False, False, False, False, False, True])
    codes = value_codes([names, dates, shared])
    assert codes.tolist() == [0, 0, 1, 2, 2, 3]
    assert value_codes([names, dates, ~shared]).tolist() == [0, 0, 1, 2, 2, 3]


def test_first_of_each_finds_the_first_row_of_every_factorized_code() -> None:
    """For codes in order of appearance, the first row of each code, in code order."""
    values = np.array([5, 5, 7, 5, 9, 7, 1, 9])
    codes = pd.factorize(values)[0]
    assert first_of_each(codes).tolist() == [0, 2, 4, 6]
    assert first_of_each(np.zeros(0, dtype=np.int64)).tolist() == []


def test_distinct_pairs_take_back_to_every_row() -> None:
    """Each row's distinct pair has its codes on both sides; (1, 0) and (0, 1) are two pairs."""
    left, right = np.array([0, 1, 0, 0, 1, 2]), np.array([1, 0, 1, 2, 0, 0])
    first, inverse = distinct_pairs(left, right)
    assert (left[first][inverse] == left).all() and (right[first][inverse] == right).all()
    assert len(first) == 4
