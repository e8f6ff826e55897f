"""Name normalisation: one written form, one sound key."""

from __future__ import annotations

import pandas as pd
import pytest

from matching.names import name_sound, normalise_name, normalise_names


@pytest.mark.parametrize(
    ("raw", "norm"),
    [
        ("張偉", "张伟"),
        ("张 伟", "张伟"),
        ("ＺＨＡＮＧ", "ZHANG"),  # full-width letters (NFKC)
        ("阿卜杜拉·艾力", "阿卜杜拉艾力"),
        ("阿卜杜拉•艾力", "阿卜杜拉艾力"),
        ("阿卜杜拉.艾力", "阿卜杜拉艾力"),
        ("阿卜杜拉・艾力", "阿卜杜拉艾力"),
        ("阿卜杜拉艾力", "阿卜杜拉艾力"),
        (None, ""),
    ],
)
def test_normalise_name(raw: object, norm: str) -> None:
    """It removes spaces and separators and converts traditional to simplified characters."""
    assert normalise_name(raw) == norm


def test_same_sound_names_share_a_key() -> None:
    """王秀英 and 王秀瑛, 张伟 and 張偉 and 张玮 sound alike."""
    assert name_sound(normalise_name("王秀英")) == name_sound(normalise_name("王秀瑛")) == "wang xiu ying"
    assert name_sound(normalise_name("張偉")) == name_sound("张玮") == "zhang wei"
    assert name_sound("王秀英") != name_sound("王秀兰")


@pytest.mark.parametrize(
    ("name", "sound"),
    [
        ("单田芳", "shan tian fang"),
        ("曾国藩", "zeng guo fan"),
        ("解缙", "xie jin"),
        ("区永", "ou yong"),
        ("仇英", "qiu ying"),
        ("朴正", "piao zheng"),
        ("查良镛", "zha liang yong"),
        ("翟明", "zhai ming"),
        ("尉迟恭", "yu chi gong"),
        ("单于云", "chan yu yun"),
        ("简单", "jian dan"),  # 单 in a given name keeps its everyday reading
    ],
)
def test_polyphonic_surnames(name: str, sound: str) -> None:
    """The first character (or a compound surname) is read as a surname."""
    assert name_sound(name) == sound


def test_normalise_names_aligns_to_the_index() -> None:
    """It returns both keys for every row, computed once per distinct value."""
    values = pd.Series(["張偉", "张伟", None, "張偉"], index=[10, 11, 12, 13])
    out = normalise_names(values)
    assert list(out.index) == [10, 11, 12, 13]
    assert list(out["name_norm"]) == ["张伟", "张伟", "", "张伟"]
    assert out.loc[12, "name_sound"] == ""
