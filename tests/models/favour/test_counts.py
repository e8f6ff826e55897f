"""Counts from integer codes give what the pandas group-bys they replace give."""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.favour.counts import first_rows, nunique_per


def test_nunique_per_matches_groupby_nunique() -> None:
    """Distinct non-missing values per group; missing groups dropped; a group of only missing values counts 0."""
    groups = pd.Series(["h2", "h1", "h2", None, "h1", "h3", "h2"], dtype="string", name="hukou_id")
    values = pd.Series(["a", "a", "a", "b", None, None, "c"], name="person_id")
    got = nunique_per(groups, values)
    want = values.groupby(groups).nunique()
    pd.testing.assert_series_equal(got.sort_index(), want, check_index_type=True)


def test_first_rows_prefers_marked_rows() -> None:
    """Each code's first marked row where it has one, else its first row, in code order."""
    codes = np.array([0, 1, 0, 2, 1, 0])
    marked = np.array([False, False, True, False, False, True])
    assert first_rows(codes, marked).tolist() == [2, 1, 3]
