"""Column helpers: per distinct value, identity numbers as character arrays and as integers."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd

from matching.distinct import differing_characters, id_chars, id_codes, lengths, per_distinct
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
