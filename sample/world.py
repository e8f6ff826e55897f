"""The clean county at its anchor month: population, programmes, registries, cadres.

`World` is the generator's internal truth: identities are the true 18-digit numbers,
names are the registry names, dates are real dates. Planted cases (`plants.py`) and
per-month views (`snapshot.py`) build on it; noise is only added when writing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sample import calendar as cal
from sample.ids import check_chars
from sample.population import Villages, adult_splits, build_people, clan_villages, geography

DAY = cal.DAY
# Current monthly standards (Tianmen 429006, policy-reference.md); see standards_rows().
STANDARD = {
    "dibao_urban": 630.0,
    "dibao_rural": 450.0,
    "tekun_urban": 1260.0,
    "tekun_rural": 750.0,
    "disability_living": 50.0,
    "disability_care": 100.0,
    "elderly_80": 50.0,
    "elderly_100": 1000.0,
    "orphan": 1260.0,
}
DISABILITY_TYPES = ("视力残疾", "听力残疾", "言语残疾", "肢体残疾", "智力残疾", "精神残疾", "多重残疾")


def cell(frame: pd.DataFrame, row: object, col: str) -> Any:
    """One cell. pandas-stubs type `.at` too broadly for arithmetic, hence Any."""
    return frame.at[row, col]


def rng_for(seed: int, *stage: int) -> np.random.Generator:
    """An independent generator per stage, so adding a stage never shifts another."""
    return np.random.default_rng([seed, *stage])


@dataclass
class World:
    county: str
    seed: int
    anchor_period: str
    anchor: np.datetime64
    geo: pd.DataFrame
    hh: pd.DataFrame  # hukou households (index = hh)
    people: pd.DataFrame  # index = pid; death (NaT = alive through the cycle)
    certs: pd.DataFrame  # pid, level, type, issued
    units: pd.DataFrame  # dibao/tekun units: hid, hh, program, pci, enrolled, handler, account, phone, plant, when
    members: pd.DataFrame  # hid, pid
    handlers: pd.DataFrame  # town, pid
    cadres: pd.DataFrame  # pid, region_code, position
    filings: pd.DataFrame  # cadre pid, kin pid, relation, filed, plant, when
    poverty: pd.DataFrame  # hukou-level: hh, pov_id, status, income (yuan/year)
    labor: pd.Series  # pid -> labor capacity (poverty members)
    illness: pd.Series  # pid -> bool
    orphans: np.ndarray  # pids
    assets: dict[str, pd.DataFrame] = field(default_factory=dict)
    extras: pd.DataFrame = field(default_factory=pd.DataFrame)  # planted roll rows
    exclusions: pd.DataFrame = field(default_factory=pd.DataFrame)  # pid, program, plant
    overrides: pd.DataFrame = field(default_factory=pd.DataFrame)  # hid|pid, program, field, value, plant
    force_paid: pd.DataFrame = field(default_factory=pd.DataFrame)  # pid, plant (dead yet paid)
    plants: pd.DataFrame = field(default_factory=pd.DataFrame)  # plant, code, fix_k
    truth: pd.DataFrame = field(default_factory=pd.DataFrame)  # plant, finding, household_id, pid, program, note
    decoys: pd.DataFrame = field(default_factory=pd.DataFrame)  # kind, source, pid, household_id, must_not, tag
    favour: pd.DataFrame = field(default_factory=pd.DataFrame)  # hid, village, kind
    repeats: pd.DataFrame = field(default_factory=pd.DataFrame)  # extra registry rows (sample.registry)
    unregistered: set[int] = field(default_factory=set)  # pids the registry does not list (another county)
    used_hh: set[int] = field(default_factory=set)
    villages: Villages = field(default_factory=Villages)
    next_account: int = 0
    households: int = 0

    def new_account(self) -> str:
        """A fresh account numbered like the households' own (62170 + 9 + 5 digits)."""
        self.next_account += 1
        return f"62170{self.households + self.next_account:09d}{(self.next_account * 7919) % 100000:05d}"

    def alive_on(self, day: np.datetime64) -> np.ndarray:
        death = self.people["death"].to_numpy()
        return np.isnat(death) | (death >= day)


def rebirth(world: World, pid: int, birth: np.datetime64) -> None:
    """Give a person a new birth date and the matching number (same sequence digits)."""
    old = str(cell(world.people, pid, "id"))
    first17 = old[:6] + str(birth).replace("-", "") + old[14:17]
    world.people.at[pid, "birth"] = pd.Timestamp(birth)
    world.people.at[pid, "id"] = first17 + str(check_chars(np.array([first17]))[0])


def _mortality(age: np.ndarray) -> np.ndarray:
    """Annual probability of death by age (Gompertz, ≈ 0.7% overall, 5% at 80)."""
    return np.clip(0.0004 * np.exp(0.088 * (age - 30)), 0.0003, 0.45)


def _deaths_before(world: World, rng: np.random.Generator) -> None:
    """People who died in the two years before the anchor (still on some lists)."""
    p = world.people
    q = 2 * _mortality(p["age"].to_numpy())
    dead = rng.random(len(p)) < q
    days = rng.integers(1, 730, len(p))
    p["death"] = pd.NaT
    p.loc[dead, "death"] = pd.to_datetime(world.anchor - days[dead] * DAY)


def _certs(world: World, rng: np.random.Generator) -> pd.DataFrame:
    """Disability certificates (残疾人证): ≈ 3% of people, more among the old."""
    p = world.people
    prob = np.clip(0.012 + p["age"].to_numpy() / 2500, 0, 0.08)
    holders = p.index[rng.random(len(p)) < prob].to_numpy()
    level = rng.choice([1, 2, 3, 4], size=len(holders), p=[0.12, 0.23, 0.30, 0.35])
    kind = rng.choice(np.array(DISABILITY_TYPES), size=len(holders), p=[0.14, 0.2, 0.04, 0.38, 0.1, 0.1, 0.04])
    issued = world.anchor - rng.integers(200, 365 * 12, len(holders)) * DAY
    return pd.DataFrame({"pid": holders, "level": level, "type": kind, "issued": issued}).set_index("pid", drop=False)


def _handlers(world: World, rng: np.random.Generator) -> pd.DataFrame:
    """Township assistance workers (协理员): 2-3 per town, hired, not on the payroll."""
    p = world.people
    alive = world.alive_on(world.anchor)
    rows = []
    for town in world.geo["town"].drop_duplicates():
        town_hh = world.hh.index[world.hh["town"] == town]
        cand = p.index[alive & p["hh"].isin(town_hh) & p["age"].between(25, 50) & (p["hsize_now"] >= 2)].to_numpy()
        cand = cand[~np.isin(p.loc[cand, "hh"].to_numpy(), list(world.used_hh))]
        chosen: list[int] = []
        for pid in rng.permutation(cand):
            if len(chosen) == 3 if len(town_hh) > 60 else len(chosen) == 2:
                break
            h = int(cell(p, pid, "hh"))
            if h not in world.used_hh:
                world.used_hh.add(h)
                chosen.append(int(pid))
        rows += [{"town": town, "pid": pid} for pid in chosen]
    return pd.DataFrame(rows)


def _units(world: World, rng: np.random.Generator) -> None:
    """Whole-hukou dibao units (≈ 4% of households) and single tekun units."""
    p, hh = world.people, world.hh
    alive = world.alive_on(world.anchor)
    living = p[alive]
    n_alive = living.groupby("hh").size().reindex(hh.index, fill_value=0)
    old = living.groupby("hh")["age"].max().reindex(hh.index, fill_value=0)
    severe = living.index.isin(world.certs.index[world.certs["level"] <= 2])
    has_severe = pd.Series(severe, index=living.index).groupby(living["hh"]).any().reindex(hh.index, fill_value=False)
    free = ~hh.index.isin(list(world.used_hh)) & (n_alive > 0)

    tekun_cand = hh.index[free & (n_alive == 1) & ((old >= 62) | has_severe)].to_numpy()
    n_tekun = min(len(tekun_cand), max(4, round(len(hh) * 0.012)))
    tekun = np.sort(rng.choice(tekun_cand, size=n_tekun, replace=False))
    world.used_hh.update(tekun.tolist())

    weight = (1 + 2 * (~hh["urban"]) + 2 * (old >= 65) + 3 * has_severe) * free
    weight[hh.index.isin(tekun)] = 0
    n_dibao = max(12, round(len(hh) * 0.03))
    dibao = np.sort(rng.choice(hh.index.to_numpy(), size=n_dibao, replace=False, p=weight / weight.sum()))
    world.used_hh.update(dibao.tolist())

    rows = []
    tekun_set = set(tekun.tolist())
    for h in np.concatenate([dibao, tekun]).tolist():
        urban = bool(cell(hh, h, "urban"))
        is_tekun = h in tekun_set
        program = "tekun" if is_tekun else ("dibao_urban" if urban else "dibao_rural")
        std = STANDARD["dibao_urban" if urban else "dibao_rural"]
        rows.append(
            {
                "hid": "JT" + str(cell(hh, h, "hukou_id"))[6:],
                "hh": h,
                "program": program,
                "pci": 0.0 if is_tekun else float(np.floor(rng.uniform(0, 0.85) * std / 10) * 10),
                "enrolled": world.anchor - int(rng.integers(60, 365 * 9)) * DAY,
                "account": cell(hh, h, "bank_account"),
                "phone": cell(hh, h, "phone"),
            }
        )
    world.units = pd.DataFrame(rows)
    by_town = {str(t): g.to_numpy() for t, g in world.handlers.groupby("town")["pid"]}
    towns = hh.loc[world.units["hh"], "town"].to_numpy()
    world.units["handler"] = [int(by_town[t][rng.integers(0, len(by_town[t]))]) for t in towns]
    world.units["plant"] = -1
    world.units["when"] = "always"
    mem = living[living["hh"].isin(world.units["hh"])][["hh"]].reset_index(names="pid")
    world.members = mem.merge(world.units[["hh", "hid"]], on="hh")[["hid", "pid"]]


def _cadres(world: World, rng: np.random.Generator) -> None:
    """Village cadres (村社区干部): 3-5 per village, one per hukou, from ordinary households."""
    p, hh = world.people, world.hh
    alive = world.alive_on(world.anchor)
    cand = p[alive & p["age"].between(28, 62) & ~p["hh"].isin(list(world.used_hh))][["hh"]].copy()
    cand["village_idx"] = hh.loc[cand["hh"], "village_idx"].to_numpy()
    cand["key"] = rng.random(len(cand))
    cand = cand.sort_values("key", kind="stable").drop_duplicates("hh")
    want = rng.integers(3, 6, len(world.geo)) if len(hh) >= 1000 else np.full(len(world.geo), 3)
    cand["rank"] = cand.groupby("village_idx").cumcount()
    cand = cand[cand["rank"] < want[cand["village_idx"].to_numpy()]].sort_values(["village_idx", "rank"])
    world.used_hh.update(cand["hh"].astype(int).tolist())
    titles = np.array(["副主任", "委员", "文书"])[rng.integers(0, 3, len(cand))]
    geo = world.geo.loc[cand["village_idx"]]
    suffix = np.where(geo["urban"], "居委会", "村委会")
    rank = cand["rank"].to_numpy()
    position = np.where(rank == 0, "党支部书记", np.where(rank == 1, suffix + "主任", suffix + titles))
    world.cadres = pd.DataFrame(
        {"pid": cand.index.to_numpy(), "region_code": geo["region_code"].to_numpy(), "position": position}
    )


def _orphans(world: World, rng: np.random.Generator) -> None:
    """Children without a carer (事实无人抚养儿童), under 16 so they stay minors all cycle."""
    p = world.people
    alive = world.alive_on(world.anchor)
    cand = p.index[alive & p["relation"].isin(["孙子", "孙女"]) & p["age"].between(3, 15.5)].to_numpy()
    cand = cand[~np.isin(p.loc[cand, "hh"].to_numpy(), list(world.used_hh))]
    n = min(len(cand), max(3, round(len(p) * 0.0006)))
    world.orphans = np.sort(rng.choice(cand, size=n, replace=False))
    world.used_hh.update(p.loc[world.orphans, "hh"].tolist())


def _poverty(world: World, rng: np.random.Generator) -> None:
    """The poverty registry (建档立卡/防返贫监测): most rural dibao households and some others.

    Households not on dibao or tekun report an income above every dibao standard, so
    none of them is a missed case unless planted (plants.py lowers it).
    """
    hh, p = world.hh, world.people
    whole = world.units[world.units["program"] != "tekun"]["hh"].to_numpy()
    on_dibao = np.array([h for h in whole if not cell(hh, h, "urban") and rng.random() < 0.7], dtype=int)
    rest = hh.index[~hh.index.isin(list(world.used_hh))].to_numpy()
    share = np.where(hh.loc[rest, "urban"], 0.015, 0.09)
    others = rest[rng.random(len(rest)) < share]
    chosen = np.sort(np.concatenate([on_dibao, others]))
    status = np.where(
        np.isin(chosen, on_dibao), "脱贫不稳定户", rng.choice(["脱贫户", "边缘易致贫户"], len(chosen), p=[0.8, 0.2])
    )
    income = np.where(
        np.isin(chosen, on_dibao), rng.uniform(2400, 5300, len(chosen)), rng.uniform(7600, 16000, len(chosen))
    )
    world.poverty = pd.DataFrame(
        {
            "hh": chosen,
            "pov_id": ["FP" + str(cell(hh, h, "hukou_id"))[6:] for h in chosen],
            "status": status,
            "income": np.round(income, -1),
        }
    ).set_index("hh", drop=False)
    members = p.index[p["hh"].isin(chosen)]
    age = p.loc[members, "age"].to_numpy()
    u = rng.random(len(members))
    labor = np.where(
        age < 16,
        "无劳动力",
        np.where(
            age < 60,
            np.where(u < 0.92, "普通劳动力", "弱劳动力或半劳动力"),
            np.where(
                age < 70,
                np.where(u < 0.7, "弱劳动力或半劳动力", "普通劳动力"),
                np.where(u < 0.5, "丧失劳动力", "无劳动力"),
            ),
        ),
    )
    severe = np.isin(members, world.certs.index[world.certs["level"] <= 2])
    labor = np.where(severe, "丧失劳动力", labor)
    world.labor = pd.Series(labor, index=members)
    world.illness = pd.Series(rng.random(len(members)) < 0.04, index=members)


def build_world(county: str, anchor_period: str, households: int, seed: int, villages: Villages | None = None) -> World:
    """The clean anchor-month county (plants and decoys are added by plants.plant_all); `villages`
    adds single-clan villages and ordinary 分户 (population.Villages; none by default)."""
    v = villages or Villages()
    anchor = cal.first_day(anchor_period)
    geo = geography(rng_for(seed, 1), county, households)
    hh, people = build_people(rng_for(seed, 2), county, households, anchor, geo)
    if v.clans > 0:
        clan_villages(geo, hh, people, rng_for(seed, 12), v.clans)
    if v.splits > 0:
        hh, people = adult_splits(hh, people, rng_for(seed, 13), anchor, v.splits)
    world = World(
        county,
        seed,
        anchor_period,
        anchor,
        geo,
        hh,
        people.set_index("pid", drop=False),
        pd.DataFrame(),
        pd.DataFrame(),
        pd.DataFrame(),
        pd.DataFrame(),
        pd.DataFrame(),
        pd.DataFrame(),
        pd.DataFrame(),
        pd.Series(dtype=object),
        pd.Series(dtype=bool),
        np.array([], dtype=int),
    )
    world.households = len(hh)  # fresh accounts are numbered above every hukou's
    world.villages = v
    _deaths_before(world, rng_for(seed, 3))
    alive = world.alive_on(anchor)
    world.people["hsize_now"] = world.people["hh"].map(world.people[alive].groupby("hh").size()).fillna(0)
    world.certs = _certs(world, rng_for(seed, 4))
    world.handlers = _handlers(world, rng_for(seed, 5))
    _units(world, rng_for(seed, 6))
    _cadres(world, rng_for(seed, 7))
    _orphans(world, rng_for(seed, 8))
    _poverty(world, rng_for(seed, 9))
    world.filings = pd.DataFrame(columns=["cadre", "kin", "relation", "filed", "plant", "when"])
    return world
