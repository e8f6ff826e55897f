"""Parsing one cell's text by its contract kind (hecha.contract.Kind).

Each parser takes non-empty, stripped text and returns the normalised value, or raises
BadValue with a Chinese and an English reason. Ingestion decides what a bad value means
(quarantine the row or keep it flagged); parsers only say what is wrong.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hecha.contract import PROGRAMS, RELATIONS, Column


class BadValue(ValueError):
    """A value that does not fit its column; `keep` is a usable replacement, if there is one."""

    def __init__(self, zh: str, en: str, keep: object = None) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh = zh
        self.en = en
        self.keep = keep

    @property
    def reason(self) -> str:
        return f"{self.zh} / {self.en}"


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(text: str) -> dt.date:
    """2026-10-05, 2026/10/5, 20261005, 2026年10月5日, 2026.10.05, or an Excel serial day number."""
    text = _nfkc(text)
    match = _DATE.match(text) or _DATE_COMPACT.match(text)
    if match is None:
        serial = text[:-2] if text.endswith(".0") else text
        if serial.isdigit() and 20000 <= int(serial) <= 80000:  # Excel serial (1954–2119) from a number cell
            return _EXCEL_EPOCH + dt.timedelta(days=int(serial))
        raise BadValue("日期格式无法识别", "date format not recognised")
    year, month, day = (int(g) for g in match.groups())
    if not 1800 <= year <= 2200:  # also keeps dates inside datetime64[ns]
        raise BadValue("日期超出合理范围", "date out of range")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise BadValue("日期不存在", "impossible date") from None


# The forms exports use, in ASCII digits without spaces: read for many texts at once.
_PLAIN_DATE = (
    r"^(?P<y>[0-9]{4})(?:[-/.年](?P<m>[0-9]{1,2})[-/.月](?P<d>[0-9]{1,2})日?|(?P<mm>[0-9]{2})(?P<dd>[0-9]{2}))$"
)
_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def parse_dates(texts: list[str]) -> tuple[pd.Series, dict[int, BadValue]]:
    """`parse_date` of many texts, as datetime64[ns] (NaT for empty or bad text) and the problems by position.

    Real dates in a plain form (2026-10-05, 2026/10/5, 2026年10月5日, 20261005) are read with
    pyarrow and numpy; every other text goes through parse_date itself.
    """
    out = np.full(len(texts), np.datetime64("NaT", "ns"))
    plain = np.zeros(len(texts), dtype=bool)
    parts = pc.extract_regex(pa.array(texts, type=pa.string()), _PLAIN_DATE)
    found = pc.is_valid(parts).to_numpy(zero_copy_only=False)
    if found.any():
        matched = parts.filter(pa.array(found))

        def number(*names: str) -> np.ndarray:
            fields = (pc.if_else(pc.equal(matched.field(n), ""), None, matched.field(n)) for n in names)
            return pc.cast(pc.coalesce(*fields), pa.int64()).to_numpy(zero_copy_only=False)

        year, month, day = number("y"), number("m", "mm"), number("d", "dd")
        leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
        month_ok = (month >= 1) & (month <= 12)
        days = _DAYS[np.where(month_ok, month, 0)] + ((month == 2) & leap)
        ok = (year >= 1800) & (year <= 2200) & month_ok & (day >= 1) & (day <= days)
        rows = np.flatnonzero(found)[ok]
        plain[rows] = True
        out[rows] = pd.to_datetime(pd.DataFrame({"year": year[ok], "month": month[ok], "day": day[ok]})).to_numpy()
    bad: dict[int, BadValue] = {}
    for k in np.flatnonzero(~plain):
        if texts[k]:
            try:
                out[k] = np.datetime64(parse_date(texts[k]), "ns")
            except BadValue as problem:
                bad[int(k)] = problem
    return pd.Series(out, dtype="datetime64[ns]"), bad


_PERIOD = re.compile(r"^(\d{4})\s*[-/.年]?\s*(\d{1,2})\s*月?$")
_SERIAL = re.compile(r"^\d{5}(?:\.0+)?$")


def parse_period(text: str) -> str:
    """2026-10, 2026/10, 202610, 2026年10月, a full date or an Excel serial day (46296) → '2026-10'."""
    text = _nfkc(text)
    if _SERIAL.match(text):
        date = parse_date(text.split(".")[0])
        return f"{date.year:04d}-{date.month:02d}"
    match = _PERIOD.match(text)
    if match is None:
        try:
            date = parse_date(text)
        except BadValue:
            raise BadValue("年月格式无法识别", "period (YYYY-MM) not recognised") from None
        return f"{date.year:04d}-{date.month:02d}"
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise BadValue("月份不存在", "impossible month")
    return f"{year:04d}-{month:02d}"


_MONEY_JUNK = re.compile(r"[\s,¥$元'’]|人民币|rmb|cny", re.IGNORECASE)


def _to_float(text: str) -> float | None:
    """Thousands separators (1,234 and 1'234), currency signs and words (¥ ￥ 元 人民币 RMB) removed."""
    cleaned = _MONEY_JUNK.sub("", _nfkc(text))  # NFKC turns ￥ and ， into ¥ and ,
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_money(text: str) -> float:
    """Decimal yuan: strips ¥/￥, 元, thousands separators and spaces."""
    value = _to_float(text)
    if value is None:
        raise BadValue("金额不是数字", "amount is not a number")
    return value


def parse_number(text: str) -> float:
    """A decimal quantity (area, capital), cleaned like money."""
    value = _to_float(text)
    if value is None:
        raise BadValue("不是数字", "not a number")
    return value


def parse_int(text: str) -> int:
    value = _to_float(text)
    if value is None or not value.is_integer():
        raise BadValue("不是整数", "not a whole number")
    return int(value)


def _code(text: str, digits: int) -> str:
    code = re.sub(r"\s", "", _nfkc(text))
    if code.endswith(".0"):  # a code that went through a spreadsheet as a number
        code = code[:-2]
    if digits == 6 and len(code) == 12 and code.endswith("000000"):
        code = code[:6]
    if len(code) != digits or not code.isdigit():
        raise BadValue(f"行政区划代码应为{digits}位数字", f"region code must be {digits} digits")
    return code


def parse_region(text: str) -> str:
    return _code(text, 12)


def parse_county(text: str) -> str:
    return _code(text, 6)


_PROGRAM_KEYS = {**{code: code for code in PROGRAMS}, **{label: code for code, label in PROGRAMS.items()}}


def parse_program(text: str) -> str:
    """A programme code (dibao_rural) or its Chinese label (农村低保) → the code."""
    key = re.sub(r"\s", "", _nfkc(text))
    code = _PROGRAM_KEYS.get(key) or _PROGRAM_KEYS.get(key.lower())
    if code is None:
        raise BadValue("救助类别无法识别", "unknown program")
    return code


RELATION_VARIANTS = {
    "本人": "户主",
    "妻子": "配偶",
    "妻": "配偶",
    "丈夫": "配偶",
    "夫": "配偶",
    "老婆": "配偶",
    "老公": "配偶",
    "儿子": "子",
    "长子": "子",
    "次子": "子",
    "三子": "子",
    "独子": "子",
    "养子": "子",
    "继子": "子",
    "女儿": "女",
    "长女": "女",
    "次女": "女",
    "三女": "女",
    "独女": "女",
    "养女": "女",
    "继女": "女",
    "父": "父亲",
    "爸爸": "父亲",
    "母": "母亲",
    "妈妈": "母亲",
    "孙": "孙子",
    "兄": "兄弟姐妹",
    "弟": "兄弟姐妹",
    "姐": "兄弟姐妹",
    "妹": "兄弟姐妹",
    "哥哥": "兄弟姐妹",
    "弟弟": "兄弟姐妹",
    "姐姐": "兄弟姐妹",
    "妹妹": "兄弟姐妹",
    "兄弟": "兄弟姐妹",
    "姐妹": "兄弟姐妹",
}
# Relations the contract vocabulary files under 其他 on purpose: mapped without a flag.
KNOWN_OTHER_RELATIONS = frozenset(
    [
        "儿媳",
        "女婿",
        "外孙",
        "外孙子",
        "外孙女",
        "祖父",
        "祖母",
        "外祖父",
        "外祖母",
        "侄子",
        "侄女",
        "岳父",
        "岳母",
        "公公",
        "婆婆",
        "曾孙子",
        "曾孙女",
    ]
)


def parse_relation(text: str) -> str:
    """Contract vocabulary; obvious variants mapped (儿子→子), anything else kept as 其他 and flagged."""
    key = re.sub(r"\s", "", _nfkc(text))
    if key in RELATIONS:
        return key
    if key in RELATION_VARIANTS:
        return RELATION_VARIANTS[key]
    if key in KNOWN_OTHER_RELATIONS:
        return "其他"
    raise BadValue("与户主关系无法识别，按“其他”处理", "unknown relation, kept as 其他", keep="其他")


_SEX = {"男": "M", "女": "F", "m": "M", "f": "F", "1": "M", "2": "F", "male": "M", "female": "F"}


def parse_sex(text: str) -> str:
    sex = _SEX.get(_nfkc(text).lower())
    if sex is None:
        raise BadValue("性别无法识别", "sex not recognised")
    return sex


_LEVEL_WORDS = {"无": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4, "0": 0}


def parse_disability_level(text: str) -> int:
    """0–4, 一级…四级, 1级, 无 → an integer 0–4."""
    key = re.sub(r"\s", "", _nfkc(text))
    key = key.removeprefix("残疾").removesuffix("级")
    if key.endswith(".0"):
        key = key[:-2]
    level = _LEVEL_WORDS.get(key)
    if level is None:
        raise BadValue("残疾等级应为0–4或一级至四级", "disability level must be 0–4 or 一级…四级")
    return level


_AREAS = {"城镇": "urban", "城市": "urban", "urban": "urban", "农村": "rural", "rural": "rural", "乡村": "rural"}


def parse_area(text: str) -> str:
    """城乡类别: 城镇/城市/urban → urban, 农村/乡村/rural → rural."""
    area = _AREAS.get(re.sub(r"\s", "", _nfkc(text)).lower())
    if area is None:
        raise BadValue("城乡类别应为城镇或农村", "area must be urban (城镇) or rural (农村)")
    return area


def parse_text(text: str) -> str:
    return text


def vocab_parser(column: Column) -> Callable[[str], str]:
    """A parser accepting exactly the column's closed vocabulary."""

    def parse(text: str) -> str:
        key = re.sub(r"\s", "", _nfkc(text))
        if key not in column.vocab:
            raise BadValue(f"「{column.zh}」取值不在规定范围内", f"value not in the {column.name} vocabulary")
        return key

    return parse


PARSERS: dict[str, Callable[[str], object]] = {
    "text": parse_text,
    "name": parse_text,
    "date": parse_date,
    "period": parse_period,
    "money": parse_money,
    "number": parse_number,
    "int": parse_int,
    "region": parse_region,
    "county": parse_county,
    "program": parse_program,
    "relation": parse_relation,
    "sex": parse_sex,
    "disability_level": parse_disability_level,
    "area": parse_area,
}


def parser_for(column: Column) -> Callable[[str], object]:
    """The parser of a (non-identity) column's kind."""
    if column.kind == "vocab":
        return vocab_parser(column)
    return PARSERS[column.kind]
