"""Names of administrative divisions by code (行政区划代码), from a table shipped with hecha.

The table (`reference/divisions.json`) is the National Bureau of Statistics' statistical
division codes: every province, prefecture and county of China, and the towns (乡镇、街道) of
Hubei province. A town the table lacks keeps the name the roll gives it, so a county outside
the table still gets a report, just with its own spelling.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pandas as pd

TABLE = Path(__file__).parent / "reference" / "divisions.json"
# Prefectures whose county-level cities report straight to the province (省直辖县级行政区划).
_DIRECT = {"省直辖县级行政区划", "自治区直辖县级行政区划"}


@functools.cache
def table() -> dict[str, str]:
    """code (2, 4, 6 or 9 digits) -> name."""
    return dict(json.loads(TABLE.read_text(encoding="utf-8"))["divisions"])


def source() -> str:
    return str(json.loads(TABLE.read_text(encoding="utf-8"))["source"])


def county_name(county: str) -> str:
    """`429006` → 天门市; an unknown code stays a code, with its kind said so a reader knows what it is."""
    return table().get(county, f"县（市、区）{county}")


def county_full_name(county: str) -> str:
    """`429006` → 湖北省天门市; `420111` → 湖北省武汉市洪山区 (the province and prefecture where known)."""
    names = table()
    if county not in names:
        return county_name(county)
    parts = [names.get(county[:2], ""), names.get(county[:4], ""), names[county]]
    return "".join(p for p in parts if p and p not in _DIRECT)


def town_names(region_codes: pd.Series, roll_towns: pd.Series) -> pd.Series:
    """The table's town name for each 12- or 9-digit region code; the roll's own name where it lacks the code."""
    names = table()
    from_table = region_codes.fillna("").astype(str).str[:9].map(names)
    return from_table.where(from_table.notna(), roll_towns.fillna("").astype(str))
