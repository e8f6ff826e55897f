"""The cases a campaign covers, with their observations, latest decision and money, in one frame."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine

from cases.schema import OPEN_STATUSES
from reports import data


def in_towns(frame: pd.DataFrame, towns: list[str] | None) -> pd.Series:
    """Towns by name (多宝镇) or by 9-digit code (county + town), as users' scopes store them."""
    if not towns:
        return pd.Series(True, index=frame.index)
    wanted = set(towns)
    return frame["town"].isin(wanted) | frame["region_code"].str[:9].isin(wanted)


def campaign_cases(
    engine: Engine,
    county: str,
    period_from: str,
    period_to: str,
    towns: list[str] | None,
    as_of: dt.datetime,
    overdue_days: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(cases seen in the window with outcome columns, their observations in the window)."""
    obs = data.observations(engine, county)
    window = obs[(obs.period >= period_from) & (obs.period <= period_to)]
    window = window[in_towns(window, towns)]
    cases = data.cases(engine, county)
    cases = cases[cases.case_id.isin(set(window.case_id))]
    outcomes = data.outcomes(engine, county)
    merged = cases.merge(outcomes, on="case_id", how="left")
    merged["decision"] = merged["decision"].fillna("")
    for amount in data.AMOUNTS:
        merged[amount] = merged[amount].astype(float).fillna(0.0)
    merged["decided"] = merged["decision"] != ""
    merged["positive"] = merged["decision"].isin(data.POSITIVE)
    merged["negative"] = merged["decision"].isin(data.NEGATIVE)
    merged["rectified"] = merged["decision"].isin(("rectified", "included"))
    merged["newly_covered"] = (merged["category"] == "missed") & merged["decision"].isin(("included", "rectified"))
    merged["open"] = merged["status"].isin(OPEN_STATUSES)
    cutoff = as_of - dt.timedelta(days=overdue_days)
    merged["overdue"] = merged["open"] & (pd.to_datetime(merged["created_at"]) < cutoff)
    merged["stopped"] = merged["monthly_amount_stopped"] > 0
    return merged.reset_index(drop=True), window
