"""Small synthetic county frames for linkage tests (built here, no generator needed)."""

from __future__ import annotations

import random
from typing import Any

import pandas as pd
import pytest

from hecha import idnumber
from hecha.dataset import Dataset, from_frames

VILLAGE_A = "429006101201"  # town 101, village 201
VILLAGE_B = "429006101202"  # same town, other village
VILLAGE_C = "429006102203"  # other town


def make_id(birth: str, seq: int, area: str = "429006") -> str:
    """A valid 18-digit number for a birth date YYYYMMDD and sequence (odd = man)."""
    first17 = f"{area}{birth}{seq:03d}"
    return first17 + idnumber.check_char(first17)


def typo(number: str, pos: int) -> str:
    """The number with one digit changed (always invalid: MOD 11-2 catches it)."""
    digit = str((int(number[pos]) + 3) % 10)
    return number[:pos] + digit + number[pos + 1 :]


def legacy15(number: str) -> str:
    return number[:6] + number[8:17]


def make_dataset(frames: dict[str, pd.DataFrame], county: str = "429006", period: str = "2026-10") -> Dataset:
    """What ingestion hands over: canonical columns, `_row`, ids with `_raw` and `_status`."""
    return from_frames(frames, county, period)


def _filler(rng: random.Random, n: int) -> pd.DataFrame:
    """Background registry people so the EM has non-matches and matches to learn from."""
    surnames = "李王张刘陈杨黄赵周吴徐孙马朱胡郭何高林罗"
    given = "明华建国秀英玉兰桂芳志强丽娟文军海燕红梅春生德福"
    rows = []
    for i in range(n):
        birth = f"{rng.randint(1935, 2010)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        village = rng.choice([VILLAGE_A, VILLAGE_B, VILLAGE_C])
        rows.append(
            {
                "hukou_id": f"H{i // 3:04d}",
                "name": rng.choice(surnames) + "".join(rng.choice(given) for _ in range(rng.choice([1, 2]))),
                "id_number": make_id(birth, 100 + i),
                "sex": None,
                "birth_date": f"{birth[:4]}-{birth[4:6]}-{birth[6:]}",
                "region_code": village,
            }
        )
    return pd.DataFrame(rows)


def build_county() -> dict[str, Any]:
    """A registry of ~300 people, a roll with the hard cases, deaths, property, vehicles."""
    rng = random.Random(7)
    reg = _filler(rng, 300)
    people = {
        "zhangwei": ("张伟", make_id("19800512", 11), VILLAGE_A),
        "wxy_old": ("王秀英", make_id("19480203", 22), VILLAGE_A),
        "wxy_young": ("王秀英", make_id("19650917", 24), VILLAGE_A),
        "typo": ("刘建国", make_id("19701101", 31), VILLAGE_B),
        "legacy": ("陈玉兰", make_id("19551230", 42), VILLAGE_C),
        "shan": ("单田芳", make_id("19620304", 51), VILLAGE_B),
        "minority": ("阿卜杜拉·艾力", make_id("19770707", 61), VILLAGE_C),
    }
    extra = pd.DataFrame(
        [
            {"hukou_id": f"K{k}", "name": n, "id_number": i, "birth_date": f"{i[6:10]}-{i[10:12]}-{i[12:14]}",
             "region_code": v}
            for k, (n, i, v) in people.items()
        ]
    )  # fmt: skip
    registry = pd.concat([reg, extra], ignore_index=True)
    background_roll = reg.sample(40, random_state=1)
    roll_people = [
        ("dibao_rural", "R1", "張偉", people["zhangwei"][1], VILLAGE_A),
        ("dibao_rural", "R2", "王秀瑛", people["wxy_old"][1], VILLAGE_A),
        ("dibao_rural", "R3", "刘建国", typo(people["typo"][1], 9), VILLAGE_B),
        ("dibao_rural", "R4", "陈玉兰", people["legacy"][1], VILLAGE_C),
        ("tekun", "R5", "单 田芳", people["shan"][1].lower(), VILLAGE_B),
        ("dibao_rural", "R6", "阿卜杜拉•艾力", people["minority"][1], VILLAGE_C),
        ("elderly_allowance", "R2", "王秀英", people["wxy_old"][1], VILLAGE_A),
    ]
    roll = pd.DataFrame(
        [
            {"period": "2026-10", "program": p, "household_id": h, "name": n, "id_number": i, "region_code": v,
             "amount": 500.0}
            for p, h, n, i, v in roll_people
        ]
        + [
            {"period": "2026-10", "program": "dibao_rural", "household_id": f"B{k}", "name": r.name,
             "id_number": r.id_number, "region_code": r.region_code, "amount": 400.0}
            for k, r in enumerate(background_roll.itertuples())
        ]
    )  # fmt: skip
    deaths = pd.DataFrame(
        [
            # cremation record of the older 王秀英: no number, age 78 at death, town-level code only
            {"name": "王秀英", "id_number": None, "age": 78, "death_date": "2026-09-10",
             "region_code": "429006101000", "source": "火化"},
            {"name": "刘建国", "id_number": people["typo"][1], "death_date": "2026-08-01", "source": "户籍注销"},
        ]
        + [
            {"name": r.name, "id_number": r.id_number, "death_date": "2026-07-01", "source": "户籍注销"}
            for r in reg.sample(15, random_state=2).itertuples()
        ]
    )  # fmt: skip
    real_estate = pd.DataFrame(
        [{"owner_name": "陈玉兰", "owner_id_number": legacy15(people["legacy"][1]), "property_type": "住宅"}]
        + [
            {"owner_name": r.name, "owner_id_number": r.id_number, "property_type": "住宅"}
            for r in reg.sample(20, random_state=3).itertuples()
        ]
    )
    return {
        "people": people,
        "frames": {"household_registry": registry, "roll": roll, "deaths": deaths, "real_estate": real_estate},
    }


@pytest.fixture(scope="session")
def county() -> dict[str, Any]:
    return build_county()
