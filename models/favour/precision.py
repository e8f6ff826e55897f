"""How often inspectors confirm what each rule and each model version flags.

Reported every month so a county sees which rules earn its inspectors' time; a
rule or model whose precision falls is the first thing to retune.
"""

from __future__ import annotations

import pandas as pd

from models.favour.store import CLEARED, CONFIRMED

PRECISION_COLUMNS = ["finding", "confirmed", "cleared", "precision"]


def _table(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    d = frame.assign(
        confirmed=frame["decision"].isin(CONFIRMED).astype(int),
        cleared=frame["decision"].isin(CLEARED).astype(int),
    )
    t = d.groupby(key, dropna=False)[["confirmed", "cleared"]].sum().reset_index()
    decided = t["confirmed"] + t["cleared"]
    t["precision"] = (t["confirmed"] / decided.where(decided > 0)).round(4)
    return t[t["confirmed"] + t["cleared"] > 0].reset_index(drop=True)


def precision_by_rule(outcomes: pd.DataFrame | None) -> pd.DataFrame:
    """Per finding code: confirmed (confirmed/included/rectified), cleared, precision."""
    if outcomes is None or outcomes.empty:
        return pd.DataFrame(columns=PRECISION_COLUMNS)
    return _table(outcomes, "finding")[PRECISION_COLUMNS]


def precision_by_model(outcomes: pd.DataFrame | None, snapshots: pd.DataFrame) -> pd.DataFrame:
    """FAVOUR_RISK precision per model (kind, version) that put the household on the list that month."""
    cols = ["model", "confirmed", "cleared", "precision"]
    if outcomes is None or outcomes.empty or snapshots.empty:
        return pd.DataFrame(columns=cols)
    o = outcomes[outcomes["finding"] == "FAVOUR_RISK"].astype({"household_id": str, "period": str})
    s = snapshots[snapshots["flagged"]][["household_id", "period", "model_kind", "model_version"]]
    m = o.merge(s.astype({"household_id": str, "period": str}), on=["household_id", "period"])
    if m.empty:
        return pd.DataFrame(columns=cols)
    m["model"] = m["model_kind"] + "-" + m["model_version"]
    return _table(m, "model")[cols]
