"""Ages and month arithmetic behind the overpayment estimates.

Months are counted as payment months (发放月份): a payment is made once a month,
so the months overpaid after a death are the whole months from the month after
the death up to and including the period.
"""

from __future__ import annotations

import pandas as pd


def missing(value: object) -> bool:
    """True for None, NaN, NaT and NA (pd.isna on a scalar, typed for mypy)."""
    if value is None:
        return True
    if isinstance(value, str):  # the common cases first: evidence reads many cells
        return False
    if isinstance(value, float):
        return value != value
    try:
        return bool(pd.isna(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):  # list-like values are present
        return False


def text(value: object, default: str = "") -> str:
    """A cell as text, `default` when it is missing or blank (NA-safe, unlike `x or default`)."""
    if missing(value):
        return default
    out = str(value).strip()
    return out or default


def month_number(day: pd.Timestamp) -> int:
    return int(day.year) * 12 + int(day.month) - 1


def months_after(day: object, period_start: pd.Timestamp) -> float:
    """Payment months strictly after `day`'s month up to and including the period (NaN if unknown)."""
    if missing(day):
        return float("nan")
    n = month_number(period_start) - month_number(pd.Timestamp(day))  # type: ignore[arg-type]
    return float(max(n, 0))


def months_since(day: object, period_start: pd.Timestamp) -> float:
    """Payment months from `day`'s month up to and including the period (enrolment, asset registration)."""
    n = months_after(day, period_start)
    return n if missing(n) else n + 1.0


def age_on(birth: object, day: pd.Timestamp) -> float:
    """Age in whole years on `day` (NaN if the birth date is unknown)."""
    if missing(birth):
        return float("nan")
    b = pd.Timestamp(birth)  # type: ignore[arg-type]
    years = day.year - b.year - ((day.month, day.day) < (b.month, b.day))
    return float(years)


def ages_on(births: pd.Series, day: pd.Timestamp) -> pd.Series:
    """Vectorised `age_on` (NaN where the birth date is unknown)."""
    b = pd.to_datetime(births, errors="coerce")
    before = (b.dt.month > day.month) | ((b.dt.month == day.month) & (b.dt.day > day.day))
    return (day.year - b.dt.year - before.astype(float)).astype(float)
