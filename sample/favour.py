"""Favour clusters (人情保): planted FAVOUR_RISK households and their genuine look-alikes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sample import calendar as cal
from sample.planter import Planter, add_poverty, dibao_program, hid_of
from sample.world import DAY, cell


def _split(pl: Planter, origin: int, movers: list[int], months_ago: float) -> int:
    """分户: move members of a hukou into a new hukou at the same address."""
    w, p = pl.w, pl.w.people
    new = len(w.hh)
    row = w.hh.loc[origin].copy()
    row["hh"] = new
    row["hukou_id"] = str(row["hukou_id"])[:6] + pl.fresh_hid(origin)[2:]
    row["established"] = pd.Timestamp(w.anchor - int(months_ago * 30.4) * DAY)
    row["phone"] = "13" + f"{pl.rng.integers(0, 10**9):09d}"
    row["bank_account"] = w.new_account()
    w.hh.loc[new] = row
    for i, m in enumerate(movers):
        pl.living_of[origin].remove(m)
        pl.living_of.setdefault(new, []).append(m)
        p.at[m, "hh"] = new
        p.at[m, "relation"] = "户主" if i == 0 else "配偶"
    w.used_hh.add(new)
    return new


def plant_favour(pl: Planter) -> None:
    """Favour clusters (人情保): in a few villages one handler enrols, within weeks, households
    newly split from a larger hukou, able-bodied with implausibly low income; some use a
    cadre's phone, some are the handler's own hukou kin. The same handler also enrols a
    couple of genuine households then, so the burst alone does not separate them."""
    w, p, rng = pl.w, pl.w.people, pl.rng
    villages = w.geo.index[~w.geo["urban"]].to_numpy()
    # Enrolled through the cycle, there is at least one cluster for each of the first three months.
    n_villages = max(3 if w.villages.staggered_favour else 2, len(w.geo) // 12)
    picked = [int(v) for v in rng.permutation(villages)[:n_villages]]
    fav_rows = []
    for i, v in enumerate(sorted(picked)):
        geo = w.geo.loc[v]
        later = i % 3 if w.villages.staggered_favour else 0  # months after the anchor this cluster is enrolled
        handler = int(w.handlers.loc[w.handlers["town"] == geo["town"], "pid"].iloc[0])
        cadres = w.cadres[w.cadres["region_code"] == geo["region_code"]]["pid"].tolist()
        in_village = p["hh"].isin(w.hh.index[w.hh["village_idx"] == v])
        kinds = ["split_burst", "cadre_phone", "split_burst", "handler_kin", "cadre_kin_split"][
            : int(rng.integers(3, 6))
        ]
        for kind in kinds:
            enrolled = w.anchor - int(rng.integers(8, 85)) * DAY
            if later:  # enrolled during that month: on its roll and the next ones, not before
                enrolled = (
                    cal.first_day(cal.period_of(cal.month_index(w.anchor_period) + later))
                    + int(rng.integers(0, 25)) * DAY
                )
            k = pl.plant("FAVOUR_RISK", fixable=False)
            if kind == "handler_kin":
                hh_h = int(cell(p, handler, "hh"))
                kin = [m for m in pl.household(hh_h) if m != handler]
                if not kin or hh_h in pl.unit_hh:
                    kind = "split_burst"
                else:
                    h, members = hh_h, kin
                    hid = pl.fresh_hid(h)
            if kind == "cadre_kin_split":
                sources = [int(cell(p, c, "hh")) for c in cadres]
                movers = [
                    m
                    for hh_c in sources
                    for m in pl.household(hh_c)
                    if m not in cadres and 20 <= cell(p, m, "age") <= 50 and cell(p, m, "relation") in ("子", "女")
                ]
                if not movers:
                    kind = "split_burst"
                else:
                    h = _split(pl, int(cell(p, movers[0], "hh")), movers[:1], rng.uniform(2, 10))
                    members, hid = movers[:1], hid_of(w, int(h))
            if kind in ("split_burst", "cadre_phone"):
                adults = (
                    in_village & p["age"].between(20, 50) & p["relation"].isin(["子", "女"]) & (p["hsize_now"] >= 3)
                )
                got = pl.free_people(adults, 1)
                if not got:
                    continue
                origin = int(cell(p, got[0], "hh"))
                partner = [m for m in pl.household(origin) if m != got[0] and 20 <= cell(p, m, "age") <= 50]
                movers = [got[0], *partner[: int(rng.integers(0, 2))]]
                h = _split(pl, origin, movers, rng.uniform(2, 10))
                members, hid = movers, hid_of(w, int(h))
            phone = None
            if kind == "cadre_phone" and cadres:
                phone = str(cell(w.hh, int(cell(p, cadres[0], "hh")), "phone"))
            program = dibao_program(w, int(h))
            pci = float(rng.integers(0, 8) * 10)
            acct = w.new_account() if kind == "handler_kin" else None
            pl.add_unit(
                int(h),
                program,
                plant=-1,
                members=members,
                hid=hid,
                enrolled=enrolled,
                handler=handler,
                pci=pci,
                phone=phone,
                account=acct,
            )
            if kind != "handler_kin":
                add_poverty(pl, int(h), "边缘易致贫户", float(np.round(rng.uniform(1500, 3000), -1)))
            pl.truth_row(k, "FAVOUR_RISK", hid, None, program, kind)
            fav_rows.append({"household_id": hid, "village": geo["village"], "kind": kind})
        for pid in pl.free_people(in_village & (p["age"] >= 65), 2):  # genuine households, same handler, same weeks
            h = int(cell(p, pid, "hh"))
            hid = pl.add_unit(
                h, dibao_program(w, h), plant=-1, enrolled=w.anchor - int(rng.integers(8, 85)) * DAY, handler=handler
            )
            pl.decoy("legit_recent_enrolment", "roll", pid, hid, "FAVOUR_RISK")
    w.favour = pd.DataFrame(fav_rows, columns=["household_id", "village", "kind"])
