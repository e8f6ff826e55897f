"""The county's people: towns, villages, hukou households and their members.

Everything here is fixed by the seed and the anchor month, so the same county
can be regenerated one month on with the same people (see `world.anchor_of`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sample import names
from sample.ids import make_ids

DAY = np.timedelta64(1, "D")


@dataclass(frozen=True)
class Villages:
    """Villages as they are (all off by default: the county the other tests were written on).

    clans: share of rural villages that are single-clan (a few surnames cover most hukou);
    splits: share of rural hukou whose grown son has his own hukou at the parents' address (分户);
    staggered_favour: favour-based households keep being enrolled through the cycle (a third of
    the planted villages one month later, a third two months later) instead of all before month 1.
    """

    clans: float = 0.0
    splits: float = 0.0
    staggered_favour: bool = False


_SIZE_P = np.array([0.14, 0.27, 0.24, 0.18, 0.11, 0.06])


def geography(rng: np.random.Generator, county: str, households: int) -> pd.DataFrame:
    """Towns and villages: code 001-199 urban 社区, 200-399 rural 村 (statistical convention)."""
    n_towns = int(np.clip(round(10 + 15 * math.log10(max(households, 400) / 400) / 3), 10, 25))
    per_town = int(np.clip(round(households / n_towns / 500), 2, 30))
    stems = names.village_names(rng, n_towns * per_town)
    rows = []
    for t in range(n_towns):
        n_urban = per_town if t < 2 else 1  # the two 街道 are urban; each town has its 镇区社区
        for v in range(per_town):
            urban = v < n_urban
            code = f"{v + 1:03d}" if urban else f"{200 + v - n_urban + 1:03d}"
            stem = stems[t * per_town + v]
            rows.append(
                {
                    "town": names.TOWNS[t],
                    "village": stem + ("社区" if urban else "村"),
                    "region_code": f"{county}{t + 1:03d}{code}",
                    "urban": urban,
                }
            )
    return pd.DataFrame(rows)


def _roles(size: np.ndarray, head_age: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """One row per member slot with relation and age, from household size and head age."""
    hh = np.repeat(np.arange(len(size)), size)
    slot = np.arange(len(hh)) - np.repeat(np.cumsum(size) - size, size)
    hsize, hage = size[hh], head_age[hh]
    u = rng.random(len(hh))
    rel = np.full(len(hh), "子", dtype=object)
    rel[u < 0.5] = "女"
    rel[(slot == 1) & (u < 0.88)] = "配偶"
    rel[(slot == 1) & (u >= 0.88)] = np.where(hage[(slot == 1) & (u >= 0.88)] < 55, "母亲", "子")
    old = hage >= 55
    rel[(slot >= 4) & old] = np.where(u[(slot >= 4) & old] < 0.5, "孙子", "孙女")
    young = (slot >= 4) & ~old
    rel[young] = np.where(slot[young] == 4, "父亲", "母亲")
    rel[slot == 0] = "户主"
    age = hage.astype(float)
    gap = rng.uniform(22, 34, len(hh))
    age = np.where(rel == "配偶", hage + rng.normal(-2, 3, len(hh)), age)
    age = np.where(np.isin(rel, ["子", "女"]), hage - gap, age)
    age = np.where(np.isin(rel, ["孙子", "孙女"]), hage - gap - rng.uniform(22, 30, len(hh)), age)
    age = np.where(np.isin(rel, ["父亲", "母亲"]), hage + gap, age)
    age = np.where(age < 0, rng.uniform(0.2, 6, len(hh)), age)
    return pd.DataFrame({"hh": hh, "relation": rel, "age": np.clip(age, 0.1, 103.5), "hsize": hsize})


def build_people(
    rng: np.random.Generator, county: str, households: int, anchor: np.datetime64, geo: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hukou households and their members, with names, sexes, birth dates and numbers."""
    size = rng.choice(np.arange(1, 7), size=households, p=_SIZE_P)
    single_old = rng.random(households) < 0.6
    head_age = np.where(
        size == 1,
        np.where(single_old, rng.uniform(60, 87, households), rng.uniform(24, 50, households)),
        np.where(
            size == 2,
            np.where(single_old, rng.uniform(55, 84, households), rng.uniform(24, 50, households)),
            rng.uniform(28, 72, households),
        ),
    )
    village = rng.integers(0, len(geo), households)
    hh = pd.DataFrame({"hh": np.arange(households), "village_idx": village, "size": size})
    hh = hh.join(geo, on="village_idx")
    seq = hh.groupby("village_idx").cumcount().to_numpy() + 1
    hh["hukou_id"] = hh["region_code"].str[6:] + pd.Series(seq).map("{:05d}".format).to_numpy()
    hh["hukou_id"] = county + hh["hukou_id"]
    group = rng.integers(1, 12, households)
    street = rng.choice(np.array(names.STREETS, dtype=object), households)
    num = pd.Series(rng.integers(1, 300, households)).astype(str).to_numpy()
    rural_addr = hh["town"] + hh["village"] + pd.Series(group).astype(str).to_numpy() + "组" + num + "号"
    urban_addr = hh["town"] + hh["village"] + street + num + "号"
    hh["address"] = np.where(hh["urban"], urban_addr, rural_addr)
    hh["phone"] = [
        "1" + p
        for p in np.char.add(
            rng.choice(["38", "39", "58", "59", "87", "77"], households),
            np.char.zfill(rng.integers(0, 10**8, households).astype(str), 8),
        )
    ]
    perm = rng.permutation(households)
    hh["bank_account"] = [f"62170{p:09d}{r:05d}" for p, r in zip(perm, rng.integers(0, 10**5, households), strict=True)]
    # 立户日期: mostly long ago; ~4% recent (marriages, legitimate 分户), so recency alone proves nothing
    est_days = np.where(
        rng.random(households) < 0.04, rng.integers(30, 730, households), rng.integers(365 * 6, 365 * 36, households)
    )
    hh["established"] = anchor - est_days * DAY

    people = _roles(size, head_age, rng)
    n = len(people)
    head_sex = np.where(rng.random(households) < 0.82, "M", "F")
    hs = head_sex[people["hh"].to_numpy()]
    rel = people["relation"].to_numpy()
    sex = np.where(np.isin(rel, ["子", "孙子", "父亲"]), "M", np.where(np.isin(rel, ["女", "孙女", "母亲"]), "F", hs))
    sex = np.where(rel == "配偶", np.where(hs == "M", "F", "M"), sex)
    people["sex"] = sex
    people["birth"] = anchor - np.round(people["age"].to_numpy() * 365.25).astype(np.int64) * DAY
    year = people["birth"].dt.year.to_numpy()
    family = names.surnames(rng, households)
    own = names.surnames(rng, n)
    takes_family = np.isin(rel, ["子", "女", "孙子", "孙女", "父亲"]) | (rel == "户主")
    surname = np.where(takes_family, family[people["hh"].to_numpy()], own)
    given = names.given_names(rng, sex, year)
    people["name"] = surname + given
    _minority(rng, people, households)
    people["id"] = make_ids(rng, county, people["birth"].to_numpy(), sex)
    people["pid"] = np.arange(n)
    return hh, people.drop(columns=["hsize"])


def _minority(rng: np.random.Generator, people: pd.DataFrame, households: int) -> None:
    """A few Uyghur households: given name · father's name (separator varies later, as noise)."""
    k = max(2, households // 300)
    chosen = rng.choice(households, size=k, replace=False)
    starts = np.searchsorted(people["hh"].to_numpy(), np.arange(households + 1))
    for h in sorted(chosen.tolist()):
        rows = people.index[starts[h] : starts[h + 1]]
        father = str(rng.choice(np.array(names.UYGHUR_GIVEN["M"])))
        for r in rows:
            pool = names.UYGHUR_GIVEN[str(people.at[r, "sex"])]
            people.at[r, "name"] = str(rng.choice(np.array(pool))) + "·" + father


FAMILY_LINE = ("户主", "子", "女", "孙子", "孙女", "父亲")  # relations that carry the hukou's family surname


def clan_villages(
    geo: pd.DataFrame, hh: pd.DataFrame, people: pd.DataFrame, rng: np.random.Generator, share: float
) -> None:
    """Make a share of rural villages single-clan (in place): most hukou there share one to three surnames.

    Only the family line takes the clan name; spouses and mothers married in keep their own,
    and minority-name households keep theirs. geo gains a `clan` column (the clan surnames).
    """
    geo["clan"] = ""
    rural = geo.index[~geo["urban"]].to_numpy()
    chosen = rural[rng.random(len(rural)) < share]
    han = ~people["name"].str.contains("·", regex=False)
    line = people["relation"].isin(FAMILY_LINE) & han
    for v in chosen.tolist():
        clans, shares = names.clan_surnames(rng)
        geo.at[v, "clan"] = "".join(clans)
        hukous = hh.index[hh["village_idx"] == v].to_numpy()
        u = rng.random(len(hukous))
        edges = np.cumsum(shares)
        pick = np.searchsorted(edges, u, side="right")  # len(clans) = keeps its own surname
        for h, k in zip(hukous.tolist(), pick.tolist(), strict=True):
            if k < len(clans):
                rows = people.index[(people["hh"] == h) & line]
                people.loc[rows, "name"] = clans[k] + people.loc[rows, "name"].str[1:]


def adult_splits(
    hh: pd.DataFrame, people: pd.DataFrame, rng: np.random.Generator, anchor: np.datetime64, share: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Ordinary 分户: in a share of rural hukou a grown son has his own hukou at his parents' address.

    A son sets up his hukou when he marries or is given a house plot, so the split is dated
    at 22–30 years of age: mostly years ago, a few within the last year or two, as in a real
    village. Nothing about this is favour; it is what the favour features must not mistake.
    """
    sons = people[people["age"].between(22, 55) & (people["relation"] == "子")]
    sons = sons[sons["hh"].isin(hh.index[(hh["size"] >= 3) & ~hh["urban"]])].drop_duplicates("hh")
    at_age = rng.uniform(22.0, 30.0, len(sons))  # when he marries or is given a house plot
    chosen = (rng.random(len(sons)) < share) & (sons["age"].to_numpy() > at_age)  # not yet: still at home
    sons, at_age = sons[chosen], at_age[chosen]
    if sons.empty:
        return hh, people
    seq = hh["hukou_id"].str[-5:].astype(int).groupby(hh["village_idx"]).max().to_dict()
    rows = []
    for i, ((pid, person), at) in enumerate(zip(sons.iterrows(), at_age, strict=True)):
        origin = hh.loc[int(person["hh"])]
        v = int(origin["village_idx"])
        seq[v] += 1
        row = origin.copy()
        row["hh"] = len(hh) + i
        row["size"] = 1
        row["hukou_id"] = str(origin["hukou_id"])[:-5] + f"{seq[v]:05d}"
        row["established"] = anchor - int((float(person["age"]) - at) * 365.25) * DAY
        row["phone"] = "1" + str(rng.choice(["38", "39", "58", "59"])) + f"{rng.integers(0, 10**8):08d}"
        row["bank_account"] = f"62171{len(hh) + i:09d}{rng.integers(0, 10**5):05d}"
        rows.append(row)
        people.at[pid, "hh"] = len(hh) + i
        people.at[pid, "relation"] = "户主"
    new = pd.DataFrame(rows).set_index("hh", drop=False)
    new.index.name = hh.index.name
    hh = pd.concat([hh, new])
    hh["size"] = people.groupby("hh").size().reindex(hh.index, fill_value=0)
    return hh, people
