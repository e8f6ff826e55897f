"""What happened to the flags: notified, decided, confirmed, cleared, money, timeliness.

One frame per case (`case_outcomes`), then the same outcome table by town and by rule for
the monthly and the campaign report, so both count the same way. Everything is read
through `reports.data`; a new kind of due-process event only needs a column here.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine

from cases.schema import OPEN_STATUSES
from hecha.labels import finding_zh
from reports import data

OUTCOME_COLUMNS = [
    "线索",
    "已告知",
    "已核查",
    "属实",
    "误报",
    "准确率",
    "停发（元/月）",
    "追回（元）",
    "补发（元）",
    "新纳入",
    "超期未办结",
]


def case_outcomes(
    engine: Engine, county: str, as_of: dt.datetime, overdue_days: int, deadline_days: int
) -> pd.DataFrame:
    """Every case of the county with its latest decision, money moved and timeliness flags."""
    cases = data.cases(engine, county)
    merged = cases.merge(data.outcomes(engine, county), on="case_id", how="left")
    merged["decision"] = merged["decision"].fillna("")
    for amount in data.AMOUNTS:
        merged[amount] = merged[amount].astype(float).fillna(0.0)
    merged["decided"] = merged["decision"] != ""
    merged["positive"] = merged["decision"].isin(data.POSITIVE)
    merged["negative"] = merged["decision"].isin(data.NEGATIVE)
    merged["rectified"] = merged["decision"].isin(("rectified", "included"))
    merged["newly_covered"] = (merged["category"] == "missed") & merged["decision"].isin(("included", "rectified"))
    merged["open"] = merged["status"].isin(OPEN_STATUSES)
    created = pd.to_datetime(merged["created_at"])
    merged["overdue"] = merged["open"] & (created < as_of - dt.timedelta(days=overdue_days))
    merged["stopped"] = merged["monthly_amount_stopped"] > 0
    merged["notified"] = merged["case_id"].isin(set(data.first_event_at(engine, county, "notified").index))
    first_decision = merged["case_id"].map(data.first_event_at(engine, county, "decision"))
    merged["first_decided_at"] = pd.to_datetime(first_decision)
    merged["decided_in_time"] = merged["decided"] & (
        (merged["first_decided_at"] - created) <= pd.Timedelta(days=deadline_days)
    )
    return merged.reset_index(drop=True)


def _rate(numerator: float, denominator: float) -> float:
    return float(numerator) / float(denominator) if denominator else float("nan")


def _row(part: pd.DataFrame) -> dict[str, float | int]:
    pos, neg = int(part.positive.sum()), int(part.negative.sum())
    return {
        "线索": len(part),
        "已告知": int(part.notified.sum()),
        "已核查": int(part.decided.sum()),
        "属实": pos,
        "误报": neg,
        "准确率": _rate(pos, pos + neg),
        "停发（元/月）": round(float(part.monthly_amount_stopped.sum()), 2),
        "追回（元）": round(float(part.amount_recovered.sum()), 2),
        "补发（元）": round(float(part.back_pay.sum()), 2),
        "新纳入": int(part.newly_covered.sum()),
        "超期未办结": int(part.overdue.sum()),
    }


def outcome_table(cases: pd.DataFrame, by: str) -> pd.DataFrame:
    """One row per town (`by="town"`) or rule (`by="finding"`, named in Chinese), most flags first, and a total."""
    label = {"town": "乡镇", "finding": "规则"}[by]
    rows = []
    for key, part in cases.groupby(by, sort=False):
        rows.append({label: finding_zh(str(key)) if by == "finding" else str(key), **_row(part)})
    frame = pd.DataFrame(rows, columns=[label, *OUTCOME_COLUMNS])
    frame = frame.sort_values(["线索", label], ascending=[False, True], kind="stable").reset_index(drop=True)
    if len(cases):
        frame = pd.concat([frame, pd.DataFrame([{label: "合计", **_row(cases)}])], ignore_index=True)
    return frame


def timeliness(cases: pd.DataFrame, periods: list[str], run_periods: set[str], deadline_days: int) -> pd.DataFrame:
    """Per month first flagged: cases decided, and the share of them decided within the deadline (NaN: no run)."""
    rows = []
    for period in periods:
        part = cases[cases.first_period == period]
        ran = period in run_periods
        decided = int(part.decided.sum())
        rows.append(
            {
                "月份": period,
                "线索": len(part) if ran else float("nan"),
                "已核查": decided if ran else float("nan"),
                f"{deadline_days}天内核查": int(part.decided_in_time.sum()) if ran else float("nan"),
                "按期核查率": _rate(part.decided_in_time.sum(), decided) if ran else float("nan"),
            }
        )
    return pd.DataFrame(rows)


def money_by_month(events: pd.DataFrame, case_ids: set[str], periods: list[str], run_periods: set[str]) -> pd.DataFrame:
    """Per month of the decision: payments stopped (yuan/month), money recovered, back pay.

    A month with neither a run nor a decision is NaN (a gap); decisions go on after the last run.
    """
    part = events[events.case_id.isin(case_ids)].copy()
    part["month"] = pd.to_datetime(part["at"]).dt.strftime("%Y-%m")
    columns = ["monthly_amount_stopped", "amount_recovered", "back_pay"]
    sums = part.groupby("month")[columns].sum().reindex(periods, fill_value=0.0)
    frame = pd.DataFrame(
        {
            "月份": periods,
            "停发（元/月）": sums["monthly_amount_stopped"].to_numpy(),
            "追回（元）": sums["amount_recovered"].to_numpy(),
            "补发（元）": sums["back_pay"].to_numpy(),
        }
    )
    quiet = ~frame["月份"].isin(run_periods) & ~frame["月份"].isin(set(part["month"]))
    frame.loc[quiet, frame.columns[1:]] = float("nan")  # no run and no decision: a gap, not a zero
    return frame
