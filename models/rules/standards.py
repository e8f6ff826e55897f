"""Monthly standards (保障标准) in force on the first day of the period.

Standards are data from the `standards` source, never code: per program the
latest row whose 执行日期 (effective_from) is on or before the period's first
day; 高龄津贴 (elderly_allowance) has one standard per minimum-age tier. A file
may add an `area` column (urban/rural, 城市/农村) where one program code has
two standards, as 特困 (tekun) does; without it the higher one is used, so an
amount is only called excessive when it exceeds every standard it could be.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from models.rules.amounts import missing

STANDARD_COLUMNS = ["program", "min_age", "area", "monthly_amount", "effective_from", "_row"]
AREAS = {"urban": "urban", "城市": "urban", "城镇": "urban", "rural": "rural", "农村": "rural"}


def standards_on(standards: pd.DataFrame, county: str, day: pd.Timestamp) -> pd.DataFrame:
    """One row per (program, min_age tier): the standard in force on `day` (min_age 0 = untiered)."""
    df = standards.copy()
    for col in ("min_age", "area"):
        if col not in df.columns:
            df[col] = pd.NA
    df["area"] = df["area"].map(lambda a: AREAS.get(str(a).strip().lower(), "") if not missing(a) else "")
    own = df[df["region_code"].astype(str).str[:6] == str(county)[:6]]
    df = own if not own.empty else df  # a county file may omit its own code: use what is given
    df = df[df["effective_from"].notna() & (df["effective_from"] <= day)]
    if df.empty:
        return pd.DataFrame(columns=STANDARD_COLUMNS)
    df = df.assign(tier=pd.to_numeric(df["min_age"], errors="coerce").fillna(0).astype(int))
    df = df.sort_values(["program", "tier", "area", "effective_from", "_row"])
    latest = df.groupby(["program", "tier", "area"], as_index=False).tail(1)
    latest = latest.assign(min_age=latest["tier"])
    return latest[STANDARD_COLUMNS].reset_index(drop=True)


def standard_for(
    table: pd.DataFrame, program: str, age: float | None = None, urban: bool | None = None
) -> dict[str, Any] | None:
    """The standard for one program: for a tiered program the highest tier this age reaches;
    for an area-split program the person's area (urban or rural), else the higher of the two."""
    rows = _tiers(table).get(program)
    if not rows:
        return None
    if urban is not None and any(r["area"] for r in rows):
        own = [r for r in rows if r["area"] == ("urban" if urban else "rural")]
        rows = own or rows
    if rows[-1]["min_age"] > 0:
        if missing(age):
            return None
        reached = [r for r in rows if r["min_age"] <= float(age)]  # type: ignore[arg-type]
        if not reached:
            return None
        rows = [r for r in reached if r["min_age"] == reached[-1]["min_age"]]
    return max(rows, key=lambda r: float(r["monthly_amount"]))


def min_age(table: pd.DataFrame, program: str = "elderly_allowance") -> int | None:
    """The lowest minimum age of a tiered program (高龄津贴 80), or None without a standard."""
    tiers = [t for t in _tiers(table).get(program, []) if t["min_age"] > 0]
    return int(tiers[0]["min_age"]) if tiers else None


def _tiers(table: pd.DataFrame) -> dict[str, list[dict[str, Any]]]:
    """program -> its rows sorted by min_age, built once per table (kept in the frame's attrs)."""
    cached = table.attrs.get("_tiers")
    if cached is None:
        cached = {}
        for program, rows in table.sort_values("min_age").groupby("program"):
            cached[str(program)] = rows.to_dict("records")
        table.attrs["_tiers"] = cached
    return cached
