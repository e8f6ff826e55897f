"""The payment roll (救助发放名册) of one month: units, person programmes, planted rows.

Month k of the cycle applies the payload of plants not yet fixed (fix_k > k) and the
`fixed` payload of those already fixed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sample import calendar as cal
from sample.world import DAY, STANDARD, World, rng_for

ELDERLY_MIN, ELDERLY_TOP = 80, 100


def applies(frame: pd.DataFrame, world: World, k: int) -> np.ndarray:
    if frame.empty:
        return np.zeros(0, dtype=bool)
    fix = world.plants.set_index("plant")["fix_k"]
    plant = frame["plant"].astype(int)
    fix_k = plant.map(fix).fillna(-1).to_numpy()
    when = frame["when"].to_numpy() if "when" in frame else np.full(len(frame), "active")
    return np.asarray((plant == -1) | ((when == "active") & (fix_k > k)) | ((when == "fixed") & (fix_k <= k)))


def _person_rows(world: World, pids: np.ndarray, program: str, amount: np.ndarray, enrolled: pd.Series) -> pd.DataFrame:
    p = world.people.loc[pids]
    hh = world.hh.loc[p["hh"].to_numpy()]
    return pd.DataFrame(
        {
            "_pid": pids,
            "program": program,
            "household_id": "JT" + hh["hukou_id"].str[6:].to_numpy(),
            "amount": amount,
            "per_capita_income": np.nan,
            "enrolled_date": pd.to_datetime(np.asarray(enrolled)),
            "bank_account": hh["bank_account"].to_numpy(),
            "phone": hh["phone"].to_numpy(),
            "_hh": p["hh"].to_numpy(),
            "handler_pid": -1,
        }
    )


def build_roll(world: World, period: str, k: int) -> pd.DataFrame:
    """The payment roll (救助发放名册) of one month, before noise."""
    p, start = world.people, cal.first_day(period)
    forced: pd.Series | list[int] = (
        world.force_paid[applies(world.force_paid, world, k)]["pid"] if len(world.force_paid) else []
    )
    paid_alive = pd.Series(world.alive_on(start), index=p.index) | p.index.isin(list(forced))
    age = pd.Series(cal.age_years(p["birth"], start), index=p.index)

    members = world.members[world.members["pid"].map(paid_alive)].merge(world.units, on="hid")
    std = np.where(
        members["program"] == "tekun",
        np.where(world.hh.loc[members["hh"], "urban"], STANDARD["tekun_urban"], STANDARD["tekun_rural"]),
        members["program"].map(STANDARD).fillna(0).to_numpy(),
    )
    units = pd.DataFrame(
        {
            "_pid": members["pid"],
            "program": members["program"],
            "household_id": members["hid"],
            "amount": std - members["pci"].to_numpy(),
            "per_capita_income": members["pci"],
            "enrolled_date": pd.to_datetime(members["enrolled"]),
            "bank_account": members["account"],
            "phone": members["phone"],
            "_hh": members["hh"],
            "handler_pid": members["handler"],
        }
    )
    month_end = pd.Timestamp(cal.first_day(period) + 31 * DAY).replace(day=1)
    units = units[~(units["enrolled_date"] >= month_end)]  # enrolled after this month: not on its roll yet
    units["household_size"] = units.groupby("household_id")["_pid"].transform("size")

    excluded = world.exclusions[applies(world.exclusions, world, k)] if len(world.exclusions) else world.exclusions
    skip = set(zip(excluded["pid"], excluded["program"], strict=True))
    parts = [units]
    old = p.index[paid_alive & (age >= ELDERLY_MIN)].to_numpy()
    amount = np.where(age[old] >= ELDERLY_TOP, STANDARD["elderly_100"], STANDARD["elderly_80"])
    enrolled = (p.loc[old, "birth"] + pd.Timedelta(days=int(ELDERLY_MIN * 365.25 + 20))).clip(upper=pd.Timestamp(start))
    parts.append(_person_rows(world, old, "elderly_allowance", amount, enrolled))
    severe = world.certs[(world.certs["level"] <= 2) & world.certs["pid"].map(paid_alive)]
    parts.append(
        _person_rows(
            world,
            severe["pid"].to_numpy(),
            "disability_care",
            np.full(len(severe), 100.0),
            severe["issued"] + pd.Timedelta(days=45),
        )
    )
    in_units = units[units["program"].isin(["dibao_urban", "dibao_rural", "tekun"])]
    living = in_units[in_units["_pid"].isin(world.certs.index)].drop_duplicates("_pid")
    living = living.assign(program="disability_living", amount=STANDARD["disability_living"], per_capita_income=np.nan)
    parts.append(living.drop(columns=["household_size"]))
    orphans = np.array([o for o in world.orphans if paid_alive[o] and age[o] < 18], dtype=int)
    parts.append(
        _person_rows(
            world,
            orphans,
            "orphan",
            np.full(len(orphans), STANDARD["orphan"]),
            pd.Series([world.anchor - 400 * DAY] * len(orphans)),
        )
    )
    parts.append(_temporary(world, period, paid_alive))
    if len(world.extras):
        ex = world.extras[applies(world.extras, world, k)]
        ex = ex[ex["pid"].map(paid_alive)]
        parts.append(
            pd.DataFrame(
                {
                    "_pid": ex["pid"],
                    "program": ex["program"],
                    "household_id": ex["hid"],
                    "amount": ex["amount"],
                    "per_capita_income": ex["pci"],
                    "enrolled_date": pd.to_datetime(world.anchor - 75 * DAY),
                    "bank_account": ex["account"],
                    "phone": ex["phone"],
                    "_hh": ex["hh"],
                    "handler_pid": -1,
                    "household_size": ex["size"],
                }
            )
        )
    roll = pd.concat([x for x in parts if len(x)], ignore_index=True)
    roll = roll[[(pid, prog) not in skip for pid, prog in zip(roll["_pid"], roll["program"], strict=True)]]
    roll = _overrides(world, k, roll.reset_index(drop=True))
    return _roll_columns(world, period, roll)


def _temporary(world: World, period: str, alive: pd.Series) -> pd.DataFrame:
    """临时救助: a few ordinary households each month, one payment to the head."""
    rng = rng_for(world.seed, 20, cal.month_index(period))
    p = world.people
    heads = p.index[alive & (p["relation"] == "户主") & ~p["hh"].isin(list(world.used_hh))].to_numpy()
    chosen = np.sort(rng.choice(heads, size=min(len(heads), max(2, len(world.hh) // 300)), replace=False))
    amount = rng.integers(5, 21, len(chosen)) * 100.0
    enrolled = pd.Series([cal.first_day(period) - int(d) * DAY for d in rng.integers(1, 25, len(chosen))])
    return _person_rows(world, chosen, "temporary", amount, enrolled)


def _overrides(world: World, k: int, roll: pd.DataFrame) -> pd.DataFrame:
    over = world.overrides[applies(world.overrides, world, k)] if len(world.overrides) else world.overrides
    for row in over.itertuples():
        if row.field == "amount":
            hit = ((roll["_pid"] == row.pid) & (roll["program"] == row.program)).to_numpy()
            roll.loc[hit, "amount"] = float(str(row.value))
        elif row.field == "household_id":  # paid as a roll household of their own
            hit = ((roll["_pid"] == row.pid) & (roll["program"] == row.program)).to_numpy()
            roll.loc[hit, "household_id"] = str(row.value)
        else:
            roll.loc[roll["household_id"] == row.hid, "bank_account"] = str(row.value)
    return roll


def _roll_columns(world: World, period: str, roll: pd.DataFrame) -> pd.DataFrame:
    p, hh = world.people, world.hh
    person = p.loc[roll["_pid"]]
    home = hh.loc[roll["_hh"].astype(int)]
    size = p[world.alive_on(cal.first_day(period))].groupby("hh").size()
    handlers = world.handlers.groupby("town")["pid"].first()
    handler = np.where(
        roll["handler_pid"].to_numpy() >= 0, roll["handler_pid"].to_numpy(), home["town"].map(handlers).to_numpy()
    )
    if "household_size" not in roll:
        roll["household_size"] = np.nan
    fill = roll["household_size"].isna().to_numpy()
    sizes = roll["household_size"].to_numpy(dtype=float)
    sizes[fill] = home["hh"].map(size).fillna(1).to_numpy()[fill]
    out = pd.DataFrame(
        {
            "period": period,
            "program": roll["program"].to_numpy(),
            "household_id": roll["household_id"].to_numpy(),
            "name": person["name"].to_numpy(),
            "id_number": person["id"].to_numpy(),
            "relation": person["relation"].to_numpy(),
            "region_code": home["region_code"].to_numpy(),
            "town": home["town"].to_numpy(),
            "village": home["village"].to_numpy(),
            "address": home["address"].to_numpy(),
            "phone": roll["phone"].to_numpy(),
            "bank_account": roll["bank_account"].to_numpy(),
            "household_size": sizes.astype(int),
            "per_capita_income": roll["per_capita_income"].to_numpy(dtype=float),
            "amount": np.round(roll["amount"].to_numpy(dtype=float), 2),
            "enrolled_date": roll["enrolled_date"].to_numpy(),
            "handler": p.loc[handler, "name"].to_numpy(),
            "handler_id_number": p.loc[handler, "id"].to_numpy(),
            "_pid": roll["_pid"].to_numpy(),
            "_decoy": "",
        }
    )
    return out.sort_values(["household_id", "program", "_pid"], kind="stable").reset_index(drop=True)
