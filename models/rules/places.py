"""Where a finding belongs: every case must reach a township's queue.

Some sources carry no region (the disability registry, payroll, property): a
finding resting on them takes the person's region from the person index
(household registry first, then the roll), and town and village names from the
roll's own labels for that region code.
"""

from __future__ import annotations

import pandas as pd

from hecha.dataset import Dataset
from hecha.index import PersonIndex

_PREFERENCE = ("household_registry", "roll", "poverty_registry", "deaths", "cadres")


def _person_regions(index: PersonIndex, persons: pd.Series) -> pd.Series:
    """person_id -> 12-digit region code, from the most authoritative source that has one (for `persons`)."""
    rec = index.records
    rec = rec[rec["person_id"].isin(persons)]
    rec = rec[rec["region_code"].fillna("").astype(str).str.len() == 12]
    rank = rec["source"].map({s: i for i, s in enumerate(_PREFERENCE)}).fillna(len(_PREFERENCE))
    # listed in two hukous in two places (一人多户): the roll says where the person lives now
    listed = rec[rec["source"] == "household_registry"].groupby("person_id")["region_code"].nunique()
    two_places = (rec["source"] == "household_registry") & rec["person_id"].isin(listed.index[listed > 1])
    rank = rank.where(~two_places, 1.5)
    ordered = rec.assign(_rank=rank).sort_values(["_rank", "row"], kind="stable")
    return ordered.drop_duplicates("person_id").set_index("person_id")["region_code"].astype(str)


def _place_names(dataset: Dataset) -> pd.DataFrame:
    """region_code -> town, village as the roll names them."""
    roll = dataset.frames["roll"]
    names = roll[["region_code", "town", "village"]].dropna(subset=["region_code"])
    return names.drop_duplicates("region_code").set_index("region_code")


def fill_places(findings: pd.DataFrame, dataset: Dataset, index: PersonIndex) -> pd.DataFrame:
    """Fill an empty region_code from the person's records, and empty town/village names from the roll."""
    if findings.empty:
        return findings
    out = findings.copy()
    region = out["region_code"].fillna("").astype(str)
    missing = region.eq("") & out["person_id"].fillna("").astype(str).ne("")
    if missing.any():
        persons = out.loc[missing, "person_id"]
        out.loc[missing, "region_code"] = persons.map(_person_regions(index, persons)).fillna("")
    names = _place_names(dataset)
    for col in ("town", "village"):
        empty = out[col].fillna("").astype(str).eq("")
        out.loc[empty, col] = out.loc[empty, "region_code"].map(names[col]).fillna("")
    return out
