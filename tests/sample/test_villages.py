"""Villages as they are: single-clan villages, ordinary 分户, favour enrolled through the cycle."""

from __future__ import annotations

import pandas as pd

from sample import Villages, build_county
from sample.world import build_world

HH, SEED = 800, 5


def _heads(snap_frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    reg = snap_frames["household_registry"]
    heads = reg[reg["relation"] == "户主"].drop_duplicates("hukou_id")
    return heads.assign(surname=heads["name"].str[0])


def test_clan_villages_are_dominated_by_a_few_surnames() -> None:
    world, snap = build_county("429006", "2026-10", HH, SEED, Villages(clans=1.0))
    heads = _heads(snap.frames)
    han = heads[~heads["name"].str.contains("·", regex=False)]
    rural = set(world.geo.loc[~world.geo["urban"], "region_code"])
    top3 = (
        han[han["region_code"].isin(rural)]
        .groupby("region_code")["surname"]
        .agg(lambda s: s.value_counts(normalize=True).head(3).sum())
    )
    assert len(top3) > 3 and (top3 >= 0.6).all()
    assert (world.geo.loc[~world.geo["urban"], "clan"].str.len() >= 1).all()
    # the same county without clans: its villages are mixed
    _, plain = build_county("429006", "2026-10", HH, SEED)
    ph = _heads(plain.frames)
    mixed = (
        ph[ph["region_code"].isin(rural)]
        .groupby("region_code")["surname"]
        .agg(lambda s: s.value_counts(normalize=True).head(3).sum())
    )
    assert mixed.median() < top3.median() - 0.2


def test_ordinary_splits_share_the_address_and_are_mostly_old() -> None:
    anchor = "2026-10"
    plain = build_world("429006", anchor, HH, SEED)
    world = build_world("429006", anchor, HH, SEED, Villages(splits=0.5))
    new = world.hh.loc[world.hh.index >= len(plain.hh)]
    assert len(new) > 10 and (new["size"] == 1).all()
    heads = world.people[world.people["hh"].isin(new.index)]
    assert (heads["relation"] == "户主").all() and (heads["age"] >= 22).all()
    # each shares its address with its parents' hukou, and its head their surname
    by_addr = world.hh.groupby("address")["hh"].nunique()
    assert (new["address"].map(by_addr) >= 2).all()
    parents = world.hh[world.hh["address"].isin(new["address"]) & (world.hh.index < len(plain.hh))]
    p_heads = world.people[world.people["hh"].isin(parents.index) & (world.people["relation"] == "户主")]
    assert set(heads["name"].str[0]) <= set(p_heads["name"].str[0])
    years = (pd.Timestamp(world.anchor) - pd.to_datetime(new["established"])).dt.days / 365.25
    assert (years >= 0).all() and (years < 1).mean() < 0.15 and years.median() > 5  # at marriage: years ago


def test_staggered_favour_households_arrive_later_in_the_cycle() -> None:
    v = Villages(staggered_favour=True)
    _, oct_ = build_county("429006", "2026-10", HH, SEED, v)
    _, dec = build_county("429006", "2026-12", HH, SEED, v)
    first, third = set(oct_.favour["household_id"]), set(dec.favour["household_id"])
    assert first and first < third
    late = third - first
    assert not late & set(oct_.frames["roll"]["household_id"])  # not on the roll before their month
    assert late <= set(dec.frames["roll"]["household_id"])
    fav_truth = set(oct_.truth.loc[oct_.truth["finding"] == "FAVOUR_RISK", "household_id"])
    assert fav_truth == first
