"""Comparison levels and blocking on hand-made person frames."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import pytest
from match_fixtures import VILLAGE_A, VILLAGE_B, VILLAGE_C, legacy15, make_id, typo

from matching import compare as compare_module
from matching.blocking import candidate_pairs
from matching.compare import FIELDS, LEVELS, NULL, compare
from matching.prepare import person_frame
from matching.regions import as_number, region_level, town_level

ID = make_id("19480203", 22)


def _level(field: str, name: str) -> int:
    return LEVELS[field].index(name)


def test_region_and_town_levels() -> None:
    """Village codes compare in the hierarchy; a town-level code (…000) only by town."""
    left = as_number(pd.Series(["429006101201", "429006101201", "429006101201", "429006101000", None]))
    right = as_number(pd.Series(["429006101201", "429006101202", "429006102201", "429006101203", "429006101201"]))
    assert list(region_level(left, right)) == [0, 1, 2, NULL, NULL]
    assert list(town_level(left, right)) == [NULL, NULL, NULL, 0, NULL]


def _pair(left: Mapping[str, object], right: Mapping[str, object], source_r: str = "deaths") -> pd.Series:
    a = person_frame(pd.DataFrame([left]), "roll")
    b = person_frame(pd.DataFrame([right]), source_r)
    pairs = pd.MultiIndex.from_arrays([np.array([0]), np.array([0])])
    return compare(pairs, a, b).iloc[0]


def test_id_levels() -> None:
    """Exact, legacy 15 → 18 equal, one digit apart, other, and NULL without a number."""
    base = {"name": "王秀英", "region_code": "429006101201"}
    assert _pair({**base, "id_number": ID}, {**base, "id_number": ID})["id"] == _level("id", "exact")
    up = _pair({**base, "id_number": ID}, {**base, "id_number": legacy15(ID)})
    assert up["id"] == _level("id", "upgraded_equal")
    assert _pair({**base, "id_number": typo(ID, 3)}, {**base, "id_number": ID})["id"] == _level("id", "one_digit")
    other = make_id("19650917", 24)
    assert _pair({**base, "id_number": ID}, {**base, "id_number": other})["id"] == _level("id", "other")
    assert _pair({**base, "id_number": ID}, {**base, "id_number": None})["id"] == NULL


def test_name_levels() -> None:
    """Traditional forms are equal, same-sound names share the sound level."""
    assert _pair({"name": "張偉"}, {"name": "张伟"})["name"] == _level("name", "exact")
    assert _pair({"name": "王秀英"}, {"name": "王秀瑛"})["name"] == _level("name", "same_sound")
    assert _pair({"name": "王秀英"}, {"name": "王秀兰"})["name"] == _level("name", "similar")
    assert _pair({"name": "王秀英"}, {"name": "李明"})["name"] == _level("name", "other")


def test_birth_and_age_levels() -> None:
    """A known date compares by date; an age at death compares as a range (with a year's slack)."""
    person = {"name": "王秀英", "id_number": ID}
    died_78 = {"name": "王秀英", "age": 78, "death_date": "2026-09-10"}
    died_60 = {"name": "王秀英", "age": 60, "death_date": "2026-09-10"}
    same = _pair(person, {"name": "王秀英", "birth_date": "1948-02-03", "death_date": "2026-09-10"})
    assert (same["birth"], same["age"]) == (_level("birth", "exact"), NULL)
    close = _pair(person, {"name": "王秀英", "birth_date": "1948-02-13", "death_date": "2026-09-10"})
    assert close["birth"] == _level("birth", "close")
    assert (_pair(person, died_78)["age"], _pair(person, died_78)["birth"]) == (_level("age", "consistent"), NULL)
    assert _pair(person, died_60)["age"] == _level("age", "other")


def test_blocking_finds_the_hard_cases() -> None:
    """One-digit typo, legacy number, and a number-less record of the same name in the county are candidates."""
    roll = person_frame(
        pd.DataFrame(
            {
                "name": ["刘建国", "陈玉兰", "王秀英", "李明"],
                "id_number": [typo(ID, 9), legacy15(make_id("19551230", 42)), make_id("19470301", 26), None],
                "region_code": ["429006101201"] * 4,
            }
        ),
        "roll",
    )
    registry = person_frame(
        pd.DataFrame(
            {
                "name": ["刘建国", "陈玉兰", "赵强"],
                "id_number": [ID, make_id("19551230", 42), make_id("19900101", 11)],
                "region_code": ["429006101201"] * 3,
            }
        ),
        "household_registry",
    )
    deaths = person_frame(
        pd.DataFrame({"name": ["王秀瑛"], "age": [79], "death_date": ["2026-09-10"], "region_code": ["429006101000"]}),
        "deaths",
    )
    assert set(candidate_pairs(roll, registry)) == {(0, 0), (1, 1)}
    assert set(candidate_pairs(roll, deaths)) == {(2, 0)}


def test_calendar_parts_equal_pandas() -> None:
    """Year, month and day by integer arithmetic equal pandas' for dates across its whole range."""
    from matching.compare import _calendar

    rng = np.random.default_rng(2)
    days = rng.integers(-106_000, 106_000, 20_000)  # 1679 … 2260
    dates = pd.DatetimeIndex((days.astype("timedelta64[D]") + np.datetime64("1970-01-01")).astype("datetime64[ns]"))
    dates = dates.append(pd.DatetimeIndex(["1900-02-28", "1900-03-01", "2000-02-29", "1969-12-31", "1970-01-01"]))
    year, month, day = _calendar(dates.to_numpy())
    assert (year == dates.year).all() and (month == dates.month).all() and (day == dates.day).all()


def _one_by_one(pairs: pd.MultiIndex, left: pd.DataFrame, right: pd.DataFrame) -> pd.DataFrame:
    """Levels of each pair compared on its own: the per-pair answer the deduplication must give."""
    rows = [compare(pairs[k : k + 1], left, right) for k in range(len(pairs))]
    return pd.concat(rows)


@pytest.mark.parametrize("per_distinct", [None, FIELDS], ids=["text fields", "every field"])
def test_levels_computed_once_per_distinct_values_equal_levels_pair_by_pair(
    per_distinct: tuple[str, ...] | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pairs that repeat values, with missing names, numbers, dates, places and addresses, get per-pair levels.

    Run as configured and with every field deduplicated (numbers differing only
    in status or 重号 marking, birth ranges, town-level codes).
    """
    monkeypatch.setattr(compare_module, "PER_DISTINCT_MIN", 0)  # a handful of pairs, deduplicated all the same
    if per_distinct is not None:
        monkeypatch.setattr(compare_module, "PER_DISTINCT", frozenset(per_distinct))
    man = make_id("19480203", 21)
    roll = person_frame(
        pd.DataFrame(
            {
                "name": ["王秀英", "王秀英", "王秀英", "王秀瑛", "王秀英", "張偉", "张伟", None],
                "id_number": [ID, ID, legacy15(ID), None, typo(ID, 4), man, None, None],  # same number, other status
                "region_code": [VILLAGE_A, VILLAGE_A, VILLAGE_A, VILLAGE_A, None, VILLAGE_B, "429006101000", None],
                "address": [
                    "张港镇3组12号",
                    "张港镇3组12号",
                    None,
                    "张港镇3组13号",
                    "",
                    "天门市张港镇3组12号",
                    "和湾社区",
                    None,
                ],
            }
        ),
        "roll",
    )
    roll.loc[1, "id_shared"] = True  # a 重号 number: same values but this one
    deaths = person_frame(
        pd.DataFrame(
            {
                "name": ["王秀英", "王秀英", "王秀英", "王秀瑛", "张伟", "李明"],
                "id_number": [None, None, ID, None, None, man],
                "age": [78, 78, None, 60, 78, None],
                "death_date": ["2026-09-10", "2026-09-10", None, "2026-09-10", "2026-09-10", None],
                "birth_date": [None, None, "1948-02-13", None, None, "1948-02-03"],
                "region_code": ["429006101000", "429006101000", VILLAGE_A, VILLAGE_C, None, VILLAGE_A],
                "address": ["张港镇3组12号", "张港镇3组12号", None, "和湾村", "张港镇3组12号", ""],
                "source": ["火化", "火化", None, "火化", "火化", None],
            }
        ),
        "deaths",
    )
    pairs = pd.MultiIndex.from_product([range(len(roll)), range(len(deaths))])
    got = compare(pairs, roll, deaths)
    pd.testing.assert_frame_equal(got, _one_by_one(pairs, roll, deaths))
    assert got.drop_duplicates().shape[0] > 10  # the frame exercises many level patterns, not one
    reversed_pairs = pairs[::-1]  # representatives found in another order give the same levels
    pd.testing.assert_frame_equal(compare(reversed_pairs, roll, deaths), got.iloc[::-1])
