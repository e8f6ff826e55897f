"""Runs of equal values in a sorted array: the group-by idiom linkage and the favour features share.

Sorting once and cutting where the value changes counts or groups a million codes
faster than a pandas group-by over text; every stage stands on this floor, so the
helper lives here rather than in one stage for the other to copy.
"""

from __future__ import annotations

import numpy as np


def run_starts(ordered: np.ndarray) -> np.ndarray:
    """Where each run of equal values begins in a sorted array (empty for an empty one)."""
    if not len(ordered):
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
