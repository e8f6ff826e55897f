"""Identity numbers the household registry lists twice: 一人多户 (one person) and 重号 (two people)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from match_fixtures import VILLAGE_A, VILLAGE_B, VILLAGE_C, build_county, make_dataset, make_id

from hecha.index import PersonIndex
from hecha.policy import LinkagePolicy
from matching.repeats import ONE_PERSON, SHARED_NUMBER, registry_repeats
from matching.resolve import resolve

MOVED = make_id("19750315", 71)  # 赵国庆: married out of H-OLD, still listed there (一人多户)
SHARED = make_id("19600808", 81)  # issued to 孙明华 and to 钱桂芳 (重号)


def _county() -> dict[str, Any]:
    county = build_county()
    frames = county["frames"]
    registry = pd.concat(
        [
            frames["household_registry"],
            pd.DataFrame(
                [
                    {"hukou_id": "H-NEW", "name": "赵国庆", "id_number": MOVED, "sex": "M",
                     "birth_date": "1975-03-15", "region_code": VILLAGE_A},
                    {"hukou_id": "H-OLD", "name": "趙國慶", "id_number": MOVED, "sex": "M",
                     "birth_date": "1975-03-15", "region_code": VILLAGE_C},
                    {"hukou_id": "H-SUN", "name": "孙明华", "id_number": SHARED, "sex": "M",
                     "birth_date": "1960-08-08", "region_code": VILLAGE_A},
                    {"hukou_id": "H-QIAN", "name": "钱桂芳", "id_number": SHARED, "sex": "M",
                     "birth_date": "1958-02-11", "region_code": VILLAGE_B},
                ]
            ),
        ],
        ignore_index=True,
    )  # fmt: skip
    roll = pd.concat(
        [
            frames["roll"],
            pd.DataFrame(
                [
                    {"period": "2026-10", "program": "dibao_rural", "household_id": "R-SUN", "name": "孙明华",
                     "id_number": SHARED, "region_code": VILLAGE_A, "amount": 450.0},
                    {"period": "2026-10", "program": "dibao_rural", "household_id": "R-ZHAO", "name": "赵国庆",
                     "id_number": MOVED, "region_code": VILLAGE_A, "amount": 450.0},
                ]
            ),
        ],
        ignore_index=True,
    )  # fmt: skip
    deaths = pd.concat(
        [
            frames["deaths"],
            pd.DataFrame(
                [{"name": "钱桂芳", "id_number": SHARED, "death_date": "2026-08-20", "source": "户籍注销",
                  "region_code": VILLAGE_B}]
            ),
        ],
        ignore_index=True,
    )  # fmt: skip
    return {"registry": registry, "roll": roll, "deaths": deaths, "frames": frames | {"household_registry": registry,
            "roll": roll, "deaths": deaths}}  # fmt: skip


@pytest.fixture(scope="module")
def county() -> dict[str, Any]:
    return _county()


@pytest.fixture(scope="module")
def index(county: dict[str, Any]) -> PersonIndex:
    return resolve(make_dataset(county["frames"]), LinkagePolicy())


def _rows(frame: pd.DataFrame, **match: str) -> list[int]:
    sel = frame
    for col, value in match.items():
        sel = sel[sel[col] == value]
    return [int(i) + 2 for i in sel.index]


def test_kinds_are_told_apart_by_name_and_birth(county: dict[str, Any]) -> None:
    """Same name (traditional form too) and birth: one person; another name and birth: 重号."""
    dataset = make_dataset(county["frames"])
    rep = registry_repeats(dataset.frames["household_registry"])
    kinds = rep.drop_duplicates("id_number").set_index("id_number")["kind"]
    assert kinds.to_dict() == {MOVED: ONE_PERSON, SHARED: SHARED_NUMBER}
    assert sorted(rep.loc[rep["id_number"] == SHARED, "person"]) == [0, 1]
    assert set(rep.loc[rep["id_number"] == MOVED, "hukou_id"]) == {"H-NEW", "H-OLD"}


def test_same_name_other_birth_is_two_people() -> None:
    """Two 王秀英 under one number, born years apart, are a 重号, not one person."""
    number = make_id("19480203", 22)
    reg = make_dataset(
        {
            "household_registry": pd.DataFrame(
                {
                    "hukou_id": ["H1", "H2"],
                    "name": ["王秀英", "王秀英"],
                    "id_number": [number, number],
                    "birth_date": ["1948-02-03", "1952-06-01"],
                }
            )
        }
    ).frames["household_registry"]
    assert set(registry_repeats(reg)["kind"]) == {SHARED_NUMBER}


def test_two_people_sharing_a_number_stay_two_persons(county: dict[str, Any], index: PersonIndex) -> None:
    """The shared number alone never makes 孙明华 and 钱桂芳 one person; each keeps their own records."""
    reg, roll, deaths = county["registry"], county["roll"], county["deaths"]
    person = index.person_of("household_registry")
    (sun,) = _rows(reg, name="孙明华")
    (qian,) = _rows(reg, name="钱桂芳")
    assert person[sun] != person[qian]
    (roll_sun,) = _rows(roll, name="孙明华")
    assert index.person_of("roll")[roll_sun] == person[sun]
    (death_qian,) = _rows(deaths, name="钱桂芳")
    assert index.person_of("deaths")[death_qian] == person[qian]
    assert index.person_of("deaths")[death_qian] != index.person_of("roll")[roll_sun]
    resolved = index.records.set_index(["source", "row"])["id_resolved"]
    assert resolved[("household_registry", sun)] == resolved[("household_registry", qian)] == SHARED


def test_one_person_in_two_hukou_is_one_person(county: dict[str, Any], index: PersonIndex) -> None:
    """赵国庆 listed in his new and his old hukou is one person, linked to both listings."""
    reg, roll = county["registry"], county["roll"]
    rows = _rows(reg, id_number=MOVED)
    assert len(rows) == 2
    person = index.person_of("household_registry")
    (roll_zhao,) = _rows(roll, name="赵国庆")
    assert {person[r] for r in rows} == {index.person_of("roll")[roll_zhao]}
    linked = index.pairs("roll", "household_registry")
    assert set(linked.loc[linked["row_l"] == roll_zhao, "row_r"]) == set(rows)


def test_repeats_carry_their_person(index: PersonIndex) -> None:
    """The index lists every repeated registry row with the person it was resolved to."""
    rep = index.repeats
    assert len(rep) == 4
    assert rep.groupby("id_number")["person_id"].nunique().to_dict() == {MOVED: 1, SHARED: 2}
