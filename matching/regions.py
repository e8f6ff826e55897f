"""Region codes (行政区划代码): county (6) + town (3) + village (3) digits.

Two records in the same village are far more likely the same person than two in
different counties, so the comparison is a distance in this hierarchy.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# Comparison levels, closest first; NULL when either side has no code.
NULL, SAME_VILLAGE, SAME_TOWN, SAME_COUNTY, OTHER = -1, 0, 1, 2, 3
LEVEL_NAMES = {SAME_VILLAGE: "same_village", SAME_TOWN: "same_town", SAME_COUNTY: "same_county", OTHER: "other"}


def clean_codes(values: pd.Series) -> pd.Series:
    """12-digit codes as text; anything else becomes NA."""
    text = values.astype("string").str.strip()
    return text.where(text.str.fullmatch(r"\d{12}").fillna(False).astype(bool))


def as_number(codes: pd.Series) -> np.ndarray:
    """12-digit codes as int64 (0 = none), so levels are integer divisions, not string slices."""
    return pd.to_numeric(codes, errors="coerce").fillna(0).astype(np.int64).to_numpy()


def _town_only(codes: np.ndarray) -> np.ndarray:
    return (codes % 1_000 == 0) & (codes != 0)


def region_level(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Same village / town / county / other; NULL if a side has no code or only a town-level one."""
    out = np.full(len(left), OTHER, dtype=np.int8)
    out[left // 1_000_000 == right // 1_000_000] = SAME_COUNTY
    out[left // 1_000 == right // 1_000] = SAME_TOWN
    out[left == right] = SAME_VILLAGE
    out[(left == 0) | (right == 0) | _town_only(left) | _town_only(right)] = NULL
    return out


def town_level(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """For town-level codes (village digits 000, e.g. a cremation record): same town 0 / county 1 / other 2."""
    out = np.full(len(left), 2, dtype=np.int8)
    out[left // 1_000_000 == right // 1_000_000] = 1
    out[left // 1_000 == right // 1_000] = 0
    coarse = _town_only(left) | _town_only(right)
    out[~coarse | (left == 0) | (right == 0)] = NULL
    return out
