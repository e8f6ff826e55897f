"""Model versions, saved models with their cards, and per-month feature snapshots.

Snapshots exist because a household confirmed as favour-based is taken off the
roll: next month its features are gone, yet its label is the most valuable one.
Training therefore joins each decision with the features the household had in
the month it was flagged.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import pandas as pd

from models.favour.features import FEATURE_NAMES

ANOMALY = "anomaly_score"  # the unsupervised score, a feature of the supervised model

CONFIRMED = frozenset({"confirmed", "included", "rectified"})
CLEARED = frozenset({"cleared"})


@dataclass(frozen=True)
class ModelStore:
    """The folder where one county's risk models and monthly feature snapshots persist across months.

    The flow chooses it and hands it to the favour stage, so the stage itself opens nothing it was not given.
    """

    root: Path

    def save_model(self, model: object, card: dict[str, Any]) -> Path:
        return save_model(model, card, self.root)

    def snapshots(self, county: str) -> pd.DataFrame:
        return load_snapshots(self.root, county)

    def save_snapshot(self, frame: pd.DataFrame, county: str, period: str) -> None:
        save_snapshot(frame, self.root, county, period)


def model_version(X: pd.DataFrame, params: dict[str, Any], labels: pd.Series | None) -> str:
    """Hash of the training features, the parameters and the training labels."""
    h = hashlib.sha256()
    h.update(pd.util.hash_pandas_object(X.round(9), index=True).to_numpy().tobytes())
    h.update(json.dumps(params, sort_keys=True, default=str).encode())
    if labels is not None:
        h.update(pd.util.hash_pandas_object(labels, index=True).to_numpy().tobytes())
    return h.hexdigest()[:12]


def save_model(model: object, card: dict[str, Any], model_dir: Path) -> Path:
    """model_dir/<kind>-<version>.joblib plus a JSON card beside it; idempotent per version."""
    model_dir.mkdir(parents=True, exist_ok=True)
    path = model_dir / f"{card['kind']}-{card['version']}.joblib"
    if not path.exists():
        joblib.dump(model, path)
    path.with_suffix(".json").write_text(json.dumps(card, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    return path


def _snap_path(model_dir: Path, county: str, period: str) -> Path:
    return model_dir / "snapshots" / f"{county}_{period}.parquet"


def save_snapshot(frame: pd.DataFrame, model_dir: Path, county: str, period: str) -> None:
    """Features, anomaly score and model version of every scored household this month."""
    path = _snap_path(model_dir, county, period)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.reset_index(names="household_id").assign(period=period).to_parquet(path, index=False)


def load_snapshots(model_dir: Path, county: str) -> pd.DataFrame:
    paths = sorted((model_dir / "snapshots").glob(f"{county}_*.parquet"))
    if not paths:
        return pd.DataFrame()
    return pd.concat([pd.read_parquet(p) for p in paths], ignore_index=True)


def favour_labels(outcomes: pd.DataFrame | None) -> pd.DataFrame:
    """Latest FAVOUR_RISK decision per (household_id, period): label 1 confirmed, 0 cleared."""
    cols = ["household_id", "period", "label"]
    if outcomes is None or outcomes.empty:
        return pd.DataFrame(columns=cols)
    o = outcomes[(outcomes["finding"] == "FAVOUR_RISK") & outcomes["decision"].isin(CONFIRMED | CLEARED)].copy()
    o["label"] = o["decision"].isin(CONFIRMED).astype(int)
    if "decided_at" in o:
        o = o.sort_values("decided_at", kind="stable")
    o = o.drop_duplicates(["household_id", "period"], keep="last")
    return o[cols].astype({"household_id": str, "period": str})


def training_set(
    labels: pd.DataFrame, snapshots: pd.DataFrame, current: pd.DataFrame, period: str
) -> tuple[pd.DataFrame, pd.Series]:
    """Features as they were when each decided household was flagged; this month's as a fallback."""
    cols = [*FEATURE_NAMES, ANOMALY]
    # Snapshots written before a feature existed lack it: those rows fall back to this month's features.
    snapshots = snapshots.reindex(columns=["household_id", "period", *cols]).dropna(subset=cols)
    if labels.empty:
        return pd.DataFrame(columns=cols), pd.Series(dtype=int)
    cur = current[cols].reset_index(names="household_id").assign(period=period)
    parts = [snapshots[snapshots["period"] != period], cur] if not snapshots.empty else [cur]
    pool = pd.concat(parts, ignore_index=True).astype({"household_id": str, "period": str})
    exact = labels.merge(pool, on=["household_id", "period"], how="inner")
    rest = labels[
        ~labels.set_index(["household_id", "period"]).index.isin(exact.set_index(["household_id", "period"]).index)
    ]
    fallback = rest.drop(columns="period").merge(
        cur.drop(columns="period").astype({"household_id": str}), on="household_id"
    )
    train = pd.concat([exact, fallback], ignore_index=True).sort_values(["household_id", "period"], kind="stable")
    train.index = train["household_id"] + "@" + train["period"].fillna(period)
    return train[cols].astype(float), train["label"].astype(int)


def reliable_negatives(current: pd.DataFrame, labels: pd.DataFrame, snapshots: pd.DataFrame) -> pd.DataFrame:
    """Households this month that are very probably not favour-based: positive-unlabelled learning.

    Inspectors decide only flagged households, and most flagged ones are never decided, so
    confirmed vs cleared alone is a small, biased sample (the cleared are the hard cases at the
    top). The flagged-but-undecided must stay out of training: calling them negatives would teach
    the model that its own list is clean. Households no model has ever flagged and no inspector
    decided are another matter: favour-based households are a percent or two of a roll, so
    taken as negatives they are wrong about one time in fifty or more rarely. They are not
    chosen by their anomaly score: negatives picked for a low score would let the score alone
    separate the classes, and the model would learn nothing else.
    """
    decided = set(labels["household_id"].astype(str)) if not labels.empty else set()
    ever: set[str] = set()
    if not snapshots.empty and "flagged" in snapshots:
        ever = set(snapshots.loc[snapshots["flagged"].astype(bool), "household_id"].astype(str))
    return current[~current.index.astype(str).isin(decided | ever)]
