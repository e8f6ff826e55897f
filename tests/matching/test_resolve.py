"""Identity resolution on a small synthetic county: the hard cases of the data contract."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from match_fixtures import VILLAGE_A, make_dataset, make_id

from hecha.index import LINK_COLUMNS, RECORD_COLUMNS, PersonIndex
from hecha.policy import LinkagePolicy
from matching.resolve import persons, resolve


@pytest.fixture(scope="module")
def index(county: dict[str, Any]) -> PersonIndex:
    return resolve(make_dataset(county["frames"]), LinkagePolicy())


def _row_of(frame: pd.DataFrame, **match: str) -> int:
    sel = frame
    for col, value in match.items():
        sel = sel[sel[col] == value]
    assert len(sel) == 1, match
    return int(sel.index[0]) + 2  # file row: header is row 1


def _person(index: PersonIndex, source: str, row: int) -> str:
    return str(index.person_of(source)[row])


def _link(index: PersonIndex, left: str, right: str, row_l: int, row_r: int) -> pd.Series:
    pairs = index.pairs(left, right)
    sel = pairs[(pairs.row_l == row_l) & (pairs.row_r == row_r)]
    assert len(sel) == 1, f"no link {left}:{row_l} ~ {right}:{row_r}"
    return sel.iloc[0]


def test_columns(index: PersonIndex) -> None:
    assert list(index.records.columns) == RECORD_COLUMNS
    assert list(index.links.columns) == LINK_COLUMNS
    assert {"roll~household_registry", "roll~deaths", "roll~roll", "household_registry~deaths"} <= set(index.stats)


def test_traditional_and_same_sound_names_link(county: dict[str, Any], index: PersonIndex) -> None:
    """張偉 links to 张伟, and 王秀瑛 to 王秀英, with the same number."""
    roll, reg = county["frames"]["roll"], county["frames"]["household_registry"]
    link = _link(index, "roll", "household_registry", _row_of(roll, name="張偉"), _row_of(reg, name="张伟"))
    assert link.evidence_zh.startswith("身份证号一致；姓名一致（繁简或写法不同）")
    old = county["people"]["wxy_old"][1]
    link = _link(index, "roll", "household_registry", _row_of(roll, name="王秀瑛"), _row_of(reg, id_number=old))
    assert link.agreement["name"] == "same_sound"


def test_one_wrong_digit_links_and_is_corrected(county: dict[str, Any], index: PersonIndex) -> None:
    """A roll number with one wrong digit links, and id_resolved carries the registry's number."""
    roll, reg = county["frames"]["roll"], county["frames"]["household_registry"]
    true_id = county["people"]["typo"][1]
    row_l, row_r = _row_of(roll, name="刘建国"), _row_of(reg, id_number=true_id)
    link = _link(index, "roll", "household_registry", row_l, row_r)
    assert link.fuzzy
    assert link.agreement["id"] == "one_digit"
    assert link.evidence_zh.startswith("身份证号一位不同；姓名一致")
    rec = index.records[(index.records.source == "roll") & (index.records.row == row_l)].iloc[0]
    assert rec.id_status == "invalid"
    assert rec.id_resolved == true_id


def test_legacy_number_links(county: dict[str, Any], index: PersonIndex) -> None:
    """A property under the 15-digit number is the roll's 18-digit person."""
    roll, estate = county["frames"]["roll"], county["frames"]["real_estate"]
    link = _link(index, "roll", "real_estate", _row_of(roll, name="陈玉兰"), _row_of(estate, owner_name="陈玉兰"))
    assert link.agreement["id"] == "upgraded_equal"
    assert not link.fuzzy
    assert link.evidence_zh.startswith("15位旧号升级后一致")


def test_cremation_record_without_number_links_to_the_right_person(county: dict[str, Any], index: PersonIndex) -> None:
    """无身份证号 cremation record: name + age + town pick the older of two 王秀英 in one village."""
    reg, deaths = county["frames"]["household_registry"], county["frames"]["deaths"]
    old, young = county["people"]["wxy_old"][1], county["people"]["wxy_young"][1]
    row_d = _row_of(deaths, source="火化")
    link = _link(index, "household_registry", "deaths", _row_of(reg, id_number=old), row_d)
    assert link.fuzzy
    assert link.evidence_zh == "无身份证号；姓名一致；年龄相符（火化记录 78 岁）；同镇"
    assert _person(index, "deaths", row_d) == _person(index, "household_registry", _row_of(reg, id_number=old))
    assert _person(index, "deaths", row_d) != _person(index, "household_registry", _row_of(reg, id_number=young))


def test_two_people_one_name_do_not_link(county: dict[str, Any], index: PersonIndex) -> None:
    """Two 王秀英 in one village with different numbers and births stay two persons."""
    reg = county["frames"]["household_registry"]
    old, young = county["people"]["wxy_old"][1], county["people"]["wxy_young"][1]
    assert _person(index, "household_registry", _row_of(reg, id_number=old)) != _person(
        index, "household_registry", _row_of(reg, id_number=young)
    )
    roll = county["frames"]["roll"]
    young_row = _row_of(reg, id_number=young)
    for roll_row in roll.index[roll["name"].isin(["王秀英", "王秀瑛"])] + 2:
        assert _person(index, "roll", int(roll_row)) != _person(index, "household_registry", young_row)


def test_ambiguous_cremation_record_does_not_link() -> None:
    """Two 王秀英 of the same age in one town: a cremation record without number links to neither."""
    registry = pd.DataFrame(
        {
            "hukou_id": ["H1", "H2", "H3"],
            "name": ["王秀英", "王秀英", "李明"],
            "id_number": [make_id("19480203", 22), make_id("19480611", 24), make_id("19700101", 11)],
            "region_code": [VILLAGE_A, "429006101202", VILLAGE_A],
        }
    )
    deaths = pd.DataFrame(
        {"name": ["王秀英"], "age": [78], "death_date": ["2026-09-10"], "region_code": ["429006101000"],
         "source": ["火化"]}
    )  # fmt: skip
    roll = pd.DataFrame({"name": ["李明"], "id_number": [make_id("19700101", 11)], "household_id": ["R"]})
    index = resolve(make_dataset({"household_registry": registry, "deaths": deaths, "roll": roll}), LinkagePolicy())
    assert index.pairs("household_registry", "deaths").empty
    assert index.records["person_id"].nunique() == 4  # two 王秀英, 李明 (registry + roll), the death


def test_roll_duplicate_in_two_households(county: dict[str, Any], index: PersonIndex) -> None:
    """The same person on two roll rows is one person, linked roll~roll."""
    roll = county["frames"]["roll"]
    rows = roll.index[roll["name"].isin(["王秀英", "王秀瑛"])] + 2
    assert len({_person(index, "roll", int(r)) for r in rows}) == 1
    assert index.stats["roll~roll"]["links"] >= 1


def test_person_id_is_stable_when_rows_are_shuffled(county: dict[str, Any], index: PersonIndex) -> None:
    """Shuffled input rows give every record the same person_id (keyed by the record's content)."""
    shuffled = {s: f.sample(frac=1.0, random_state=5).reset_index(drop=True) for s, f in county["frames"].items()}
    again = resolve(make_dataset(shuffled), LinkagePolicy())

    def keyed(ix: PersonIndex, frames: dict[str, pd.DataFrame]) -> set[tuple[str, str, str, str]]:
        out = set()
        for rec in ix.records.itertuples():
            out.add((str(rec.source), str(rec.name), str(rec.id_number), str(rec.person_id)))
        return out

    assert keyed(index, county["frames"]) == keyed(again, shuffled)


def test_threshold_from_policy(county: dict[str, Any]) -> None:
    """A pair's threshold comes from the policy: above every probability nothing of that pair links.

    (1.01 is out of a county file's allowed range, hence model_construct: the test needs "never".)"""
    policy = LinkagePolicy.model_construct(**{**LinkagePolicy().model_dump(), "thresholds": {"roll~deaths": 1.01}})
    index = resolve(make_dataset(county["frames"]), policy)
    assert index.stats["roll~deaths"]["links"] == 0
    assert index.stats["roll~household_registry"]["links"] > 0


def test_no_partner_sources() -> None:
    """A county with only the roll and an unrelated registry gives singletons, no links."""
    registry = pd.DataFrame({"hukou_id": ["H1"], "name": ["李明"], "id_number": [make_id("19700101", 11)]})
    roll = pd.DataFrame({"name": ["赵强"], "id_number": [make_id("19800101", 13)], "household_id": ["R"]})
    index = resolve(make_dataset({"household_registry": registry, "roll": roll}), LinkagePolicy())
    assert index.links.empty
    assert index.records["person_id"].nunique() == 2
    assert index.stats["roll~household_registry"]["links"] == 0


def test_person_key_hash_is_the_privacy_pseudonym() -> None:
    """The inlined hash equals hecha.privacy.pseudonym, so person ids agree with other modules."""
    import numpy as np

    from hecha.privacy import pseudonym
    from matching.cluster import person_key_hash

    ids = np.array([make_id("19480203", 22), make_id("19700101", 11)], dtype=object)
    assert list(person_key_hash(ids)) == [pseudonym(i, prefix="P") for i in ids]


def test_persons_code_one_number_as_one_person_and_each_numberless_record_apart() -> None:
    """Records sharing a usable number share a code; a record without one shares its code with no other."""
    ids = np.array(["A", "", "B", "A", "", "B", "C"], dtype=object)
    codes = persons(ids)
    assert codes[0] == codes[3] and codes[2] == codes[5]
    assert len(set(codes.tolist())) == 5  # A, B, C and the two numberless records
