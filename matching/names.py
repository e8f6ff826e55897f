"""Chinese personal names (姓名) for matching: one written form and one sound key.

Clerks type the same person as 張偉 / 张伟 / 张 伟 / 張伟, minority names as
阿卜杜拉·艾力 / 阿卜杜拉•艾力 / 阿卜杜拉艾力, and same-sound typos (张伟 / 张玮).
`name_norm` makes the written forms equal; `name_sound` (toneless pinyin) makes
the same-sound forms equal. Both work character by character with a cache, so a
1M-row registry costs one conversion per distinct character, not per row.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

import pandas as pd
from opencc import OpenCC
from pypinyin import Style, lazy_pinyin

_T2S = OpenCC("t2s")
# Separators inside transliterated minority names, after NFKC; "none" is the fourth form.
_SEPARATORS = re.compile(r"[\s·•.・‧∙⋅‐\-_]+")

# Surnames read differently from the character's everyday reading (单 shan, not dan).
SURNAME_READINGS: dict[str, str] = {
    "单": "shan",
    "曾": "zeng",
    "解": "xie",
    "区": "ou",
    "仇": "qiu",
    "朴": "piao",
    "查": "zha",
    "翟": "zhai",
    "盖": "ge",
    "缪": "miao",
    "覃": "qin",
    "尉": "yu",
    "乐": "yue",
    "召": "shao",
    "种": "chong",
    "秘": "bi",
    "长": "chang",
    "沈": "shen",
    "折": "she",
    "员": "yun",
    "繁": "po",
    "句": "gou",
    "牟": "mou",
    "那": "na",
    "过": "guo",
    "华": "hua",
    "燕": "yan",
    "莘": "shen",
    "隗": "wei",
    "宓": "mi",
}
# Compound surnames whose reading differs character by character.
COMPOUND_SURNAMES: dict[str, str] = {
    "尉迟": "yu chi",
    "单于": "chan yu",
    "万俟": "mo qi",
    "长孙": "zhang sun",
    "令狐": "ling hu",
    "澹台": "tan tai",
    "皇甫": "huang fu",
    "欧阳": "ou yang",
    "上官": "shang guan",
    "司马": "si ma",
    "诸葛": "zhu ge",
    "东方": "dong fang",
    "慕容": "mu rong",
    "公孙": "gong sun",
}


@lru_cache(maxsize=200_000)
def _char_simplified(ch: str) -> str:
    return str(_T2S.convert(ch))


@lru_cache(maxsize=200_000)
def _char_sound(ch: str) -> str:
    return lazy_pinyin(ch, style=Style.NORMAL, errors=lambda c: c)[0]


class _CharTable(dict[int, str]):
    """A `str.translate` table that fills itself: code point → `fn(character)`, each computed once."""

    def __init__(self, fn: Callable[[str], str]) -> None:
        super().__init__()
        self.fn = fn

    def __missing__(self, code: int) -> str:
        self[code] = value = self.fn(chr(code))
        return value


_SIMPLIFIED = _CharTable(_char_simplified)
_SPACED_SOUNDS = _CharTable(lambda ch: " " + _char_sound(ch))  # " ".join of the sounds, as one translate


def normalise_name(raw: object) -> str:
    """NFKC, no spaces or minority-name separators, traditional → simplified."""
    if raw is None or (isinstance(raw, float) and raw != raw):
        return ""
    text = _SEPARATORS.sub("", unicodedata.normalize("NFKC", str(raw)))
    return text.translate(_SIMPLIFIED)


def name_sound(norm: str) -> str:
    """Toneless pinyin of a normalised name, reading the first character(s) as a surname."""
    if not norm:
        return ""
    head = COMPOUND_SURNAMES.get(norm[:2])
    if head is not None:
        rest = norm[2:]
    else:
        head = SURNAME_READINGS.get(norm[0]) or _char_sound(norm[0])
        rest = norm[1:]
    return head + rest.translate(_SPACED_SOUNDS)


def normalise_names(values: pd.Series) -> pd.DataFrame:
    """`name_norm` and `name_sound` for a column, computed once per distinct value."""
    uniques = pd.unique(values.astype("object"))
    norms = {u: normalise_name(u) for u in uniques}
    sounds = {n: name_sound(n) for n in set(norms.values())}
    name_norm = values.astype("object").map(norms)
    return pd.DataFrame(
        {"name_norm": name_norm, "name_sound": name_norm.map(sounds)},
        index=values.index,
    )
