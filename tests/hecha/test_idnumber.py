"""GB 11643 identity numbers: cleaning, validation, 15→18, decoding, one-digit corrections."""

from __future__ import annotations

import datetime as dt

import pytest

from hecha import idnumber

STANDARD = "11010519491231002X"  # the example in GB 11643-1999


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (STANDARD, (STANDARD, "valid")),
        ("11010519491231002x", (STANDARD, "valid")),  # lowercase x
        ("１１０１０５１９４９１２３１００２Ｘ", (STANDARD, "valid")),  # full-width
        (" 110105 19491231 002X ", (STANDARD, "valid")),
        ("110105491231002", (STANDARD, "upgraded")),  # legacy 15 digits of the same person
        ("110105194912310021", ("110105194912310021", "invalid")),  # wrong check
        ("", ("", "missing")),
        (None, ("", "missing")),
    ],
)
def test_normalise(raw: object, expected: tuple[str, str]) -> None:
    """It cleans, validates and upgrades, and keeps an invalid number as data."""
    assert idnumber.normalise(raw) == expected


def test_upgraded_legacy_number_is_valid() -> None:
    assert idnumber.is_valid(idnumber.upgrade15("110105491231002") or "")


def test_decode() -> None:
    decoded = idnumber.decode(STANDARD)
    assert decoded is not None
    assert (decoded.area, decoded.birth_date, decoded.sex) == ("110105", dt.date(1949, 12, 31), "F")


def test_one_digit_corrections_contain_the_true_number() -> None:
    """Every single-digit typo is invalid, and its corrections include the true number."""
    for pos in range(17):
        digit = str((int(STANDARD[pos]) + 1) % 10)
        typo = STANDARD[:pos] + digit + STANDARD[pos + 1 :]
        assert not idnumber.is_valid(typo)
        assert STANDARD in idnumber.one_digit_corrections(typo)


def test_one_digit_corrections_match_brute_force() -> None:
    """The solved corrections equal trying every digit at every position."""
    import random

    rng = random.Random(3)
    for _ in range(200):
        raw = "".join(rng.choice("0123456789") for _ in range(17)) + rng.choice("0123456789X")
        number = raw[:6] + "19" + f"{rng.randint(30, 99)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}" + raw[14:]
        if idnumber.is_valid(number):
            continue
        brute = {
            number[:p] + d + number[p + 1 :]
            for p in range(17)
            for d in "0123456789"
            if d != number[p] and idnumber.is_valid(number[:p] + d + number[p + 1 :])
        }
        brute |= {number[:17] + c for c in "0123456789X" if c != number[17] and idnumber.is_valid(number[:17] + c)}
        assert set(idnumber.one_digit_corrections(number)) == brute


def test_normalise_many_equals_normalise() -> None:
    """The vectorised path gives exactly what normalise gives, value by value, for every shape of number."""
    import random

    import numpy as np
    import pandas as pd

    rng = random.Random(5)
    values: list[object] = [
        STANDARD,
        "11010519491231002x",
        "１１０１０５１９４９１２３１００２Ｘ",
        " 110105 19491231 002X ",
        "110105491231002",
        "110105194912310021",
        "000000194912310021",  # area 000000
        "429006200002291237",  # 29 February of a leap year
        "429006190002291234",  # 1900 is not a leap year
        "110105491331002",  # legacy number with month 13
        "4.29006E+17",
        "110105491231002.0",
        "٤٢٩٠٠٦١٩٩٠٠١٠١١٢٣٤",  # Arabic-Indic digits are digits to str.isdigit
        "11010519491231002X\x00",
        "",
        None,
        float("nan"),
        pd.NA,
        4.29006e17,
        np.str_(STANDARD),
    ]
    for _ in range(3000):
        first17 = "".join(rng.choice("0123456789") for _ in range(17))
        if rng.random() < 0.5:  # a plausible birth date, so that some numbers are valid
            first17 = (
                first17[:6]
                + f"{rng.randint(1870, 2030)}{rng.randint(0, 13):02d}{rng.randint(0, 32):02d}"
                + first17[14:]
            )
        values.append(first17 + (idnumber.check_char(first17) if rng.random() < 0.5 else rng.choice("0123456789X")))
        values.append(first17[:6] + first17[8:17])  # 15 digits
    numbers, statuses = idnumber.normalise_many(np.array(values, dtype=object))
    expected = [idnumber.normalise(v) for v in values]
    assert list(zip(numbers.tolist(), statuses.tolist(), strict=True)) == expected
    assert {type(n) for n in numbers} == {str}
    assert {"valid", "upgraded", "invalid", "missing"} == set(statuses)
