"""What an inspector reads about a link: per-field agreement and one Chinese sentence.

e.g. `身份证号一位不同；姓名同音；出生日期一致；同村` or
`无身份证号；姓名一致；年龄相符（火化记录 78 岁）；同镇`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
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
    return _age_phrase(side["death_source"], side["age"])


def _age_phrase(death_source: object, age: object) -> str:
    label = "火化记录" if death_source == "火化" else "死亡记录"
    return f"年龄相符（{label} {int(age)} 岁）" if pd.notna(age) else "年龄相符"  # type: ignore[call-overload]


def _written(name: object) -> str:
    return "".join(str(name).split())


def _same_written(left: Mapping[str, Any], right: Mapping[str, Any]) -> bool:
    return _written(left["name"]) == _written(right["name"])


def evidence_zh(agree: Mapping[str, str], left: Mapping[str, Any], right: Mapping[str, Any]) -> str:
    """One sentence, fields in a fixed order, parts joined by '；'."""
    missing = "missing" in (left["id_status"], right["id_status"])
    same_written = agree.get("name") != "exact" or _same_written(left, right)
    age = _age_text(left, right) if agree.get("age") == "consistent" else ""
    return sentence(agree, missing, same_written, age)


def sentence(agree: Mapping[str, str], missing: bool, same_written: bool, age: str) -> str:
    """The sentence from the agreement and the three facts of the records it needs.

    `missing`: a side has no number; `same_written`: the names are written alike
    (apart from spaces); `age`: the age phrase, for an age-consistent link.
    """
    parts: list[str] = []
    for f in FIELDS:
        level = agree.get(f)
        if level is None:
            continue
        if f == "id" and level == "missing":
            parts.append("无身份证号" if missing else "身份证号无法比对")
        elif f == "name" and level == "exact" and not same_written:
            parts.append("姓名一致（繁简或写法不同）")
        elif f == "age" and level == "consistent":
            parts.append(age)
        elif phrase := agreement_zh(f, level):
            parts.append(phrase)
    return "；".join(parts)


def link_facts(levels: pd.DataFrame, left: Mapping[str, np.ndarray], right: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """Per link, what its sentence depends on besides the levels (see `sentence`), as columns.

    `left` / `right`: the records' name, id_status, age, birth_lo, birth_hi and
    death_source, one array entry per link.
    """
    age_level = levels["age"].to_numpy() == LEVELS["age"].index("consistent")
    exact_name = levels["name"].to_numpy() == LEVELS["name"].index("exact")
    n = len(levels)
    same_written = np.ones(n, dtype=bool)
    for k in np.flatnonzero(exact_name):
        same_written[k] = _written(left["name"][k]) == _written(right["name"][k])
    age = np.full(n, "", dtype=object)
    for k in np.flatnonzero(age_level):
        side = left if pd.notna(left["age"][k]) and left["birth_lo"][k] != left["birth_hi"][k] else right
        age[k] = _age_phrase(side["death_source"][k], side["age"][k])
    return pd.DataFrame(
        {
            "missing": (left["id_status"] == "missing") | (right["id_status"] == "missing"),
            "same_written": same_written,
            "age": age,
        }
    )


def sentences(levels: pd.DataFrame, facts: pd.DataFrame) -> tuple[list[dict[str, str]], list[str]]:
    """Agreement dict and sentence per link, each computed once per distinct (levels, facts).

    A county's links fall into a few hundred patterns; every link still gets a
    dict of its own, so a reader may change one without changing the others.
    """
    keys = pd.concat([levels[list(FIELDS)].reset_index(drop=True), facts], axis=1)
    codes, distinct = pd.factorize(pd.MultiIndex.from_frame(keys))
    agree, text = [], []
    for row in distinct:
        lv = dict(zip(FIELDS, row[: len(FIELDS)], strict=True))
        missing, same_written, age = row[len(FIELDS) :]
        agree.append(agreement(lv))
        text.append(sentence(agree[-1], bool(missing), bool(same_written), str(age)))
    return [dict(agree[c]) for c in codes], [text[c] for c in codes]
