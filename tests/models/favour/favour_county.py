"""A small hand-made county: ordinary roll households plus planted favour households.

Ordinary households are whole hukou of elderly, disabled or weak-labour members
on the poverty registry, enrolled over five years by several handlers. Favour
households are split off a cadre's hukou at its address (the head shares the cadre's
family name, except a minority-name one), have able-bodied members, declare
almost no income and were enrolled recently by one handler. The index is exact
(person_id from the number), so these tests exercise the model, not linkage.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from hecha.dataset import Dataset
from hecha.index import LINK_COLUMNS, RECORD_COLUMNS, PersonIndex

PERIOD = "2026-10"


@dataclass
class County:
    dataset: Dataset
    index: PersonIndex
    favour: set[str]


def _frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    f = pd.DataFrame(rows)
    f["_row"] = np.arange(2, len(f) + 2)
    return f


def make_county(households: int = 240, favour: int = 8, seed: int = 0, minority_every: int = 9) -> County:
    rng = np.random.default_rng(seed)
    start = pd.Timestamp(f"{PERIOD}-01")
    villages = [f"429006{t:03d}{v:03d}" for t in (101, 102) for v in (201, 202, 203, 204)]
    reg, roll, pov, cadres = [], [], [], []
    n = 0

    def person(hukou: str, code: str, addr: str, age: float, rel: str, name: str) -> str:
        nonlocal n
        n += 1
        pid = f"ID{n:06d}"
        birth = start - pd.Timedelta(days=int(age * 365.25))
        reg.append(
            {
                "hukou_id": hukou,
                "name": name,
                "id_number": pid,
                "relation": rel,
                "sex": "M",
                "birth_date": birth,
                "region_code": code,
                "address": addr,
            }
        )
        return pid

    for v, code in enumerate(villages):  # a cadre and non-roll hukou in every village
        for h in range(25):
            person(f"H{code}{h:03d}", code, f"{code}村{h}号", 40, "户主", f"李{v}{h}")
        cadres.append(
            {"name": f"干部{v}", "id_number": reg[-1]["id_number"], "region_code": code, "position": "村主任"}
        )
    handlers = [f"经办{i}" for i in range(6)]
    for h in range(households):
        code = villages[h % len(villages)]
        hukou, addr = f"R{h:04d}", f"{code}村{100 + h}号"
        is_fav = h >= households - favour
        if is_fav:  # split off the cadre's address, working-age, recent, one handler
            addr = str(next(c for c in reg if c["id_number"] == cadres[h % len(villages)]["id_number"])["address"])
            ages, income, handler = [35.0, 33.0], 40.0, handlers[0]
            enrolled = start - pd.Timedelta(days=int(rng.integers(10, 60)))
        else:
            ages = [float(a) for a in rng.choice([75, 68, 12, 45, 81, 9], size=int(rng.integers(1, 4)))]
            income, handler = float(rng.normal(400, 80)), handlers[int(rng.integers(0, 6))]
            enrolled = start - pd.Timedelta(days=int(rng.integers(60, 1800)))
        # a favour household is kin split off the cadre's hukou: the head carries the cadre's family name 李
        head = "阿卜杜拉·艾力" if h % minority_every == 0 else f"{'李' if is_fav else '张'}{h}"
        for i, age in enumerate(ages):
            pid = person(hukou, code, addr, age, "户主" if i == 0 else "子", head if i == 0 else f"张{h}子{i}")
            roll.append(
                {
                    "period": PERIOD,
                    "program": "dibao_rural",
                    "household_id": f"D{h:04d}",
                    "name": reg[-1]["name"],
                    "id_number": pid,
                    "relation": reg[-1]["relation"],
                    "region_code": code,
                    "town": f"镇{code[6:9]}",
                    "village": f"村{code[9:]}",
                    "address": addr,
                    "phone": f"138{h:08d}",
                    "bank_account": f"62{h:010d}",
                    "household_size": len(ages),
                    "per_capita_income": income,
                    "amount": 300.0,
                    "enrolled_date": enrolled,
                    "handler": handler,
                    "handler_id_number": "",
                }
            )
            if not is_fav:
                pov.append(
                    {
                        "household_id": f"P{h:04d}",
                        "name": reg[-1]["name"],
                        "id_number": pid,
                        "relation": "户主",
                        "region_code": code,
                        "status": "脱贫户",
                        "labor_capacity": "丧失劳动力" if age >= 18 else None,
                        "disability_level": 0,
                        "serious_illness": "否",
                        "per_capita_income": income * 12,
                    }
                )
    frames = {
        "roll": _frame(roll),
        "household_registry": _frame(reg),
        "poverty_registry": _frame(pov),
        "cadres": _frame(cadres),
    }
    births = {x["id_number"]: x["birth_date"] for x in reg}
    records = [
        {
            "source": src,
            "row": r["_row"],
            "person_id": "p" + str(r["id_number"]),
            "name": r["name"],
            "name_norm": r["name"],
            "name_sound": "",
            "id_number": r["id_number"],
            "id_status": "valid",
            "id_resolved": r["id_number"],
            "birth_date": births.get(str(r["id_number"]), pd.NaT),
            "sex": "M",
            "region_code": None,
            "link_probability": 1.0,
        }
        for src, f in frames.items()
        for r in f.to_dict("records")
    ]
    index = PersonIndex(pd.DataFrame(records, columns=RECORD_COLUMNS), pd.DataFrame(columns=LINK_COLUMNS))
    ds = Dataset(county="429006", period=PERIOD, folder=Path("."), frames=frames)
    return County(ds, index, {f"D{h:04d}" for h in range(households - favour, households)})
