"""The cases a campaign covers, with their observations, latest decision and money, in one frame."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine

from reports import data
from reports.outcomes import case_outcomes


def in_towns(frame: pd.DataFrame, towns: list[str] | None) -> pd.Series:
    """Towns by name (多宝镇, as the table or the roll spells it) or by 9-digit code (county + town)."""
    if not towns:
        return pd.Series(True, index=frame.index)
    wanted = set(towns)
    by_name = frame["town"].isin(wanted) | frame["town_roll"].isin(wanted)
    return by_name | frame["region_code"].str[:9].isin(wanted)


def campaign_cases(
    engine: Engine,
    county: str,
    period_from: str,
    period_to: str,
    towns: list[str] | None,
    as_of: dt.datetime,
    overdue_days: int,
    deadline_days: int = 10,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(cases seen in the window with outcome columns, their observations in the window)."""
    obs = data.observations(engine, county)
    window = obs[(obs.period >= period_from) & (obs.period <= period_to)]
    window = window[in_towns(window, towns)]
    cases = case_outcomes(engine, county, as_of, overdue_days, deadline_days)
    return cases[cases.case_id.isin(set(window.case_id))].reset_index(drop=True), window
