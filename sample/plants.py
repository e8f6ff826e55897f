"""Planted cases for every finding code of contract §2 (wrong, missed, cadre kin)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sample.decoys import plant_decoys, plant_scarce_decoys
from sample.favour import plant_favour
from sample.planter import OWNED_VEHICLES, Planter, add_poverty, dibao_program, hid_of
from sample.registry import plant_registry
from sample.world import DAY, STANDARD, World, cell, rng_for


def _household_wrongs(pl: Planter) -> None:
    """PUBLIC_PAYROLL, VEHICLE_OWNED, PROPERTY_EXCESS, BUSINESS_OWNED on dibao units."""
    rng = pl.rng
    for i in range(pl.n):
        k = pl.plant("PUBLIC_PAYROLL")
        hid, _ = pl.dibao_unit(need_adult=True)
        pid = pl.adult_member(hid)
        pl.assets["payroll"].append(
            {
                "pid": pid,
                "employer": "天门市第" + "一二三四五"[i % 5] + "中学",
                "salary": float(rng.integers(38, 70) * 100),
                "plant": k,
                "when": "active",
            }
        )
        pl.truth_row(k, "PUBLIC_PAYROLL", hid, None, pl.program_of(hid), "成员为财政供养人员")
    for i in range(pl.n):
        k = pl.plant("VEHICLE_OWNED")
        hid, _ = pl.dibao_unit(need_adult=True)
        pid = pl.adult_member(hid)
        pl.assets["vehicles"].append({"pid": pid, "vehicle_type": OWNED_VEHICLES[i % 4], "plant": k, "when": "active"})
        pl.truth_row(k, "VEHICLE_OWNED", hid, None, pl.program_of(hid), "成员名下有" + OWNED_VEHICLES[i % 4])
    for i in range(pl.n):
        k = pl.plant("PROPERTY_EXCESS")
        hid, _ = pl.dibao_unit(need_adult=i % 2 == 1, min_size=2 if i % 2 else 1)
        members = pl.unit_members(hid)
        if i % 2 == 0:
            kind = ("商业", "办公", "工业")[i % 3]
            pl.assets["real_estate"].append({"pid": members[0], "property_type": kind, "plant": k, "when": "active"})
            note = "名下有" + kind + "用房"
        else:
            for m in members[:2]:
                pl.assets["real_estate"].append({"pid": m, "property_type": "住宅", "plant": k, "when": "active"})
            note = "家庭名下两套住宅"
        pl.truth_row(k, "PROPERTY_EXCESS", hid, None, pl.program_of(hid), note)
    for i in range(pl.n):
        k = pl.plant("BUSINESS_OWNED")
        hid, _ = pl.dibao_unit(need_adult=True)
        pid = pl.adult_member(hid)
        capital = 10.0 if i == 0 else float(rng.integers(2, 60) * 5)
        pl.assets["businesses"].append(
            {
                "pid": pid,
                "role": ("法定代表人", "股东")[i % 2],
                "capital": capital,
                "status": ("存续", "在业")[i % 2],
                "plant": k,
                "when": "active",
            }
        )
        pl.truth_row(k, "BUSINESS_OWNED", hid, None, pl.program_of(hid), f"成员经营市场主体 注册资本{capital:g}万元")


def _person_wrongs(pl: Planter) -> None:
    """DECEASED_PAID, DUPLICATE_ENROLMENT, PROGRAM_OVERLAP, AGE_, DISABILITY_INELIGIBLE, AMOUNT_MISMATCH."""
    w, p, rng = pl.w, pl.w.people, pl.rng
    no_cert = ~p.index.isin(w.certs.index)
    for i in range(pl.n):
        k = pl.plant("DECEASED_PAID")
        if i % 2 == 0:
            pid = pl.aged(no_cert, 81, 95, 1)[0]
            hid, program = hid_of(w, int(cell(p, pid, "hh"))), "elderly_allowance"
        else:
            hid, _ = pl.dibao_unit()
            cands = [m for m in pl.unit_members(hid) if m not in w.certs.index and cell(p, m, "age") < 79]
            if not cands:
                hid, _ = pl.dibao_unit(need_adult=True)
                cands = [pl.adult_member(hid)]
            pid, program = cands[0], pl.program_of(hid)
        p.at[pid, "death"] = pd.Timestamp(w.anchor - int(rng.integers(5, 150)) * DAY)
        pl.force.append({"pid": pid, "plant": k})
        pl.truth_row(k, "DECEASED_PAID", hid, pid, program, "死亡日期早于发放月")
    for i in range(pl.n):
        k = pl.plant("DUPLICATE_ENROLMENT")
        hid, h = pl.dibao_unit()
        program = pl.program_of(hid)
        std = STANDARD[program]
        pci = float(np.ceil(rng.uniform(0.56, 0.8) * std / 10) * 10)
        pl.set_pci(hid, pci)
        pid = pl.unit_members(hid)[0]
        if i % 2 == 0:  # enrolled again as a one-person household elsewhere
            hid2 = pl.fresh_hid(h)
            pl.extra(k, pid, program, hid2, std - pci, h, account=w.new_account(), size=1, pci=pci)
            note = "同一人在两个家庭中享受"
        else:  # the same row twice
            pl.extra(k, pid, program, hid, std - pci, h, size=None, pci=pci)
            note = "同一人同一家庭重复发放"
        pl.truth_row(k, "DUPLICATE_ENROLMENT", hid, pid, program, note)
    for _ in range(pl.n):
        k = pl.plant("PROGRAM_OVERLAP")
        hid, h = pl.dibao_unit()
        pid = max(pl.unit_members(hid), key=lambda m: cell(p, m, "age"))
        urban = bool(cell(w.hh, h, "urban"))
        hid2 = pl.fresh_hid(h)
        pl.extra(
            k,
            pid,
            "tekun",
            hid2,
            STANDARD["tekun_urban" if urban else "tekun_rural"],
            h,
            account=w.new_account(),
            size=1,
            pci=0.0,
        )
        pl.truth_row(
            k, "PROGRAM_OVERLAP", hid, pid, ",".join(sorted([pl.program_of(hid), "tekun"])), "低保与特困同时享受"
        )
    for i in range(pl.n):
        k = pl.plant("AGE_INELIGIBLE")
        if i % 2 == 0:
            pid = pl.aged(no_cert, 78.05, 78.9, 1)[0]
            program, amount = "elderly_allowance", STANDARD["elderly_80"]
        else:
            pid = pl.aged(no_cert, 18.2, 19.5, 1)[0]
            program, amount = "orphan", STANDARD["orphan"]
        h = int(cell(p, pid, "hh"))
        pl.extra(k, pid, program, hid_of(w, h), amount, h)
        pl.truth_row(k, "AGE_INELIGIBLE", hid_of(w, h), pid, program, "年龄不符合条件")
    for i in range(pl.n):
        k = pl.plant("DISABILITY_INELIGIBLE")
        if i % 2 == 0:
            pid = pl.with_cert((3, 4), 1)[0]
            h = int(cell(p, pid, "hh"))
            hid, program, amount = hid_of(w, h), "disability_care", STANDARD["disability_care"]
            note = f"残疾等级{int(cell(w.certs, pid, 'level'))}级领取护理补贴"
        else:
            hid, h = pl.dibao_unit()
            cands = [m for m in pl.unit_members(hid) if m not in w.certs.index]
            pid = cands[0] if cands else pl.unit_members(hid)[0]
            if pid in w.certs.index:
                w.certs = w.certs.drop(index=pid)
            program, amount, note = "disability_living", STANDARD["disability_living"], "无残疾人证领取生活补贴"
        pl.extra(k, pid, program, hid, amount, h)
        pl.truth_row(k, "DISABILITY_INELIGIBLE", hid, pid, program, note)
    for i in range(pl.n):
        k = pl.plant("AMOUNT_MISMATCH")
        kind = i % 3
        if kind == 0:
            hid, h = pl.dibao_unit()
            program = pl.program_of(hid)
            pid = pl.unit_members(hid)[0]
            amount = STANDARD[program] + (20.0 if program == "dibao_urban" else 15.0)
        elif kind == 1:
            pid = pl.aged(no_cert, 82, 95, 1)[0]
            h = int(cell(p, pid, "hh"))
            hid, program, amount = hid_of(w, h), "elderly_allowance", STANDARD["elderly_100"]
        else:
            pid = pl.with_cert((1, 2), 1)[0]
            h = int(cell(p, pid, "hh"))
            hid, program, amount = hid_of(w, h), "disability_care", 150.0
        pl.over.append({"pid": pid, "hid": "", "program": program, "field": "amount", "value": amount, "plant": k})
        pl.truth_row(k, "AMOUNT_MISMATCH", hid, pid, program, f"发放{amount:g}元超过标准")


def _shared_accounts(pl: Planter) -> None:
    """SHARED_ACCOUNT: a household paid into another family's account (both are findings)."""
    for _ in range(pl.n):
        k = pl.plant("SHARED_ACCOUNT")
        hid_a, _ = pl.dibao_unit()
        hid_b, _ = pl.dibao_unit()
        acct = str(pl.units[hid_b]["account"])
        pl.over.append({"pid": -1, "hid": hid_a, "program": "", "field": "account", "value": acct, "plant": k})
        for hid in (hid_a, hid_b):
            pl.truth_row(k, "SHARED_ACCOUNT", hid, None, pl.program_of(hid), "与其他户籍家庭共用银行账户")


def _missed(pl: Planter) -> None:
    """MISSED_DIBAO (poverty households), MISSED_DISABILITY_CARE, MISSED_ELDERLY_ALLOWANCE."""
    w, p, rng = pl.w, pl.w.people, pl.rng
    for _ in range(pl.n):
        k = pl.plant("MISSED_DIBAO", fixable=False)
        pov = w.poverty[~w.poverty["hh"].isin(list(w.used_hh))]
        pov = pov[[bool(pl.household(int(hh))) for hh in pov["hh"]]]  # a hukou whose members all left cannot qualify
        if len(pov):
            h = int(pov["hh"].iloc[int(rng.integers(0, len(pov)))])
            w.used_hh.add(h)
        else:
            h = int(cell(p, pl.free_people(p["relation"] == "户主", 1)[0], "hh"))
            add_poverty(pl, h, "突发严重困难户", 0.0)
        members = pl.household(h)
        std = STANDARD[dibao_program(w, h)] * 12
        w.poverty.at[h, "income"] = float(np.round(rng.uniform(0.45, 0.92) * std, -1))
        oldest = max(members, key=lambda m: cell(p, m, "age"))
        if cell(p, oldest, "age") >= 16:
            w.labor[oldest] = "丧失劳动力"
        else:
            w.illness[oldest] = True
        pl.truth_row(
            k, "MISSED_DIBAO", str(cell(w.poverty, h, "pov_id")), None, dibao_program(w, h), "符合条件未纳入低保"
        )
    for pid in pl.with_cert((2, 1), pl.n):
        k = pl.plant("MISSED_DISABILITY_CARE")
        pl.excl.append({"pid": pid, "program": "disability_care", "plant": k})
        pl.truth_row(k, "MISSED_DISABILITY_CARE", "", pid, "disability_care", "重度残疾未享受护理补贴")
    for pid in pl.aged(~p.index.isin([]), 80.2, 97, pl.n):
        k = pl.plant("MISSED_ELDERLY_ALLOWANCE")
        pl.excl.append({"pid": pid, "program": "elderly_allowance", "plant": k})
        pl.truth_row(k, "MISSED_ELDERLY_ALLOWANCE", "", pid, "elderly_allowance", "高龄老人未享受高龄津贴")


def _cadre_kin(pl: Planter) -> None:
    """CADRE_KIN_UNFILED: a cadre's hukou kin enrolled as their own dibao unit, unfiled
    (plus filed ones as decoys). Fixing a case files it."""
    w, p = pl.w, pl.w.people
    done = 0
    for c in w.cadres.itertuples():
        if done == 2 * pl.n:
            break
        h = int(cell(p, c.pid, "hh"))
        kin = [
            m for m in pl.household(h) if m != c.pid and cell(p, m, "relation") != "配偶" and cell(p, m, "age") >= 18
        ]
        if not kin or h in pl.unit_hh:
            continue
        hid = pl.fresh_hid(h)
        pl.add_unit(h, dibao_program(w, h), plant=-1, members=kin, hid=hid, account=w.new_account())
        filed = w.anchor - int(pl.rng.integers(30, 400)) * DAY
        if done % 2 == 0:
            k = pl.plant("CADRE_KIN_UNFILED")
            for m in kin:
                pl.truth_row(k, "CADRE_KIN_UNFILED", hid, m, dibao_program(w, h), "村干部同户亲属享受低保未备案")
                w.filings.loc[len(w.filings)] = [c.pid, m, cell(p, m, "relation"), filed, k, "fixed"]
        else:
            for m in kin:
                w.filings.loc[len(w.filings)] = [c.pid, m, cell(p, m, "relation"), filed, -1, "always"]
                pl.decoy("cadre_kin_filed", "roll", m, hid, "CADRE_KIN_UNFILED")
        done += 1


def _future_deaths(world: World, rng: np.random.Generator) -> None:
    """Natural deaths during the cycle, only in households no plant or decoy depends on."""
    p = world.people
    alive = world.alive_on(world.anchor)
    free = alive & ~p["hh"].isin(list(world.used_hh))
    q = np.clip(0.0004 * np.exp(0.088 * (p["age"].to_numpy() - 30)), 0.0003, 0.45)
    dies = free & (rng.random(len(p)) < q)
    days = rng.integers(0, 365, len(p))
    p.loc[dies, "death"] = pd.to_datetime(world.anchor + days[dies] * DAY)


def plant_all(world: World, rng: np.random.Generator) -> None:
    """Plant every finding code, favour clusters and decoys into the clean world."""
    per_code = max(3, round(3 * np.sqrt(len(world.hh) / 400)))  # ≈ 2% of a large roll
    pl = Planter(world, rng, per_code)
    plant_scarce_decoys(pl)
    plant_favour(pl)
    _household_wrongs(pl)
    _person_wrongs(pl)
    _shared_accounts(pl)
    _missed(pl)
    _cadre_kin(pl)
    plant_decoys(pl)
    plant_registry(pl, rng_for(world.seed, 12))
    _future_deaths(world, rng)
    pl.flush_units()
    world.plants = pd.DataFrame(pl.plants)
    world.truth = pd.DataFrame(pl.truth)
    world.extras = pd.DataFrame(pl.extras)
    world.exclusions = pd.DataFrame(pl.excl, columns=["pid", "program", "plant"])
    world.overrides = pd.DataFrame(pl.over, columns=["pid", "hid", "program", "field", "value", "plant"])
    world.force_paid = pd.DataFrame(pl.force, columns=["pid", "plant"])
    world.decoys = pd.DataFrame(pl.decoys)
    world.assets = {k: pd.DataFrame(v) for k, v in pl.assets.items()}
