"""Real estate, vehicles, businesses and public payroll of households not on assistance.

Households with a dibao or tekun unit own nothing here except what plants.py gives
them (planted wrongs, decoys), so no rule is satisfied by accident.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sample import names
from sample.world import DAY, World

VEHICLE_TYPES = ("小型轿车", "小型普通客车", "轻型货车", "重型货车", "普通二轮摩托车", "三轮汽车", "拖拉机", "低速货车")
_VEHICLE_P = np.array([0.5, 0.15, 0.08, 0.02, 0.15, 0.04, 0.03, 0.03])


def clean_assets(world: World, rng: np.random.Generator) -> None:
    """Draw ordinary holdings and append them before the planted rows."""
    p = world.people
    alive = world.alive_on(world.anchor)
    assisted = set(world.units["hh"].astype(int).tolist())
    staff = set(world.cadres["pid"].tolist()) | set(world.handlers["pid"].tolist())
    ok = alive & ~p["hh"].isin(list(assisted)) & (p["age"] >= 20)
    heads = p.index[ok & (p["relation"] == "户主")].to_numpy()
    adults = p.index[ok & p["age"].between(22, 60) & ~p.index.isin(list(staff))].to_numpy()

    homes = heads[rng.random(len(heads)) < 0.65]
    second = heads[rng.random(len(heads)) < 0.08]
    other = heads[rng.random(len(heads)) < 0.03]
    estate = pd.DataFrame(
        {
            "pid": np.concatenate([homes, second, other]),
            "property_type": ["住宅"] * (len(homes) + len(second))
            + list(rng.choice(np.array(["商业", "办公", "工业"]), len(other), p=[0.7, 0.2, 0.1])),
        }
    )
    cars = heads[rng.random(len(heads)) < 0.25]
    vehicles = pd.DataFrame({"pid": cars, "vehicle_type": rng.choice(np.array(VEHICLE_TYPES), len(cars), p=_VEHICLE_P)})
    owners = adults[rng.random(len(adults)) < 0.04]
    role = rng.choice(np.array(["法定代表人", "股东", "个体工商户经营者"]), len(owners), p=[0.35, 0.2, 0.45])
    capital = np.where(role == "个体工商户经营者", rng.integers(1, 30, len(owners)), rng.integers(10, 500, len(owners)))
    businesses = pd.DataFrame(
        {
            "pid": owners,
            "role": role,
            "capital": capital.astype(float),
            "status": rng.choice(np.array(["存续", "在业", "注销", "吊销"]), len(owners), p=[0.6, 0.25, 0.1, 0.05]),
        }
    )
    staffed = adults[rng.random(len(adults)) < 0.03]
    payroll = pd.DataFrame(
        {
            "pid": staffed,
            "employer": rng.choice(np.array(names.EMPLOYERS), len(staffed)),
            "salary": (rng.integers(35, 95, len(staffed)) * 100).astype(float),
        }
    )
    clean = {"real_estate": estate, "vehicles": vehicles, "businesses": businesses, "payroll": payroll}
    for source, frame in clean.items():
        frame["plant"], frame["when"], frame["_decoy"] = -1, "always", ""
        planted = world.assets.get(source, pd.DataFrame())
        both = pd.concat([frame, planted], ignore_index=True)
        both["_decoy"] = both["_decoy"].fillna("") if "_decoy" in both else ""
        world.assets[source] = _details(world, source, both, rng)


def _details(world: World, source: str, frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Fill the descriptive columns (area, plate, entity name, dates) of every row."""
    n = len(frame)
    when = pd.to_datetime(world.anchor - rng.integers(60, 365 * 15, n) * DAY)
    hh = world.people.loc[frame["pid"], "hh"].to_numpy()
    address = world.hh.loc[hh, "address"].to_numpy()
    if source == "real_estate":
        frame["area"] = np.round(rng.uniform(45, 180, n), 2)
        frame["location"] = address
        frame["registered"] = when
    elif source == "vehicles":
        letters = np.array(list("ABCDEFGHJKLMNPQRSTUVWXYZ"))
        frame["plate"] = [
            "鄂R" + a + f"{d:04d}" for a, d in zip(rng.choice(letters, n), rng.integers(0, 10**4, n), strict=True)
        ]
        frame["registered"] = when
    elif source == "businesses":
        town = world.hh.loc[hh, "town"].to_numpy()
        word = rng.choice(np.array(names.ENTITY_WORDS), n)
        kind = np.where(frame["role"] == "个体工商户经营者", "经营部", "有限公司")
        surname = world.people.loc[frame["pid"], "name"].str[0].to_numpy()
        frame["entity"] = ["天门市" + t + s + w + k for t, s, w, k in zip(town, surname, word, kind, strict=True)]
    return frame
