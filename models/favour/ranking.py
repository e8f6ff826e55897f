"""Which households make the list, and which villages need a visit first.

The list is capped (a share of roll households) and floored (a minimum score) so
that every entry can actually be verified in a month; a long list gets skimmed.
"""

from __future__ import annotations

import math

import pandas as pd

from hecha.policy import FavourPolicy

VILLAGE_COLUMNS = [
    "region_code",
    "town",
    "village",
    "households",
    "flagged",
    "mean_risk",
    "coverage_village",
    "coverage_town",
    "coverage_ratio",
]


def select_flagged(score: pd.Series, policy: FavourPolicy) -> pd.Series:
    """True for the highest scores, at most max_flag_share of households, none below min_score."""
    cap = math.floor(policy.max_flag_share * len(score))
    order = score.sort_values(ascending=False, kind="stable")
    top = order.index[:cap][order.iloc[:cap].to_numpy() >= policy.min_score]
    return pd.Series(score.index.isin(top), index=score.index)


def village_ranking(ctx: pd.DataFrame, score: pd.Series, flagged: pd.Series) -> pd.DataFrame:
    """Villages by mean favour risk, with coverage against their town (高覆盖村 first among equals)."""
    frame = ctx[["region_code", "town", "village", "coverage_village", "coverage_town"]].assign(
        score=score, flagged=flagged.astype(int)
    )
    v = frame.groupby("region_code", dropna=False).agg(
        town=("town", "first"),
        village=("village", "first"),
        households=("score", "size"),
        flagged=("flagged", "sum"),
        mean_risk=("score", "mean"),
        coverage_village=("coverage_village", "first"),
        coverage_town=("coverage_town", "first"),
    )
    v["coverage_ratio"] = v["coverage_village"] / v["coverage_town"]
    v = v.reset_index().sort_values(["mean_risk", "flagged"], ascending=False, kind="stable")
    return v[VILLAGE_COLUMNS].round({"mean_risk": 4, "coverage_village": 4, "coverage_town": 4, "coverage_ratio": 3})
