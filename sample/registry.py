"""The household registry as counties really hold it (contract §1): numbers listed twice, people missing.

* 一人多户: a person still listed in a hukou they left (same name, number and birth);
* 重号: a second person issued someone's number (another name, often another birth
  date); they appear in the registry only, so their true identity (`_truth/records.csv`)
  is a number of their own that no file shows;
* roll people the registry lacks: registered in another county (户籍在外县), one of
  them paid as their own roll household into their family's account (a decoy that must
  not be a SHARED_ACCOUNT). The deregistered dead (DECEASED_PAID plants) already are.

Subjects keep the truth complete: a stale listing goes to an untouched hukou with no
cadre, no cadre is listed twice, a 重号 holder is under 70 (never due an elderly
allowance in the cycle) and lives in an untouched hukou.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sample.ids import check_chars
from sample.names import given_names
from sample.planter import Planter, dibao_program
from sample.world import DAY, World, cell

REPEAT_SHARE = 0.003  # registry numbers listed twice (counties measure 0.1-0.5%)
SHARED_SHARE = 0.4  # of them 重号; the rest 一人多户
ELSEWHERE_SHARE = 0.02  # of elderly-allowance recipients: hukou in another county
REPEAT_COLUMNS = ["kind", "pid", "number", "hh", "name", "birth", "sex", "relation", "key"]


def plant_registry(pl: Planter, rng: np.random.Generator) -> None:
    """Choose the repeats and the unregistered; the registry snapshot applies them every month."""
    w = pl.w
    cadre_hh = set(w.people.loc[w.cadres["pid"], "hh"].astype(int).tolist())
    _unregistered_family_account(pl, rng)
    _elsewhere(pl, rng)
    alive = pl.alive & ~w.people.index.isin(list(w.unregistered)) & ~w.people.index.isin(w.cadres["pid"])
    n = max(2, round(REPEAT_SHARE * int(pl.alive.sum())))
    shared = max(1, round(n * SHARED_SHARE))
    free = FreeHukous(pl, cadre_hh)
    rows = [*_one_person(pl, rng, alive, n - shared, free), *_shared_number(pl, rng, alive, shared, free)]
    w.repeats = pd.DataFrame(rows, columns=REPEAT_COLUMNS)


class FreeHukous:
    """Hukous with living members that no plant, decoy or cadre touches; a hukou taken leaves the pool.

    Worked out once per county (a scan of every hukou per pick made a 1M-person county quadratic).
    """

    def __init__(self, pl: Planter, cadre_hh: set[int]) -> None:
        used = set(pl.w.used_hh) | cadre_hh
        self.hukous = np.array([h for h in sorted(pl.living_of) if h not in used and pl.household(int(h))], dtype=int)
        self.open = np.ones(len(self.hukous), dtype=bool)
        self.pl = pl

    def take(self, rng: np.random.Generator, avoid: int) -> int:
        """One free hukou other than `avoid`, drawn uniformly, and marked used."""
        free = self.hukous[self.open & (self.hukous != avoid)]
        chosen = int(free[rng.integers(0, len(free))])
        self.open[np.searchsorted(self.hukous, chosen)] = False
        self.pl.w.used_hh.add(chosen)  # one stale listing per hukou keeps the cases apart
        return chosen


def _one_person(pl: Planter, rng: np.random.Generator, alive: np.ndarray, n: int, free: FreeHukous) -> list[dict]:
    p = pl.w.people
    cand = p.index[alive & (p["age"] >= 18).to_numpy()].to_numpy()
    out = []
    for pid in rng.choice(cand, size=min(n, len(cand)), replace=False):
        old = free.take(rng, avoid=int(cell(p, pid, "hh")))
        sex = str(cell(p, pid, "sex"))
        out.append(
            {
                "kind": "one_person",
                "pid": int(pid),
                "number": cell(p, pid, "id"),
                "hh": old,
                "name": cell(p, pid, "name"),
                "birth": cell(p, pid, "birth"),
                "sex": sex,
                "relation": "子" if sex == "M" else "女",
                "key": cell(p, pid, "id"),
            }
        )
    return out


def _shared_number(pl: Planter, rng: np.random.Generator, alive: np.ndarray, n: int, free: FreeHukous) -> list[dict]:
    p = pl.w.people
    cand = p.index[alive & p["age"].between(18, 69).to_numpy()].to_numpy()
    taken = set(p["id"].astype(str))
    out = []
    for pid in rng.choice(cand, size=min(n, len(cand)), replace=False):
        number, sex = str(cell(p, pid, "id")), str(cell(p, pid, "sex"))
        born = pd.Timestamp(cell(p, pid, "birth"))
        if rng.random() < 0.5:  # an issuing error: the number's birth date is not theirs
            born = born + pd.Timedelta(days=int(rng.integers(200, 3000)) * (1 if born.year < 1980 else -1))
        name = str(cell(p, pid, "name"))
        while name == str(cell(p, pid, "name")):
            name = str(rng.choice(np.array(list("李王张刘陈杨黄赵周吴")))) + str(
                given_names(rng, np.array([sex]), np.array([born.year]))[0]
            )
        home = free.take(rng, avoid=int(cell(p, pid, "hh")))
        out.append(
            {
                "kind": "shared_number",
                "pid": -1,
                "number": number,
                "hh": home,
                "name": name,
                "birth": born,
                "sex": sex,
                "relation": "其他",
                "key": _own_number(number, born, sex, taken),
            }
        )
    return out


def _own_number(number: str, born: pd.Timestamp, sex: str, taken: set[str]) -> str:
    """A number nobody in the county holds: the 重号 holder's true identity in the truth files."""
    for seq in range(999, 0, -2 if sex == "M" else -1):
        if (seq % 2 == 1) != (sex == "M"):
            continue
        first17 = number[:6] + born.strftime("%Y%m%d") + f"{seq:03d}"
        key = first17 + str(check_chars(np.array([first17]))[0])
        if key not in taken:
            taken.add(key)
            return key
    raise ValueError("no free sequence number")


def _elsewhere(pl: Planter, rng: np.random.Generator) -> None:
    """Elderly-allowance recipients of untouched households whose hukou is in another county."""
    w, p = pl.w, pl.w.people
    old = pl.alive & p["age"].between(81, 95).to_numpy() & ~p["hh"].isin(list(w.used_hh)).to_numpy()
    cand = p.index[old].to_numpy()
    n = min(len(cand), max(1, round(ELSEWHERE_SHARE * len(cand))))
    for pid in rng.choice(cand, size=n, replace=False):
        w.unregistered.add(int(pid))
        w.used_hh.add(int(cell(p, pid, "hh")))


def _unregistered_family_account(pl: Planter, rng: np.random.Generator) -> None:
    """A mother registered elsewhere, paid her elderly allowance as her own roll household into the
    account of her family's dibao household: one family, unknown hukou, no SHARED_ACCOUNT."""
    w, p = pl.w, pl.w.people
    no_cert = ~p.index.isin(w.certs.index)
    olds = p.index[pl.alive & no_cert & p["age"].between(81, 95).to_numpy()].to_numpy()
    done = 0
    for pid in rng.permutation(olds):
        h = int(cell(p, pid, "hh"))
        family = [m for m in pl.household(h) if m != pid and not cell(p, m, "age") >= 78]
        if h in w.used_hh or h in pl.unit_hh or not family or any(m in w.certs.index for m in family):
            continue
        w.used_hh.add(h)
        program = dibao_program(w, h)
        hid = pl.add_unit(h, program, plant=-1, members=family, enrolled=w.anchor - 400 * DAY,
                          handler=int(w.handlers["pid"].iloc[0]), pci=0.0)  # fmt: skip
        own = pl.fresh_hid(h)
        pl.over.append({"pid": int(pid), "hid": "", "program": "elderly_allowance", "field": "household_id",
                        "value": own, "plant": -1})  # fmt: skip
        w.unregistered.add(int(pid))
        pl.decoy("unregistered_family_account", "roll", int(pid), own, "SHARED_ACCOUNT")
        pl.decoy("unregistered_family_account", "roll", int(family[0]), hid, "SHARED_ACCOUNT")
        done += 1
        if done == 2:
            break


def registry_rows(world: World, start: np.datetime64) -> pd.DataFrame:
    """The extra registry rows of the month: a stale listing or a 重号 holder, while the person lives."""
    rep = world.repeats
    if rep.empty:
        return pd.DataFrame()
    death = world.people["death"].reindex(rep["pid"]).to_numpy()
    keep = np.isnat(death) | (death >= start - 60 * DAY)
    rep = rep[keep]
    home = world.hh.loc[rep["hh"].to_numpy()]
    return pd.DataFrame(
        {
            "hukou_id": home["hukou_id"].to_numpy(),
            "name": rep["name"].to_numpy(),
            "id_number": rep["number"].astype(str).to_numpy(),
            "relation": rep["relation"].to_numpy(),
            "sex": rep["sex"].to_numpy(),
            "birth_date": pd.to_datetime(rep["birth"]).to_numpy(),
            "region_code": home["region_code"].to_numpy(),
            "address": home["address"].to_numpy(),
            "established": home["established"].to_numpy(),
            "_pid": rep["pid"].to_numpy(),
            "_decoy": "",
            "_key": rep["key"].to_numpy(),
            "_repeat": rep["kind"].to_numpy(),
        }
    )
