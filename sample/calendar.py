"""Months and ages: the anchor month, whole-year ages on the first day of a period."""

from __future__ import annotations

import numpy as np
import pandas as pd

DAY = np.timedelta64(1, "D")


def month_index(period: str) -> int:
    """Months since year 0 for a YYYY-MM period."""
    year, month = (int(x) for x in period.split("-"))
    return year * 12 + month - 1


def period_of(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def first_day(period: str) -> np.datetime64:
    return np.datetime64(period + "-01", "D")


def anchor_of(period: str) -> str:
    """The October at or before the period: the county world is rebuilt each October.

    Months October..September of one cycle share the same people and planted cases,
    so a run for 2026-11 is the 2026-10 county one month on.
    """
    index = month_index(period)
    return period_of(index - (index - 9) % 12)


def age_years(birth: pd.Series | np.ndarray, on: np.datetime64) -> np.ndarray:
    """Whole years on a date, from birth dates (birthday counts on the day itself)."""
    b = pd.DatetimeIndex(np.asarray(birth, dtype="datetime64[ns]"))
    d = pd.Timestamp(on)
    before = (b.month > d.month) | ((b.month == d.month) & (b.day > d.day))
    return np.asarray(d.year - b.year - before.astype(int), dtype=np.int64)


def add_years(day: np.datetime64, years: int) -> np.datetime64:
    """The same calendar day `years` earlier or later (29 Feb falls back to 28 Feb)."""
    ts = pd.Timestamp(day)
    try:
        return np.datetime64(ts.replace(year=ts.year + years).date(), "D")
    except ValueError:
        return np.datetime64(ts.replace(year=ts.year + years, day=28).date(), "D")


def ages_at(birth: pd.Series, on: pd.Series) -> np.ndarray:
    """Whole years between paired birth dates and dates (e.g. age at death)."""
    b, d = pd.to_datetime(birth), pd.to_datetime(on)
    before = (b.dt.month > d.dt.month) | ((b.dt.month == d.dt.month) & (b.dt.day > d.dt.day))
    return np.asarray(d.dt.year - b.dt.year - before.astype(int), dtype=np.int64)
