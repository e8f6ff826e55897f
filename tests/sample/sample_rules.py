"""The contract §2 rules re-derived on the generator's clean frames (true identities).

Written independently of the planting code, so comparing its output with the truth
file measures whether the truth is complete: nothing unplanted satisfies a rule.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hecha.contract import DIBAO_PROGRAMS
from hecha.findings import HOUSEHOLD_LEVEL

EXEMPT = {"普通二轮摩托车", "三轮汽车", "拖拉机", "低速货车"}
HOUSEHOLD_CODES = sorted(HOUSEHOLD_LEVEL)  # the truth keys household-level findings by household


def _age(birth: pd.Series, on: pd.Timestamp) -> pd.Series:
    b = pd.to_datetime(birth)
    before = (b.dt.month > on.month) | ((b.dt.month == on.month) & (b.dt.day > on.day))
    return on.year - b.dt.year - before.astype(int)


def _standard(
    std: pd.DataFrame, program: str, start: pd.Timestamp, min_age: float | None = None, area: str = ""
) -> float:
    s = std[(std["program"] == program) & (pd.to_datetime(std["effective_from"]) <= start)]
    if min_age is not None:
        s = s[s["min_age"] == min_age]
    if area:
        s = s[s["area"] == area]
    return float(s.sort_values("effective_from")["monthly_amount"].iloc[-1])


def derive(frames: dict[str, pd.DataFrame], period: str) -> set[tuple[str, str]]:
    """(finding, key) pairs: key = household_id for household-level codes, else id_number."""
    start = pd.Timestamp(period + "-01")
    roll, reg, std = frames["roll"], frames["household_registry"], frames["standards"]
    death = frames["deaths"].groupby("id_number")["death_date"].min()
    dead_before = set(death[pd.to_datetime(death) < start].index)
    out: set[tuple[str, str]] = set()

    for idn in set(roll["id_number"]) & dead_before:
        out.add(("DECEASED_PAID", idn))

    hh_members = {str(h): set(g) for h, g in roll.groupby("household_id")["id_number"]}
    progs = {str(h): set(g) for h, g in roll.groupby("household_id")["program"]}
    dibao_hh = [h for h, p in progs.items() if p & set(DIBAO_PROGRAMS)]
    assisted_hh = [h for h, p in progs.items() if p & (set(DIBAO_PROGRAMS) | {"tekun"})]
    payroll = set(frames["payroll"]["id_number"])
    cars = frames["vehicles"]
    owned_cars = set(cars.loc[~cars["vehicle_type"].isin(EXEMPT), "owner_id_number"])
    estate = frames["real_estate"]
    firms = frames["businesses"]
    active = set(firms.loc[firms["status"].isin(["存续", "在业"]) & (firms["registered_capital"] >= 10), "id_number"])
    for h in assisted_hh:
        if hh_members[h] & payroll:
            out.add(("PUBLIC_PAYROLL", h))
    for h in dibao_hh:
        m = hh_members[h]
        if m & owned_cars:
            out.add(("VEHICLE_OWNED", h))
        own = estate[estate["owner_id_number"].isin(m)]
        if (own["property_type"] != "住宅").any() or (own["property_type"] == "住宅").sum() >= 2:
            out.add(("PROPERTY_EXCESS", h))
        if m & active:
            out.add(("BUSINESS_OWNED", h))

    family = roll["program"].where(~roll["program"].isin(DIBAO_PROGRAMS), "dibao")
    counts = roll.assign(family=family).groupby(["id_number", "family"]).size()
    for idn, _fam in counts[counts >= 2].index:
        out.add(("DUPLICATE_ENROLMENT", idn))
    fams = roll.assign(family=family).groupby("id_number")["family"].apply(set)
    for idn, f in fams.items():
        if {"dibao", "tekun"} <= f:
            out.add(("PROGRAM_OVERLAP", str(idn)))

    # The registry as it is: a person may be listed in two hukous (一人多户), a number may also be
    # listed for a second person (重号, `_key` = that person's true number), a roll person may be missing.
    reg = reg.assign(person=reg["_key"].where(reg["_key"] != "", reg["id_number"]))
    hukous = reg.groupby("person")["hukou_id"].agg(frozenset)

    def birth(ids: pd.Series) -> pd.Series:
        return pd.to_datetime(ids.str[6:14], format="%Y%m%d")

    ages = _age(birth(roll["id_number"]), start)
    for idn, prog, age in zip(roll["id_number"], roll["program"], ages, strict=True):
        if (prog == "elderly_allowance" and age < 80) or (prog == "orphan" and age >= 18):
            out.add(("AGE_INELIGIBLE", idn))
    level = frames["disability_registry"].groupby("id_number")["disability_level"].min()
    for idn, prog in zip(roll["id_number"], roll["program"], strict=True):
        lv = level.get(idn)
        if (prog == "disability_care" and (lv is None or lv > 2)) or (prog == "disability_living" and lv is None):
            out.add(("DISABILITY_INELIGIBLE", idn))

    urban = roll["region_code"].str[-3:].astype(int) < 200
    for idn, prog, amount, age, is_urban in zip(
        roll["id_number"], roll["program"], roll["amount"], ages, urban, strict=True
    ):
        if prog == "temporary":
            continue
        if prog == "elderly_allowance":
            limit = _standard(std, prog, start, 100 if age >= 100 else 80)
        elif prog == "tekun":
            limit = _standard(std, prog, start, area="urban" if is_urban else "rural")
        else:
            limit = _standard(std, prog, start)
        if amount > limit + 1e-9:
            out.add(("AMOUNT_MISMATCH", idn))

    paid = roll.assign(hukou=roll["id_number"].map(hukous))
    for _acct, g in paid.groupby("bank_account"):
        known = list(g["hukou"].dropna())
        if any(not (a & b) for a in known for b in known):  # two payees of hukous that share none
            out.update(("SHARED_ACCOUNT", h) for h in g["household_id"])

    pov = frames["poverty_registry"]
    pov_age = _age(birth(pov["id_number"]), start)
    weak = (
        ((pov_age >= 16) & pov["labor_capacity"].isin(["丧失劳动力", "无劳动力"]))
        | pov["disability_level"].isin([1, 2])
        | (pov["serious_illness"] == "是")
    )
    on_dibao = set(roll.loc[roll["program"].isin([*DIBAO_PROGRAMS, "tekun"]), "id_number"])
    for pov_id, g in pov.assign(weak=weak).groupby("household_id"):
        dibao_prog = "dibao_urban" if int(str(g["region_code"].iloc[0])[-3:]) < 200 else "dibao_rural"
        below = g["per_capita_income"].iloc[0] < 12 * _standard(std, dibao_prog, start)
        if g["weak"].any() and below and not (set(g["id_number"]) & on_dibao):
            out.add(("MISSED_DIBAO", str(pov_id)))

    alive = ~reg["person"].isin(dead_before)
    care = set(roll.loc[roll["program"] == "disability_care", "id_number"])
    severe = frames["disability_registry"]
    for idn in set(severe.loc[severe["disability_level"] <= 2, "id_number"]) - dead_before - care:
        out.add(("MISSED_DISABILITY_CARE", idn))
    elderly = set(roll.loc[roll["program"] == "elderly_allowance", "id_number"])
    old = reg.loc[alive & (_age(reg["birth_date"], start) >= 80), "person"]
    out.update(("MISSED_ELDERLY_ALLOWANCE", idn) for idn in set(old) - elderly)

    cadre_hukou = set().union(*frames["cadres"]["id_number"].map(hukous).dropna())
    cadre_ids = set(frames["cadres"]["id_number"])
    filed = set(frames["cadre_kin_filings"]["kin_id_number"])
    recipients = roll.loc[roll["program"].isin([*DIBAO_PROGRAMS, "tekun"]), "id_number"]
    for idn in set(recipients):
        if hukous.get(idn, frozenset()) & cadre_hukou and idn not in cadre_ids and idn not in filed:
            out.add(("CADRE_KIN_UNFILED", idn))
    return out


def truth_keys(truth: pd.DataFrame) -> set[tuple[str, str]]:
    t = truth[truth["finding"] != "FAVOUR_RISK"]
    key = np.where(t["finding"].isin(HOUSEHOLD_CODES), t["household_id"], t["id_number"])
    return set(zip(t["finding"], key, strict=True))
