"""Counts per group from integer codes, for favour features over the 1M-row household registry.

`groupby(...).nunique()` and `drop_duplicates` on text columns hash and sort a
million texts each time; factorizing a column once and counting distinct pairs
of integer codes gives the same numbers in a fraction of the time (`hecha.runs`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hecha.runs import run_starts


def nunique_per(groups: pd.Series, values: pd.Series) -> pd.Series:
    """`values.groupby(groups).nunique()`, groups in order of appearance: distinct non-missing values per group.

    Missing groups are dropped, as groupby drops them. The (group, value) code pairs
    are deduplicated by hashing integers (np.unique sorts, and is slower here).
    """
    g, keys = pd.factorize(groups)
    v = pd.factorize(values)[0].astype(np.int64) + 1  # 0: missing, never counted
    width = int(v.max(initial=0)) + 1
    seen = (g >= 0) & (v > 0)
    pairs = pd.unique(g[seen].astype(np.int64) * width + v[seen])
    counts = np.bincount(pairs // width, minlength=len(keys))
    return pd.Series(counts, index=pd.Index(keys, name=groups.name), name=values.name)


def first_of_codes(codes: np.ndarray) -> np.ndarray:
    """Position of the first row of each code, in code order (a stable sort keeps rows in order within a code)."""
    order = np.argsort(codes, kind="stable")
    return order[run_starts(codes[order])]


def first_rows(codes: np.ndarray, preferred: np.ndarray) -> np.ndarray:
    """Position of one row per code (codes 0..n-1, each present), in code order: its first `preferred` row, else its first row."""
    first = first_of_codes(codes)
    marked = np.flatnonzero(preferred)
    firsts = marked[first_of_codes(codes[marked])]
    first[codes[firsts]] = firsts
    return first
