"""Extreme records never crash linkage: dates at the datetime limits, births before 1900, ages 0 and 130,
records missing everything. Property-based (hypothesis): any mix of such rows goes through `resolve`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from match_fixtures import VILLAGE_A, VILLAGE_C, make_dataset, make_id

from hecha.policy import LinkagePolicy
from matching.compare import LEVELS, NULL, compare
from matching.prepare import person_frame
from matching.resolve import resolve

# The nanosecond range pandas can hold, from its first representable day to its last.
FIRST_DAY, LAST_DAY = dt.date(1677, 9, 22), dt.date(2262, 4, 10)
EDGE_DAYS = [FIRST_DAY, dt.date(1677, 12, 31), dt.date(1678, 1, 15), dt.date(1850, 6, 1), dt.date(1899, 12, 31),
             dt.date(1900, 1, 1), dt.date(2026, 10, 1), dt.date(2262, 1, 1), LAST_DAY]  # fmt: skip

days = st.one_of(st.sampled_from(EDGE_DAYS), st.dates(min_value=FIRST_DAY, max_value=LAST_DAY))
maybe_day = st.one_of(st.none(), days)
names = st.one_of(st.none(), st.sampled_from(["", " ", "王秀英", "张伟", "阿卜杜拉·艾力", "X", "李" * 300]))
ages = st.one_of(st.none(), st.sampled_from([0, 1, 129, 130, 131, 150]), st.integers(-3, 200))
regions = st.one_of(st.none(), st.sampled_from([VILLAGE_A, VILLAGE_C, "429006101000", "", "abc", "4290061012019"]))


@st.composite
def id_numbers(draw: st.DrawFn) -> str | None:
    """Valid numbers with any birth day in range, invalid ones whose birth digits are out of range, or none."""
    kind = draw(st.sampled_from(["valid", "bad_date", "short", "none"]))
    if kind == "valid":
        return make_id(draw(days).strftime("%Y%m%d"), draw(st.integers(1, 999)))
    if kind == "bad_date":  # a typo'd year: 0978, 1278, 1677-01-01, 9999-99-99
        return (
            make_id(draw(st.sampled_from(["09780101", "12780512", "16770101", "99999999", "20261301"])), 7)[:-1] + "0"
        )
    if kind == "short":
        return draw(st.sampled_from(["", "4290061", make_id("19480203", 22)[:15]]))
    return None


@st.composite
def person(draw: st.DrawFn) -> dict[str, Any]:
    return {"name": draw(names), "id_number": draw(id_numbers()), "birth_date": draw(maybe_day),
            "region_code": draw(regions), "sex": draw(st.sampled_from([None, "M", "F"]))}  # fmt: skip


@st.composite
def death(draw: st.DrawFn) -> dict[str, Any]:
    row = draw(person())
    row.update(age=draw(ages), death_date=draw(maybe_day), source=draw(st.sampled_from(["火化", "户籍注销"])))
    if draw(st.booleans()):  # a cremation record: no number, no birth date, just an age at death
        row.update(id_number=None, birth_date=None)
    return row


def _frame(rows: list[dict[str, Any]], **fixed: Any) -> pd.DataFrame:
    return pd.DataFrame([{**r, **fixed} for r in rows])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    roll=st.lists(person(), min_size=1, max_size=6),
    registry=st.lists(person(), min_size=1, max_size=6),
    deaths=st.lists(death(), min_size=1, max_size=6),
)
def test_extreme_records_go_through_resolve(
    roll: list[dict[str, Any]], registry: list[dict[str, Any]], deaths: list[dict[str, Any]]
) -> None:
    """Every record gets a person; every link has a probability in [0, 1] and a level per field."""
    frames = {
        "roll": _frame(roll, period="2026-10", program="dibao_rural", household_id="H1", amount=500.0),
        "household_registry": _frame(registry, hukou_id="K1"),
        "deaths": _frame(deaths),
    }
    index = resolve(make_dataset(frames), LinkagePolicy())
    assert len(index.records) == len(roll) + len(registry) + len(deaths)
    assert index.records["person_id"].notna().all()
    assert index.links["probability"].between(0, 1).all()


def test_a_birth_year_at_the_datetime_limit_compares_without_overflow() -> None:
    """1678 (a typo of 1978) minus the age slack lies before pandas' first day: the age level is still computed."""
    born_1678 = person_frame(pd.DataFrame([{"name": "王秀英", "birth_date": "1678-01-15", "id_number": None}]), "roll")
    cremated = person_frame(pd.DataFrame([{"name": "王秀英", "age": 78, "death_date": "2026-09-10"}]), "deaths")
    last_day = person_frame(pd.DataFrame([{"name": "王秀英", "birth_date": "2262-04-10"}]), "roll")
    pairs = pd.MultiIndex.from_arrays([np.array([0]), np.array([0])])
    for left in (born_1678, last_day):
        for a, b in ((left, cremated), (cremated, left)):
            level = compare(pairs, a, b).iloc[0]
            assert level["age"] == LEVELS["age"].index("other") and level["birth"] == NULL
    newborn = person_frame(pd.DataFrame([{"name": "王秀英", "birth_date": "2026-09-10"}]), "roll")
    died_at_0 = person_frame(pd.DataFrame([{"name": "王秀英", "age": 0, "death_date": "2026-09-10"}]), "deaths")
    assert compare(pairs, newborn, died_at_0).iloc[0]["age"] == LEVELS["age"].index("consistent")
