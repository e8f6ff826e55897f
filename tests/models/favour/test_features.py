"""Household features: real values from the sources, and no protected attribute among them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from favour_county import County

from hecha.dataset import Dataset
from hecha.index import PersonIndex
from hecha.policy import load_policy
from models.favour.features import FEATURE_NAMES, assert_no_protected, build_features, newly_split
from models.favour.ties import family_keys, kin_split_hukou


def test_feature_list_has_no_protected_attribute() -> None:
    """It accepts the shipped feature list and refuses any name carrying a protected attribute."""
    assert_no_protected(FEATURE_NAMES)
    for bad in ("sex", "head_age", "minority_name", "ethnicity_code", "religion", "birth_year"):
        with pytest.raises(ValueError):
            assert_no_protected([*FEATURE_NAMES, bad])


def test_planted_household_features(county: County) -> None:
    """A household split off a cadre's address shows the split, the tie, able members and the income gap."""
    feats = build_features(county.dataset, county.index, pd.DataFrame(), load_policy().favour)
    X = feats.X
    assert list(X.columns) == FEATURE_NAMES and len(X) == 240
    fav = X.loc[sorted(county.favour)]
    assert (fav["cadre_same_address"] == 1).all() and (fav["cadre_same_hukou"] == 0).all()
    assert (fav["split_hukou"] >= 1).all() and (fav["able_workers"] == 2).all()
    assert (fav["not_in_poverty_registry"] == 1).all() and (fav["recent_enrolment"] == 1).all()
    assert (fav["income_shortfall"] > 0.8).all()
    ordinary = X.drop(index=sorted(county.favour))
    assert ordinary["cadre_same_address"].sum() == 0 and ordinary["able_workers"].max() <= 1
    ctx = feats.context.loc["D0000"]
    assert ctx["income_norm_scope"] in {"同村", "同镇", "全县"} and ctx["income_norm"] > 200


def test_open_rule_findings_are_counted(county: County) -> None:
    """Wrong-entitlement findings count once per code, by household id or member; missed and favour do not."""
    rf = pd.DataFrame(
        {
            "finding": ["VEHICLE_OWNED", "VEHICLE_OWNED", "DECEASED_PAID", "MISSED_DIBAO", "CADRE_KIN_UNFILED"],
            "category": ["wrong", "wrong", "wrong", "missed", "favour"],
            "household_id": ["D0001", "D0001", None, "D0002", "D0004"],
            "person_id": [
                None,
                None,
                "p" + county.dataset.frames["roll"].query("household_id == 'D0003'")["id_number"].iloc[0],
                None,
                None,
            ],
        }
    )
    X = build_features(county.dataset, county.index, rf, load_policy().favour).X
    assert X.at["D0001", "open_findings"] == 1 and X.at["D0003", "open_findings"] == 1
    assert X.at["D0002", "open_findings"] == 0 and X.at["D0004", "open_findings"] == 0


def test_recent_hukou_and_shared_contact(county: County) -> None:
    """A registry split date marks a recently formed hukou; a phone given by two roll households counts for both."""
    frames = dict(county.dataset.frames)
    reg = frames["household_registry"].copy()
    reg["分户日期"] = pd.NaT
    reg.loc[reg["hukou_id"] == "R0005", "分户日期"] = pd.Timestamp("2026-08-01")
    reg.loc[reg["hukou_id"] == "R0006", "分户日期"] = pd.Timestamp("2019-08-01")
    roll = frames["roll"].copy()
    roll.loc[roll["household_id"] == "D0007", "phone"] = roll.loc[roll["household_id"] == "D0008", "phone"].iloc[0]
    ds = type(county.dataset)(
        county="429006",
        period=county.dataset.period,
        folder=county.dataset.folder,
        frames={**frames, "household_registry": reg, "roll": roll},
    )
    X = build_features(ds, county.index, pd.DataFrame(), load_policy().favour).X
    assert X.at["D0005", "recent_hukou"] == 1 and X.at["D0006", "recent_hukou"] == 0
    assert X.at["D0007", "shared_contact"] == 1 and X.at["D0008", "shared_contact"] == 1
    assert X.at["D0009", "shared_contact"] == 0


def _with(county: County, **frames: pd.DataFrame) -> Dataset:
    return Dataset(
        county="429006",
        period=county.dataset.period,
        folder=county.dataset.folder,
        frames={**county.dataset.frames, **frames},
    )


def test_family_keys() -> None:
    """Surname for a Han name; both parts for a `given·father` name, whatever the separator or spacing."""
    assert family_keys("李 四") == {"李"} and family_keys("张") == set() and family_keys(None) == set()
    assert family_keys("阿卜杜拉·艾力") == family_keys("阿卜杜拉•艾力") == {"阿卜杜拉", "艾力"}


def test_kin_split_hukou(county: County) -> None:
    """A hukou at a cadre's address whose head shares the cadre's family name counts; a stranger's does not."""
    X = build_features(county.dataset, county.index, pd.DataFrame(), load_policy().favour).X
    heads = county.dataset.frames["roll"].query("relation == '户主'").set_index("household_id")["name"]
    fav = sorted(county.favour)
    kin = [h for h in fav if heads[h].startswith("李")]
    # weighted by how common 李 is among the heads of the village (1 − its share)
    reg0 = county.dataset.frames["household_registry"]
    village = reg0.loc[
        reg0["address"].isin(county.dataset.frames["roll"].query("household_id in @kin")["address"]), "region_code"
    ].iloc[0]
    vh = reg0[(reg0["region_code"] == village) & (reg0["relation"] == "户主")].drop_duplicates("hukou_id")
    li_share = vh["name"].str.startswith("李").mean()
    assert kin and 0 < li_share < 1 and np.allclose(X.loc[kin, "kin_split_hukou"], 1 - li_share)
    # the minority-name favour household shares the address but not the family name: split, yet not kin
    other = [h for h in fav if h not in kin]
    assert other and (X.loc[other, "kin_split_hukou"] == 0).all() and (X.loc[other, "split_hukou"] >= 1).all()
    assert X.drop(index=fav)["kin_split_hukou"].sum() == 0
    # rename the cadre's hukou head: same address, different family -> no longer kin
    reg = county.dataset.frames["household_registry"].copy()
    cadre_ids = set(county.dataset.frames["cadres"]["id_number"])
    reg.loc[reg["id_number"].isin(cadre_ids), "name"] = "王五"
    rec = county.index.records.copy()  # the index carries the normalised name linkage computed
    rec.loc[(rec["source"] == "household_registry") & rec["id_number"].isin(cadre_ids), "name_norm"] = "王五"
    index = PersonIndex(rec, county.index.links)
    X2 = build_features(_with(county, household_registry=reg), index, pd.DataFrame(), load_policy().favour).X
    assert (X2.loc[kin, "kin_split_hukou"] == 0).all() and (X2.loc[kin, "split_hukou"] >= 1).all()


def test_kin_split_weighted_by_village_surname_share() -> None:
    """A shared 王 at one address in a 王 village says little; the same pair in a mixed village says a lot."""
    rows = []
    for v, names in (
        ("V1", ["王一", "王二"] + ["王" + c for c in "三四五六七八"] + ["李甲", "张乙"]),
        ("V2", ["王一", "王二"] + [c + "丙" for c in "李张刘陈杨黄赵吴"]),
    ):
        for i, n in enumerate(names):
            addr = f"{v}-1号" if i < 2 else f"{v}-{i + 10}号"
            rows.append(
                {"hukou_id": f"{v}{i:02d}", "address_norm": addr, "region_code": v, "relation": "户主", "name_norm": n}
            )
    kin = kin_split_hukou(pd.DataFrame(rows))
    assert kin["V100"] == kin["V101"] == pytest.approx(1 - 0.8)  # 8 of 10 heads are 王
    assert kin["V200"] == kin["V201"] == pytest.approx(1 - 0.2)  # 2 of 10
    assert "V105" not in kin.index  # alone at its address


def test_handler_tied_burst(county: County) -> None:
    """Tied households enrolled by one handler within the window count each other; untied ones count nothing."""
    X = build_features(county.dataset, county.index, pd.DataFrame(), load_policy().favour).X
    fav = sorted(county.favour)
    assert (X.loc[fav, "handler_tied_burst"] == len(fav) - 1).all()
    assert X.drop(index=fav)["handler_tied_burst"].sum() == 0
    # one of them enrolled by another handler: it leaves the others' burst and has none of its own
    roll = county.dataset.frames["roll"].copy()
    roll.loc[roll["household_id"] == fav[0], "handler"] = "经办5"
    X2 = build_features(_with(county, roll=roll), county.index, pd.DataFrame(), load_policy().favour).X
    assert X2.at[fav[0], "handler_tied_burst"] == 0
    assert (X2.loc[fav[1:], "handler_tied_burst"] == len(fav) - 2).all()


def test_newly_split_asks_the_date_not_the_surname() -> None:
    """A recent split counts whatever the surname; an old one does not; without a date, a same-surname split does."""
    X = pd.DataFrame(
        {
            "split_hukou": [1.0, 1.0, 1.0, 0.0, 1.0, 1.0],
            "recent_hukou": [1.0, 1.0, 0.0, 1.0, 0.0, 0.0],
            "kin_split_hukou": [0.0, 0.9, 0.9, 0.0, 0.9, 0.0],
        },
        index=["recent_other_name", "recent_kin", "old_kin", "alone", "undated_kin", "undated_other"],
    )
    dated = pd.Series([True, True, True, True, False, False], index=X.index)
    got = newly_split(X, dated)
    assert got.to_dict() == {
        "recent_other_name": True,
        "recent_kin": True,
        "old_kin": False,  # a grown son's hukou of twenty years at his parents' address: ordinary
        "alone": False,  # a new hukou with no other at the address is no split
        "undated_kin": True,
        "undated_other": False,
    }
