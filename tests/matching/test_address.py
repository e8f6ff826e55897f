"""The home address as a comparison field: records without a number (cremation records)."""

from __future__ import annotations

import random

import pandas as pd
from match_fixtures import VILLAGE_A, VILLAGE_B, VILLAGE_C, _filler, make_dataset, make_id

from hecha.index import PersonIndex
from hecha.policy import LinkagePolicy
from matching.compare import LEVELS, NULL, AddressLevel
from matching.prepare import normalise_addresses
from matching.resolve import resolve

TOWN = {VILLAGE_A: "张港镇和湾村", VILLAGE_B: "张港镇光河村", VILLAGE_C: "汪场镇桥丰村"}


def _levels(left: list[str], right: list[str]) -> list[int]:
    a, b = normalise_addresses(pd.Series(left)), normalise_addresses(pd.Series(right))
    digits = [s.str.replace(r"\D+", " ", regex=True).str.strip() for s in (a, b)]
    return list(AddressLevel(["a", "n"], ["a", "n"])._compute_vectorized(a, digits[0], b, digits[1]))


def test_address_levels() -> None:
    """Same / a prefix left out / a word dropped / a neighbour's house; NULL when a side has none."""
    level = LEVELS["address"].index
    assert _levels(
        ["张港镇和湾村3组12号", "湖北省天门市张港镇和湾村3组12号", "张港镇和湾社区3组12号", "张港镇和湾村3组12号", "",
         "张港镇 和湾村３组12号", "张港镇和湾村"],
        ["张港镇和湾村3组12号", "张港镇和湾村3组12号", "张港镇和湾村3组12号", "张港镇和湾村3组13号", "张港镇和湾村3组12号",
         "张港镇和湾村3组12号", "张港镇和平村"],
    ) == [level("same"), level("contains"), level("similar"), level("other"), NULL, level("same"),
          level("other")]  # fmt: skip


def _county(extra: list[dict[str, str]], deaths: list[dict[str, object]]) -> PersonIndex:
    """~300 background registry people with home addresses, the extra people, and the death records."""
    rng = random.Random(11)
    reg = _filler(rng, 300)
    reg["address"] = [f"{TOWN[v]}{1 + i % 9}组{10 + i}号" for i, v in enumerate(reg["region_code"])]
    registry = pd.concat([reg, pd.DataFrame(extra)], ignore_index=True)
    roll = pd.DataFrame(
        {"name": reg["name"][:20], "id_number": reg["id_number"][:20], "household_id": [f"R{i}" for i in range(20)],
         "region_code": reg["region_code"][:20], "address": reg["address"][:20]}
    )  # fmt: skip
    frames = {"household_registry": registry, "deaths": pd.DataFrame(deaths), "roll": roll}
    return resolve(make_dataset(frames), LinkagePolicy())


def _person(extra: dict[str, str]) -> dict[str, str]:
    number = extra["id_number"]
    return {"hukou_id": "K" + number[-4:], "birth_date": f"{number[6:10]}-{number[10:12]}-{number[12:14]}", **extra}


def _cremation(name: str, age: int, address: str, sex: str) -> dict[str, object]:
    return {"name": name, "age": age, "sex": sex, "death_date": "2026-09-10", "region_code": VILLAGE_A,
            "address": address, "source": "火化"}  # fmt: skip


def _linked_rows(index: PersonIndex) -> list[int]:
    return sorted(int(r) for r in index.pairs("household_registry", "deaths")["row_l"])


def test_same_sound_typo_links_on_age_village_and_address() -> None:
    """胡国桦 (no number, aged 86) is the 胡国华 of that village and house: the address settles it."""
    hu = _person({"name": "胡国华", "id_number": make_id("19400305", 31), "region_code": VILLAGE_A,
                  "address": "张港镇和湾村3组158号"})  # fmt: skip
    index = _county([hu], [_cremation("胡国桦", 86, "张港镇和湾村3组158号", "M")])
    links = index.pairs("household_registry", "deaths")
    assert _linked_rows(index) == [302]  # 300 filler rows from row 2, then 胡国华
    assert links.iloc[0]["evidence_zh"] == "无身份证号；姓名同音；年龄相符（火化记录 86 岁）；同村；住址一致"


def test_same_name_same_age_in_one_village_links_only_at_the_same_address() -> None:
    """Two 王秀英 aged 78 in one village: the cremation record names one house, so it links to her alone."""
    wang = [
        _person({"name": "王秀英", "id_number": make_id("19480203", 22), "region_code": VILLAGE_A,
                 "address": "张港镇和湾村3组12号"}),
        _person({"name": "王秀英", "id_number": make_id("19480611", 24), "region_code": VILLAGE_A,
                 "address": "张港镇和湾村5组40号"}),
    ]  # fmt: skip
    index = _county(wang, [_cremation("王秀英", 78, "张港镇和湾村5组40号", "F")])
    assert _linked_rows(index) == [303]  # the second 王秀英, not the first (row 302)
    people = index.person_of("household_registry")
    assert people[302] != people[303]


def test_another_address_counts_against_a_match() -> None:
    """A cremation record at another house weighs less than one without an address (people do move).

    In a 300-person county name + age + village still carry it; in a 20,000-household
    county (benchmarks/findings_accuracy.py) this is what keeps a dead 杨强 off a
    living namesake of his village.
    """
    yang = _person({"name": "杨强", "id_number": make_id("19601127", 77), "region_code": VILLAGE_A,
                    "address": "张港镇和湾村2组7号"})  # fmt: skip
    other = _county([yang], [_cremation("杨强", 65, "张港镇和湾村8组91号", "M")]).pairs("household_registry", "deaths")
    none = _county([yang], [_cremation("杨强", 65, "", "M")]).pairs("household_registry", "deaths")
    assert other.iloc[0]["probability"] < none.iloc[0]["probability"]
    assert other.iloc[0]["evidence_zh"].endswith("；同村；住址不同")
    assert not none.iloc[0]["evidence_zh"].endswith("住址不同")
