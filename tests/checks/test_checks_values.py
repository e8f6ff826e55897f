"""Cell parsers: every date, period, money and vocabulary style the contract allows."""

from __future__ import annotations

import datetime as dt
import random

import pandas as pd
import pytest

from checks.values import (
    BadValue,
    parse_county,
    parse_date,
    parse_dates,
    parse_disability_level,
    parse_money,
    parse_period,
    parse_program,
    parse_region,
    parse_relation,
    parse_sex,
    parser_for,
)
from hecha.contract import SOURCES


@pytest.mark.parametrize(
    "text", ["2026-10-05", "2026/10/5", "20261005", "2026年10月5日", "2026.10.05", "2026-10-05 00:00:00", "46300"]
)
def test_date_styles(text: str) -> None:
    """It reads every contract date style, and an Excel serial day number, as the same date."""
    assert parse_date(text) == dt.date(2026, 10, 5)


@pytest.mark.parametrize(
    ("text", "en"),
    [
        ("2026-02-30", "impossible date"),
        ("2026-13-01", "impossible date"),
        ("last week", "date format not recognised"),
        ("0206-01-01", "date out of range"),
    ],
)
def test_bad_dates(text: str, en: str) -> None:
    """It rejects impossible and unreadable dates with a Chinese and English reason."""
    with pytest.raises(BadValue) as bad:
        parse_date(text)
    assert bad.value.en == en
    assert " / " in bad.value.reason


@pytest.mark.parametrize("text", ["2026-10", "2026/10", "202610", "2026年10月", "2026-10-01"])
def test_period_styles(text: str) -> None:
    assert parse_period(text) == "2026-10"


def test_bad_period() -> None:
    with pytest.raises(BadValue):
        parse_period("2026-13")


@pytest.mark.parametrize(
    ("text", "value"), [("600", 600.0), ("¥1,200.50", 1200.5), ("￥ 1，200 元", 1200.0), ("-3", -3.0)]
)
def test_money(text: str, value: float) -> None:
    assert parse_money(text) == value


def test_money_not_a_number() -> None:
    with pytest.raises(BadValue, match="金额不是数字 / amount is not a number"):
        parse_money("六百")


def test_region_codes() -> None:
    """Region codes keep leading digits as text and must have 12 digits (6 for a county)."""
    assert parse_region("429006101201") == "429006101201"
    assert parse_region("４２９００６１０１２０１") == "429006101201"
    assert parse_county("429006") == "429006"
    assert parse_county("429006000000") == "429006"
    with pytest.raises(BadValue):
        parse_region("429006")


def test_program_code_or_label() -> None:
    assert parse_program("dibao_rural") == parse_program("农村低保") == parse_program(" 农村低保 ") == "dibao_rural"
    assert parse_program("特困供养") == "tekun"
    with pytest.raises(BadValue, match="unknown program"):
        parse_program("低保金")


def test_relation_variants() -> None:
    """Obvious variants map to the contract vocabulary; unknown ones become 其他 but are flagged."""
    assert parse_relation("儿子") == "子"
    assert parse_relation("女儿") == "女"
    assert parse_relation("妻子") == parse_relation("丈夫") == "配偶"
    assert parse_relation("儿媳") == "其他"
    with pytest.raises(BadValue) as bad:
        parse_relation("邻居")
    assert bad.value.keep == "其他"


@pytest.mark.parametrize(("text", "sex"), [("男", "M"), ("女", "F"), ("M", "M"), ("f", "F"), ("1", "M"), ("2", "F")])
def test_sex(text: str, sex: str) -> None:
    assert parse_sex(text) == sex


@pytest.mark.parametrize(("text", "level"), [("0", 0), ("2", 2), ("一级", 1), ("四级", 4), ("3级", 3), ("无", 0)])
def test_disability_level(text: str, level: int) -> None:
    assert parse_disability_level(text) == level


def test_disability_level_out_of_range() -> None:
    with pytest.raises(BadValue):
        parse_disability_level("五级")


def test_vocabulary_columns() -> None:
    parse = parser_for(SOURCES["deaths"].column("source"))
    assert parse("火化") == "火化"
    with pytest.raises(BadValue):
        parse("医院")


def test_parse_dates_equals_parse_date() -> None:
    """Many dates at once give what parse_date gives one by one: the same day, or the same problem."""
    rng = random.Random(4)
    forms = [
        "{y}-{m:02d}-{d:02d}",
        "{y}/{m}/{d}",
        "{y}{m:02d}{d:02d}",
        "{y}年{m}月{d}日",
        "{y}.{m}.{d}",
        "{y}-{m}月{d}",
    ]
    forms += [" {y}-{m}-{d}", "{y}-{m}-{d} 10:00", "{y}年{m}月{d}", "{y}{m}{d}"]
    texts = [
        rng.choice(forms).format(y=rng.randint(1790, 2210), m=rng.randint(0, 13), d=rng.randint(0, 32))
        for _ in range(5000)
    ]
    texts += ["", "45200", "45200.0", "2026-10", "２０２６-10-05", "20260230", "2024-02-29", "1900-02-29", "٢٠٢٦-10-05"]
    days, bad = parse_dates(texts)
    for k, text in enumerate(texts):
        if not text:
            assert pd.isna(days[k]) and k not in bad
            continue
        try:
            expected = parse_date(text)
        except BadValue as problem:
            assert bad[k].reason == problem.reason and pd.isna(days[k]), text
            continue
        assert k not in bad and days[k] == pd.Timestamp(expected) and isinstance(expected, dt.date), text
    assert str(days.dtype) == "datetime64[ns]"
