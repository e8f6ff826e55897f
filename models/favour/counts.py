"""Counts per group from integer codes, for favour features over the 1M-row household registry.

`groupby(...).nunique()` and `drop_duplicates` on text columns hash and sort a
million texts each time; factorizing a column once and counting distinct pairs
of integer codes gives the same numbers in a fraction of the time. The idiom is
that of `matching/distinct.py`, which models may not import (side-by-side floors).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def nunique_per(groups: pd.Series, values: pd.Series) -> pd.Series:
    """`values.groupby(groups).nunique()`: distinct non-missing values per group, groups sorted, missing ones dropped."""
    g, keys = pd.factorize(groups, sort=True)
    v = pd.factorize(values)[0].astype(np.int64) + 1  # 0: missing, never counted
    width = int(v.max(initial=0)) + 1
    seen = g >= 0
    pairs = np.unique(g[seen].astype(np.int64) * width + v[seen])
    pairs = pairs[pairs % width > 0]
    counts = np.bincount(pairs // width, minlength=len(keys))
    return pd.Series(counts, index=pd.Index(keys, name=groups.name), name=values.name)


def first_rows(codes: np.ndarray, preferred: np.ndarray) -> np.ndarray:
    """Position of one row per code (codes 0..n-1, each present), in code order: its first `preferred` row, else its first row."""
    first = np.unique(codes, return_index=True)[1]
    marked = np.flatnonzero(preferred)
    found, at = np.unique(codes[marked], return_index=True)
    first[found] = marked[at]
    return first
