"""Decoys: records that look suspicious but must not produce the named finding."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sample import calendar as cal
from sample.planter import EXEMPT_VEHICLES, Planter, dibao_program, hid_of
from sample.world import DAY, cell, rebirth


def _decoys(pl: Planter) -> None:
    """Records that look suspicious but must not produce the named finding."""
    w, p, rng = pl.w, pl.w.people, pl.rng
    dead = ~pl.alive & ~p["hh"].isin(list(w.used_hh))
    sexes = {s: (p["sex"] == s).to_numpy() for s in p["sex"].dropna().unique()}  # once: a scan per pick is quadratic
    none = np.zeros(len(p), dtype=bool)

    def of_sex(pid: int) -> np.ndarray:
        return sexes.get(cell(p, pid, "sex"), none)

    for _ in range(max(2, pl.n)):
        hid, _h = pl.dibao_unit()
        x = pl.unit_members(hid)[0]
        same = p.index[np.asarray(dead) & of_sex(x)].to_numpy()
        if len(same):
            d = int(same[rng.integers(0, len(same))])
            p.at[d, "name"] = cell(p, x, "name")
            w.used_hh.add(int(cell(p, d, "hh")))
            pl.decoy("homonym_death", "deaths", d, hid, "DECEASED_PAID")
        y = pl.unit_members(hid)[-1]
        other = pl.free_people(of_sex(y) & p["age"].between(25, 58).to_numpy(), 1)
        if other:
            p.at[other[0], "name"] = cell(p, y, "name")
            tag = f"homonym_payroll:{other[0]}"
            pl.assets["payroll"].append(
                {
                    "pid": other[0],
                    "employer": "天门市人民医院",
                    "salary": 5200.0,
                    "plant": -1,
                    "when": "always",
                    "_decoy": tag,
                }
            )
            pl.decoy("homonym_payroll", "payroll", other[0], hid, "PUBLIC_PAYROLL", tag)
    for i in range(max(2, pl.n)):
        hid, _h = pl.dibao_unit(need_adult=True)
        a = pl.adult_member(hid)
        first = pl.unit_members(hid)[0]
        specs = [
            ("vehicles", "exempt_vehicle", a, {"vehicle_type": EXEMPT_VEHICLES[i % 4]}, "VEHICLE_OWNED"),
            ("real_estate", "one_home", first, {"property_type": "住宅"}, "PROPERTY_EXCESS"),
            (
                "businesses",
                "cancelled_business",
                a,
                {"role": "法定代表人", "capital": 50.0, "status": ("注销", "吊销")[i % 2]},
                "BUSINESS_OWNED",
            ),
            (
                "businesses",
                "small_individual",
                a,
                {"role": "个体工商户经营者", "capital": float(rng.integers(1, 10)), "status": "存续"},
                "BUSINESS_OWNED",
            ),
        ]
        for source, kind, pid, fields, must_not in specs:
            assert isinstance(fields, dict)
            tag = f"{kind}:{pid}:{i}"
            pl.assets[source].append({"pid": pid, **fields, "plant": -1, "when": "always", "_decoy": tag})
            pl.decoy(kind, source, pid, hid, must_not, tag)


def plant_scarce_decoys(pl: Planter) -> None:
    """Decoys that need rare people (the very old, level-2 holders): chosen first."""
    w, p, rng = pl.w, pl.w.people, pl.rng
    no_cert = ~p.index.isin(w.certs.index)
    for k in range(12):  # recipients who die during a month of the cycle, after its first day
        start = cal.first_day(cal.period_of(cal.month_index(w.anchor_period) + k))
        for pid in pl.aged(no_cert, 81, 95, 2 if k == 0 else 1):
            p.at[pid, "death"] = pd.Timestamp(start + int(rng.integers(1, 27)) * DAY)
            pl.decoy("death_in_period", "roll", pid, hid_of(w, int(cell(p, pid, "hh"))), "DECEASED_PAID", tag=f"k{k}")
    for pid in pl.aged(no_cert, 79.3, 80.7, 2):
        rebirth(w, pid, cal.add_years(w.anchor, -80))
        pl.decoy("elderly_exact_min_age", "roll", pid, hid_of(w, int(cell(p, pid, "hh"))), "AGE_INELIGIBLE")
    for pid in pl.with_cert((2,), 2):
        pl.decoy("care_level_2", "roll", pid, hid_of(w, int(cell(p, pid, "hh"))), "DISABILITY_INELIGIBLE")
    for pid in pl.aged(no_cert, 81, 95, 2):  # dibao + elderly into one account
        h = int(cell(p, pid, "hh"))
        hid = pl.add_unit(h, dibao_program(w, h), plant=-1)
        pl.decoy("family_one_account", "roll", pid, hid, "SHARED_ACCOUNT")


def _poverty_decoys(pl: Planter) -> None:
    """Poor households with nobody the MISSED_DIBAO rule covers."""
    w, p = pl.w, pl.w.people
    for h in [int(x) for x in w.poverty["hh"] if x not in w.used_hh][:2]:  # low income, nobody eligible
        members = pd.Index(pl.household(h), dtype=int)
        if len(members) == 0 or p.loc[members, "age"].between(14.5, 16.5).any() or members.isin(w.certs.index).any():
            continue
        w.used_hh.add(h)
        w.poverty.at[h, "income"] = 4200.0
        for m in members:
            w.labor[m] = "无劳动力" if cell(p, m, "age") < 16 else "普通劳动力"
            w.illness[m] = False
        pl.decoy(
            "low_income_not_vulnerable",
            "poverty_registry",
            int(members[0]),
            str(cell(w.poverty, h, "pov_id")),
            "MISSED_DIBAO",
        )


def plant_decoys(pl: Planter) -> None:
    """All decoys except the scarce ones (see plant_scarce_decoys)."""
    _decoys(pl)
    _poverty_decoys(pl)
