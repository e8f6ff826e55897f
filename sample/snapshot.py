"""One month of the county: clean source frames and the truth for that month.

Frames carry `_pid` (the true person) and `_decoy` (a decoy tag) beside the contract
columns; both are dropped when writing. Month k of the cycle applies the payload of
plants not yet fixed (fix_k > k) and the `fixed` payload of those already fixed.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sample import calendar as cal
from sample.registry import registry_rows
from sample.roll import ELDERLY_MIN, ELDERLY_TOP, applies, build_roll
from sample.world import DAY, STANDARD, World, rng_for


@dataclass
class Snapshot:
    period: str
    k: int
    frames: dict[str, pd.DataFrame]
    truth: pd.DataFrame  # finding, household_id, id_number, program, note
    decoys: pd.DataFrame  # kind, source, pid, household_id, must_not, tag
    favour: pd.DataFrame


def standards_rows(county: str, anchor: np.datetime64) -> pd.DataFrame:
    """Current standards, an older superseded row and a future row (effective_from matters)."""
    year = pd.Timestamp(anchor).year
    old, cur = f"{year - 2}-07-01", f"{year - 1}-07-01"
    future = str(pd.Timestamp(anchor) + pd.DateOffset(months=15))[:10]
    rows = [
        ("dibao_urban", old, 600.0, None, ""),
        ("dibao_urban", cur, 630.0, None, ""),
        ("dibao_urban", future, 680.0, None, ""),
        ("dibao_rural", old, 410.0, None, ""),
        ("dibao_rural", cur, 450.0, None, ""),
        ("dibao_rural", future, 480.0, None, ""),
        ("tekun", cur, STANDARD["tekun_urban"], None, "urban"),
        ("tekun", cur, STANDARD["tekun_rural"], None, "rural"),
        ("disability_living", cur, 50.0, None, ""),
        ("disability_care", cur, 100.0, None, ""),
        ("elderly_allowance", old, 50.0, ELDERLY_MIN, ""),
        ("elderly_allowance", old, 1000.0, ELDERLY_TOP, ""),
        ("orphan", cur, STANDARD["orphan"], None, ""),
    ]
    out = pd.DataFrame(rows, columns=["program", "effective_from", "monthly_amount", "min_age", "area"])
    out.insert(0, "region_code", county)
    out["effective_from"] = pd.to_datetime(out["effective_from"])
    return out


def _registry(world: World, start: np.datetime64) -> pd.DataFrame:
    """户籍人口: the living, plus those dead in the last two months (cancellation lags)."""
    p = world.people
    death = p["death"].to_numpy()
    keep = (np.isnat(death) | (death >= start - 60 * DAY)) & ~p.index.isin(list(world.unregistered))
    q = p[keep]
    home = world.hh.loc[q["hh"].to_numpy()]
    listed = pd.DataFrame(
        {
            "hukou_id": home["hukou_id"].to_numpy(),
            "name": q["name"].to_numpy(),
            "id_number": q["id"].to_numpy(),
            "relation": q["relation"].to_numpy(),
            "sex": q["sex"].to_numpy(),
            "birth_date": q["birth"].to_numpy(),
            "region_code": home["region_code"].to_numpy(),
            "address": home["address"].to_numpy(),
            "established": home["established"].to_numpy(),
            "_pid": q.index.to_numpy(),
            "_decoy": "",
            "_key": "",
            "_repeat": "",
        }
    )
    both = pd.concat([listed, registry_rows(world, start)], ignore_index=True)
    return both.sort_values(["hukou_id", "_pid"], kind="stable").reset_index(drop=True)


def _poverty(world: World, alive: np.ndarray) -> pd.DataFrame:
    p = world.people
    members = p[alive & p["hh"].isin(world.poverty["hh"]) & p.index.isin(world.labor.index)]
    pov = world.poverty.loc[members["hh"].to_numpy()]
    home = world.hh.loc[members["hh"].to_numpy()]
    certs = world.certs["level"]
    return (
        pd.DataFrame(
            {
                "household_id": pov["pov_id"].to_numpy(),
                "name": members["name"].to_numpy(),
                "id_number": members["id"].to_numpy(),
                "relation": members["relation"].to_numpy(),
                "region_code": home["region_code"].to_numpy(),
                "status": pov["status"].to_numpy(),
                "labor_capacity": world.labor.loc[members.index].to_numpy(),
                "disability_level": certs.reindex(members.index).fillna(0).astype(int).to_numpy(),
                "serious_illness": np.where(world.illness.loc[members.index].to_numpy(), "是", "否"),
                "per_capita_income": pov["income"].to_numpy(),
                "_pid": members.index.to_numpy(),
                "_decoy": "",
            }
        )
        .sort_values(["household_id", "_pid"], kind="stable")
        .reset_index(drop=True)
    )


def _deaths(world: World, start: np.datetime64, end: np.datetime64) -> pd.DataFrame:
    """Death records of two years up to the end of the month; some deaths on two lists."""
    p = world.people
    death = p["death"].to_numpy()
    dead = p[~np.isnat(death) & (death >= start - 730 * DAY) & (death < end)]
    rng = rng_for(world.seed, 30)  # fixed per person: the same death has the same records every month
    u = rng.random(len(p))[dead.index.to_numpy()]
    first = np.where(u < 0.7, "火化", np.where(u < 0.85, "户籍注销", "死亡医学证明"))
    both = u < 0.15
    src = np.concatenate([first, np.full(int(both.sum()), "户籍注销")])
    rows = pd.concat([dead, dead[both]])
    home = world.hh.loc[rows["hh"].to_numpy()]
    out = pd.DataFrame(
        {
            "name": rows["name"].to_numpy(),
            "id_number": rows["id"].to_numpy(),
            "sex": rows["sex"].to_numpy(),
            "birth_date": rows["birth"].to_numpy(),
            "age": 0,
            "death_date": rows["death"].to_numpy(),
            "region_code": home["region_code"].to_numpy(),
            "address": home["address"].to_numpy(),
            "source": src,
            "_pid": rows.index.to_numpy(),
            "_decoy": "",
        }
    )
    out["age"] = cal.ages_at(out["birth_date"], out["death_date"])
    return out.sort_values(["death_date", "_pid", "source"], kind="stable").reset_index(drop=True)


def _people_frame(world: World, frame: pd.DataFrame, alive: np.ndarray, k: int) -> pd.DataFrame:
    """Rows of an asset table that apply this month and whose owner is alive."""
    frame = frame[applies(frame, world, k)]
    return frame[pd.Series(alive, index=world.people.index).loc[frame["pid"]].to_numpy()]


def build_snapshot(world: World, period: str) -> Snapshot:
    """Every source of one month (clean) and its truth."""
    k = cal.month_index(period) - cal.month_index(world.anchor_period)
    start = cal.first_day(period)
    end = cal.first_day(cal.period_of(cal.month_index(period) + 1))
    p = world.people
    alive = world.alive_on(start)
    name, ident = p["name"], p["id"]
    a = world.assets
    estate = _people_frame(world, a["real_estate"], alive, k)
    cars = _people_frame(world, a["vehicles"], alive, k)
    firms = _people_frame(world, a["businesses"], alive, k)
    pay = _people_frame(world, a["payroll"], alive, k)
    certs = world.certs
    cadres = world.cadres
    cadre_phone = world.hh.loc[p.loc[cadres["pid"], "hh"], "phone"].to_numpy()
    filings = world.filings[applies(world.filings, world, k)]
    filed_at = pd.to_datetime(filings["filed"]).where(
        filings["when"] != "fixed", pd.Timestamp(start) - pd.Timedelta(days=3)
    )
    frames = {
        "roll": build_roll(world, period, k),
        "household_registry": _registry(world, start),
        "poverty_registry": _poverty(world, alive),
        "deaths": _deaths(world, start, end),
        "disability_registry": pd.DataFrame(
            {
                "name": name.loc[certs["pid"]].to_numpy(),
                "id_number": ident.loc[certs["pid"]].to_numpy(),
                "disability_type": certs["type"].to_numpy(),
                "disability_level": certs["level"].to_numpy(),
                "issued_date": certs["issued"].to_numpy(),
                "_pid": certs["pid"].to_numpy(),
                "_decoy": "",
            }
        ),
        "real_estate": pd.DataFrame(
            {
                "owner_name": name.loc[estate["pid"]].to_numpy(),
                "owner_id_number": ident.loc[estate["pid"]].to_numpy(),
                "property_type": estate["property_type"].to_numpy(),
                "area_m2": estate["area"].to_numpy(),
                "location": estate["location"].to_numpy(),
                "registered_date": estate["registered"].to_numpy(),
                "_pid": estate["pid"].to_numpy(),
                "_decoy": estate["_decoy"].to_numpy(),
            }
        ),
        "vehicles": pd.DataFrame(
            {
                "owner_name": name.loc[cars["pid"]].to_numpy(),
                "owner_id_number": ident.loc[cars["pid"]].to_numpy(),
                "plate": cars["plate"].to_numpy(),
                "vehicle_type": cars["vehicle_type"].to_numpy(),
                "registered_date": cars["registered"].to_numpy(),
                "_pid": cars["pid"].to_numpy(),
                "_decoy": cars["_decoy"].to_numpy(),
            }
        ),
        "businesses": pd.DataFrame(
            {
                "name": name.loc[firms["pid"]].to_numpy(),
                "id_number": ident.loc[firms["pid"]].to_numpy(),
                "role": firms["role"].to_numpy(),
                "entity_name": firms["entity"].to_numpy(),
                "registered_capital": firms["capital"].to_numpy(),
                "status": firms["status"].to_numpy(),
                "_pid": firms["pid"].to_numpy(),
                "_decoy": firms["_decoy"].to_numpy(),
            }
        ),
        "payroll": pd.DataFrame(
            {
                "name": name.loc[pay["pid"]].to_numpy(),
                "id_number": ident.loc[pay["pid"]].to_numpy(),
                "employer": pay["employer"].to_numpy(),
                "monthly_salary": pay["salary"].to_numpy(),
                "_pid": pay["pid"].to_numpy(),
                "_decoy": pay["_decoy"].to_numpy(),
            }
        ),
        "cadres": pd.DataFrame(
            {
                "name": name.loc[cadres["pid"]].to_numpy(),
                "id_number": ident.loc[cadres["pid"]].to_numpy(),
                "region_code": cadres["region_code"].to_numpy(),
                "position": cadres["position"].to_numpy(),
                "phone": cadre_phone,
                "_pid": cadres["pid"].to_numpy(),
                "_decoy": "",
            }
        ),
        "cadre_kin_filings": pd.DataFrame(
            {
                "cadre_id_number": ident.loc[filings["cadre"]].to_numpy(),
                "kin_name": name.loc[filings["kin"]].to_numpy(),
                "kin_id_number": ident.loc[filings["kin"]].to_numpy(),
                "relation": filings["relation"].to_numpy(),
                "filed_date": filed_at.to_numpy(),
                "_pid": filings["kin"].to_numpy(dtype=int),
                "_decoy": "",
            }
        ),
        "standards": standards_rows(world.county, world.anchor),
    }
    # A favour household enrolled after this month is not on the roll yet, nor in this month's truth.
    on_roll = set(frames["roll"]["household_id"])
    truth = _truth(world, k)
    truth = truth[(truth["finding"] != "FAVOUR_RISK") | truth["household_id"].isin(on_roll)].reset_index(drop=True)
    favour = world.favour[world.favour["household_id"].isin(on_roll)].reset_index(drop=True)
    return Snapshot(period, k, frames, truth, _decoys(world, k), favour)


def _truth(world: World, k: int) -> pd.DataFrame:
    fix = world.plants.set_index("plant")["fix_k"]
    t = world.truth[world.truth["plant"].map(fix) > k]
    ids = world.people["id"]
    return pd.DataFrame(
        {
            "finding": t["finding"].to_numpy(),
            "household_id": t["household_id"].to_numpy(),
            "id_number": [ids[pid] if pid >= 0 else "" for pid in t["pid"]],
            "program": t["program"].to_numpy(),
            "note": t["note"].to_numpy(),
        }
    )


def _decoys(world: World, k: int) -> pd.DataFrame:
    d = world.decoys
    month = d["tag"].str.fullmatch(r"k\d+")
    return d[~month | (d["tag"] == f"k{k}")].reset_index(drop=True)
