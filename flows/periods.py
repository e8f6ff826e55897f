"""Months: which one a schedule reconciles, and the months of a backfill, in order."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def previous_period(today: dt.date) -> str:
    """The county-month to reconcile on `today`: the month before."""
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    return f"{last_month.year:04d}-{last_month.month:02d}"


def period_due(fired_at: dt.datetime, timezone: str) -> str:
    """The month a run fired at `fired_at` reconciles: the month before, *in the bureau's time zone*.

    `fired_at` is the run's scheduled time, not the clock when it runs, so a retry after
    midnight on the 1st still reconciles the month it was scheduled for.
    """
    if fired_at.tzinfo is None:
        fired_at = fired_at.replace(tzinfo=dt.UTC)
    return previous_period(fired_at.astimezone(ZoneInfo(timezone)).date())


def months(first: str, last: str) -> list[str]:
    """Every YYYY-MM from `first` to `last`, both included, in calendar order."""
    year, month = (int(x) for x in first.split("-"))
    end = tuple(int(x) for x in last.split("-"))
    out: list[str] = []
    while (year, month) <= end:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out
