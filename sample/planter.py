"""Bookkeeping for planted cases: plant ids, fix months, truth rows, distinct subjects.

Each plant gets an id, a month in the cycle at which it is fixed (`fix_k`, 99 = never)
and payload rows tagged with that id; `snapshot.py` applies the payload while the plant
is active, and the truth rows written for a month are exactly the active plants'.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sample.world import DAY, STANDARD, World, cell, rebirth

NEVER = 99
FIXED_NEXT_MONTH = (
    "DECEASED_PAID",
    "VEHICLE_OWNED",
    "AMOUNT_MISMATCH",
    "MISSED_ELDERLY_ALLOWANCE",
    "CADRE_KIN_UNFILED",
)


def hid_of(world: World, h: int) -> str:
    """The roll's 家庭编号 of a hukou household (stable across programmes and months)."""
    return "JT" + str(cell(world.hh, h, "hukou_id"))[6:]


def dibao_program(world: World, h: int) -> str:
    return "dibao_urban" if bool(cell(world.hh, h, "urban")) else "dibao_rural"


class Planter:
    """Collects plants, their payloads and decoys while choosing distinct subjects."""

    def __init__(self, world: World, rng: np.random.Generator, per_code: int) -> None:
        self.w, self.rng, self.n = world, rng, per_code
        self.plants: list[dict] = []
        self.truth: list[dict] = []
        self.extras: list[dict] = []
        self.excl: list[dict] = []
        self.over: list[dict] = []
        self.force: list[dict] = []
        self.decoys: list[dict] = []
        self.assets: dict[str, list[dict]] = {"real_estate": [], "vehicles": [], "businesses": [], "payroll": []}
        self.alive = world.alive_on(world.anchor)
        self.units: dict[str, dict] = {str(r["hid"]): r for r in world.units.to_dict("records")}
        self.unit_mem: dict[str, list[int]] = {
            str(hid): [int(x) for x in g] for hid, g in world.members.groupby("hid", sort=False)["pid"]
        }
        self.unit_hh: set[int] = set(world.units["hh"].astype(int).tolist())
        self.pool = [h for h, r in self.units.items() if r["program"] != "tekun"]
        living = world.people[self.alive]
        self.hh_size = living.groupby("hh").size()
        self.is_head = (world.people["relation"] == "户主").to_numpy()
        self.village_count = world.hh["hukou_id"].str[6:12].value_counts().to_dict()
        self.next_seq: dict[str, int] = {}
        pids = living.index.to_numpy()
        self.living_of: dict[int, list[int]] = {
            int(str(h)): pids[rows].tolist() for h, rows in living.groupby("hh").indices.items()
        }
        self.hh_adult = living[living["age"].between(22, 58)].groupby("hh").size()

    # -- bookkeeping -------------------------------------------------------
    def plant(self, code: str, fixable: bool = True) -> int:
        pid = len(self.plants)
        same = sum(p["code"] == code for p in self.plants)
        fix = NEVER
        if fixable and same == 0 and code in FIXED_NEXT_MONTH:
            fix = 1  # put right by next month: the case store must close it
        elif fixable and self.rng.random() < 0.1:
            fix = int(self.rng.integers(2, 12))
        self.plants.append({"plant": pid, "code": code, "fix_k": fix})
        return pid

    def truth_row(self, plant: int, finding: str, hid: str, pid: int | None, program: str, note: str) -> None:
        self.truth.append(
            {
                "plant": plant,
                "finding": finding,
                "household_id": hid,
                "pid": -1 if pid is None else pid,
                "program": program,
                "note": note,
            }
        )

    def decoy(self, kind: str, source: str, pid: int, hid: str, must_not: str, tag: str = "") -> None:
        self.decoys.append(
            {
                "kind": kind,
                "source": source,
                "pid": pid,
                "household_id": hid,
                "must_not": must_not,
                "tag": tag or kind + ":" + str(pid),
            }
        )

    # -- choosing subjects -------------------------------------------------
    def free_people(self, mask: pd.Series | np.ndarray, n: int) -> list[int]:
        """n living people from distinct, untouched households (the households become used)."""
        if n <= 0:
            return []
        hh = self.w.people["hh"].to_numpy()
        top = int(hh.max())
        used = np.zeros(top + 1, dtype=bool)
        used[[h for h in self.w.used_hh if h <= top]] = True
        cand = np.flatnonzero(np.asarray(mask) & self.alive & ~used[hh])
        if len(cand) == 0:
            return []
        order = cand[self.rng.integers(0, len(cand), size=min(len(cand), 8 * n + 64))]
        if len(cand) <= 8 * n + 64:
            order = self.rng.permutation(cand)
        out: list[int] = []
        for pid in order:
            h = int(hh[pid])
            if h in self.w.used_hh:
                continue
            self.w.used_hh.add(h)
            out.append(int(pid))
            if len(out) == n:
                break
        return out

    def aged(self, mask: pd.Series | np.ndarray, lo: float, hi: float, n: int) -> list[int]:
        """n people aged lo-hi; in a small county, others are made that old (new birth date)."""
        p = self.w.people
        got = self.free_people(np.asarray(mask) & p["age"].between(lo, hi).to_numpy(), n)
        if len(got) == n:  # the usual case: no need to scan everyone's relation (quadratic in a big county)
            return got
        for pid in self.free_people(np.asarray(mask) & (p["relation"] == "户主").to_numpy(), n - len(got)):
            age = float(self.rng.uniform(lo, hi))
            p.at[pid, "age"] = age
            rebirth(self.w, pid, self.w.anchor - round(age * 365.25) * DAY)
            got.append(pid)
        return got

    def with_cert(self, levels: tuple[int, ...], n: int) -> list[int]:
        """n holders of a certificate at one of `levels`; certificates are issued if too few."""
        w, p = self.w, self.w.people
        got = self.free_people(p.index.isin(w.certs.index[w.certs["level"].isin(levels)]), n)
        if len(got) == n:  # the usual case: no need to scan everyone again (quadratic in a big county)
            return got
        adults = ~p.index.isin(w.certs.index) & p["age"].between(20, 75).to_numpy()
        for pid in self.free_people(adults, n - len(got)):
            row = pd.DataFrame(
                {"pid": [pid], "level": [levels[0]], "type": ["肢体残疾"], "issued": [w.anchor - 800 * DAY]},
                index=[pid],
            )
            w.certs = pd.concat([w.certs, row])
            got.append(pid)
        return got

    def dibao_unit(self, need_adult: bool = False, min_size: int = 1) -> tuple[str, int]:
        """An unclaimed whole-hukou dibao unit, or a new one made from an untouched household."""
        age = self.w.people["age"].to_numpy()
        for hid in self.pool:
            members = self.unit_mem[hid]
            if len(members) < min_size or (need_adult and not ((age[members] >= 22) & (age[members] <= 58)).any()):
                continue
            self.pool.remove(hid)
            return hid, int(self.units[hid]["hh"])
        p = self.w.people
        ok = self.hh_size[self.hh_size >= max(min_size, 2 if need_adult else 1)].index
        if need_adult:
            ok = ok[ok.isin(self.hh_adult.index)]
        mask = p["hh"].isin(ok).to_numpy() & self.is_head
        head = self.free_people(mask, 1)[0]
        h = int(cell(p, head, "hh"))
        return self.add_unit(h, dibao_program(self.w, h), plant=-1), h

    def add_unit(
        self,
        h: int,
        program: str,
        plant: int,
        members: list[int] | None = None,
        hid: str | None = None,
        account: str | None = None,
        enrolled: np.datetime64 | None = None,
        handler: int | None = None,
        pci: float | None = None,
        phone: str | None = None,
    ) -> str:
        w = self.w
        std = (
            STANDARD[program]
            if program != "tekun"
            else STANDARD["tekun_urban" if cell(w.hh, h, "urban") else "tekun_rural"]
        )
        hid = hid or hid_of(w, h)
        if members is None:
            members = self.household(h)
        town = cell(w.hh, h, "town")
        handlers = w.handlers.loc[w.handlers["town"] == town, "pid"].to_numpy()
        self.units[hid] = {
            "hid": hid,
            "hh": h,
            "program": program,
            "pci": pci
            if pci is not None
            else (0.0 if program == "tekun" else float(np.floor(self.rng.uniform(0, 0.8) * std / 10) * 10)),
            "enrolled": enrolled if enrolled is not None else w.anchor - int(self.rng.integers(90, 2500)) * DAY,
            "account": account or cell(w.hh, h, "bank_account"),
            "phone": phone or cell(w.hh, h, "phone"),
            "handler": handler if handler is not None else int(handlers[self.rng.integers(0, len(handlers))]),
            "plant": plant,
            "when": "active" if plant >= 0 else "always",
        }
        self.unit_mem[hid] = list(members)
        self.unit_hh.add(h)
        return hid

    def fresh_hid(self, h: int) -> str:
        """A new 家庭编号 in h's village, numbered on from the village's last household,
        so planted households cannot be told apart by their number."""
        prefix = str(cell(self.w.hh, h, "hukou_id"))[6:12]
        self.next_seq[prefix] = self.next_seq.get(prefix, int(self.village_count.get(prefix, 0))) + 1
        return "JT" + prefix + f"{self.next_seq[prefix]:05d}"

    def household(self, h: int) -> list[int]:
        """Living members of a hukou at the anchor (kept up to date by splits)."""
        return [m for m in self.living_of.get(h, []) if self.alive[m]]

    def unit_members(self, hid: str) -> list[int]:
        return self.unit_mem[hid]

    def adult_member(self, hid: str) -> int:
        p = self.w.people
        members = [m for m in self.unit_members(hid) if 22 <= cell(p, m, "age") <= 58]
        return int(members[0])

    def set_pci(self, hid: str, pci: float) -> None:
        self.units[hid]["pci"] = pci

    def program_of(self, hid: str) -> str:
        return str(self.units[hid]["program"])

    def flush_units(self) -> None:
        """Write the unit bookkeeping back to the world."""
        self.w.units = pd.DataFrame(list(self.units.values()))
        self.w.members = pd.DataFrame(
            [(hid, m) for hid, ms in self.unit_mem.items() for m in ms], columns=["hid", "pid"]
        )

    def extra(
        self,
        plant: int,
        pid: int,
        program: str,
        hid: str,
        amount: float,
        h: int,
        account: str | None = None,
        size: int | None = None,
        pci: float = np.nan,
    ) -> None:
        w = self.w
        self.extras.append(
            {
                "pid": pid,
                "program": program,
                "hid": hid,
                "amount": amount,
                "pci": pci,
                "size": size,
                "account": account or cell(w.hh, h, "bank_account"),
                "phone": cell(w.hh, h, "phone"),
                "hh": h,
                "plant": plant,
                "when": "active",
            }
        )


EXEMPT_VEHICLES = ("普通二轮摩托车", "三轮汽车", "拖拉机", "低速货车")
OWNED_VEHICLES = ("小型轿车", "小型普通客车", "轻型货车", "重型货车")


def add_poverty(pl: Planter, h: int, status: str, income: float) -> None:
    w, p = pl.w, pl.w.people
    row = pd.DataFrame(
        {"hh": [h], "pov_id": ["FP" + str(cell(w.hh, h, "hukou_id"))[6:]], "status": [status], "income": [income]},
        index=[h],
    )
    w.poverty = pd.concat([w.poverty, row])
    for m in pl.household(h):
        w.labor[m] = "无劳动力" if cell(p, m, "age") < 16 else "普通劳动力"
        w.illness[m] = False
