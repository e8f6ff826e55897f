"""Cycle arithmetic of the sample generator and its size guard."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sample import calendar as cal
from sample import generate_county


def test_anchor_is_the_october_at_or_before() -> None:
    """Months October..September share one anchor; the next October starts a new cycle."""
    assert cal.anchor_of("2026-10") == "2026-10"
    assert cal.anchor_of("2026-11") == "2026-10"
    assert cal.anchor_of("2027-09") == "2026-10"
    assert cal.anchor_of("2027-10") == "2027-10"
    assert cal.anchor_of("2026-03") == "2025-10"


def test_age_counts_the_birthday_itself() -> None:
    """A person born on 2026-10-01 minus 80 years is 80 on 2026-10-01, 79 the day before."""
    birth = pd.Series(pd.to_datetime(["1946-10-01", "1946-10-02"]))
    assert cal.age_years(birth, np.datetime64("2026-10-01")).tolist() == [80, 79]
    assert cal.ages_at(birth, pd.Series(pd.to_datetime(["2026-10-01", "2026-10-01"]))).tolist() == [80, 79]


def test_too_small_a_county_is_refused(tmp_path: Path) -> None:
    """Every planted case needs its own household, so tiny counties are refused clearly."""
    with pytest.raises(ValueError, match="400"):
        generate_county(tmp_path, households=50)
