"""What an inspector reads about a link: per-field agreement and one Chinese sentence.

e.g. `身份证号一位不同；姓名同音；出生日期一致；同村` or
`无身份证号；姓名一致；年龄相符（火化记录 78 岁）；同镇`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from hecha.labels import agreement_zh
from matching.compare import FIELDS, LEVELS, NULL

FUZZY_FREE = ("exact", "upgraded_equal")  # id levels that need no fuzzy matching


def agreement(levels: Mapping[str, int]) -> dict[str, str]:
    """Field -> level name; a missing identity number is named, other NULL fields are left out."""
    out: dict[str, str] = {}
    for f in FIELDS:
        lv = int(levels[f])
        if lv != NULL:
            out[f] = LEVELS[f][lv]
        elif f == "id":
            out[f] = "missing"
    return out


def _age_text(left: Mapping[str, Any], right: Mapping[str, Any]) -> str:
    side = left if pd.notna(left["age"]) and left["birth_lo"] != left["birth_hi"] else right
    label = "火化记录" if side["death_source"] == "火化" else "死亡记录"
    age = side["age"]
    return f"年龄相符（{label} {int(age)} 岁）" if pd.notna(age) else "年龄相符"


def _same_written(left: Mapping[str, Any], right: Mapping[str, Any]) -> bool:
    return "".join(str(left["name"]).split()) == "".join(str(right["name"]).split())


def evidence_zh(agree: Mapping[str, str], left: Mapping[str, Any], right: Mapping[str, Any]) -> str:
    """One sentence, fields in a fixed order, parts joined by '；'."""
    parts: list[str] = []
    for f in FIELDS:
        level = agree.get(f)
        if level is None:
            continue
        if f == "id" and level == "missing":
            missing = "missing" in (left["id_status"], right["id_status"])
            parts.append("无身份证号" if missing else "身份证号无法比对")
        elif f == "name" and level == "exact" and not _same_written(left, right):
            parts.append("姓名一致（繁简或写法不同）")
        elif f == "age" and level == "consistent":
            parts.append(_age_text(left, right))
        elif phrase := agreement_zh(f, level):
            parts.append(phrase)
    return "；".join(parts)
