"""Household features for the favour-risk model 人情保/关系保.

A favour-based household rarely breaks a written rule; what inspectors notice is
a pattern: a roll household carved out of a larger hukou (分户), able-bodied
members, an income declared far below similar households, a burst of
enrolments by one handler or in one village, a village covered far more than
its town, ties to a village cadre, other findings already open. Every feature is
oriented so that *higher means more suspicious*; `context` keeps the
household's raw values and the norms they are compared with, for the reasons.

Protected attributes (ethnicity, religion, names, sex, age as such) are never
features: `assert_no_protected` guards the list and a test calls it.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pandas as pd

from hecha.dataset import Dataset
from hecha.index import PersonIndex
from hecha.policy import FavourPolicy
from hecha.runs import run_starts
from models.favour.counts import first_of_codes, nunique_per
from models.favour.ties import (
    cadre_ties,
    household_members,
    hukou_established,
    kin_split_detail,
    registry_view,
    shared_contacts,
)

# feature -> 中文名 (what the inspector reads)
FEATURES: dict[str, str] = {
    "hukou_gap": "户籍成员未纳入本低保户人数",
    "split_hukou": "同一住址的其他户口数（疑似分户）",
    "kin_split_hukou": "同一住址另有同姓户主的户口（按该姓在本村的常见程度折算，疑似从亲属户口分出）",
    "shared_hukou_roll": "与本户同户籍的其他救助家庭数",
    "recent_hukou": "近期分户或立户",
    "able_workers": "18–59岁无残疾普通劳动力人数",
    "not_in_poverty_registry": "未在防返贫监测/建档立卡名单",
    "income_shortfall": "申报收入低于同类家庭的程度",
    "recent_enrolment": "近期纳入",
    "handler_burst": "同一经办人集中纳入户数",
    "village_burst": "同村集中纳入比例",
    "village_coverage_ratio": "本村保障覆盖率与本镇之比",
    "cadre_same_hukou": "与村干部同一户籍且未备案",
    "cadre_same_address": "与村干部同一住址",
    "cadre_shared_contact": "与村干部（不同户籍）共用电话或银行账户",
    "handler_tie": "经办人与本户同户籍或同住址",
    "handler_tied_burst": "同一经办人前后集中纳入的其他分户或关联家庭数",
    "shared_contact": "与其他救助家庭共用电话或银行账户",
    "open_findings": "本户其他错保核查问题数",
}
FEATURE_NAMES = list(FEATURES)

# Evidence families: features that read the same fact from different angles. The unsupervised
# score counts each family once (its strongest feature), so a household odd in several
# independent ways (split off + able-bodied with no income + enrolled in a handler's burst +
# tied to a cadre) ranks above one that is odd in one way seen three times (a burst is also a
# village burst and a recent enrolment; a shared hukou on the roll is also a shared phone).
FAMILIES: dict[str, str] = {
    "hukou_gap": "hukou",
    "split_hukou": "hukou",
    "kin_split_hukou": "hukou",
    "shared_hukou_roll": "shared",
    "recent_hukou": "hukou",
    "able_workers": "means",
    "not_in_poverty_registry": "means",
    "income_shortfall": "means",
    "recent_enrolment": "timing",
    "handler_burst": "timing",
    "village_burst": "timing",
    "village_coverage_ratio": "timing",
    "cadre_same_hukou": "ties",
    "cadre_same_address": "ties",
    "cadre_shared_contact": "ties",
    "handler_tie": "ties",
    "handler_tied_burst": "handler",
    "shared_contact": "shared",
    "open_findings": "findings",
}
FAMILY_CODES = tuple(sorted(set(FAMILIES.values())).index(FAMILIES[f]) for f in FEATURE_NAMES)

# Words that must never name a feature (checked token by token, so "coverage" is fine).
PROTECTED_TOKENS = frozenset(
    {"ethnic", "ethnicity", "nation", "nationality", "minority", "religion", "sex", "gender", "age", "name", "birth"}
)


def assert_no_protected(features: list[str]) -> None:
    """Raise if a feature name carries a protected attribute."""
    bad = [f for f in features if PROTECTED_TOKENS & set(f.lower().split("_"))]
    if bad:
        raise ValueError(f"受保护属性不得作为特征 protected attributes used as features: {bad}")


@dataclass
class HouseholdFeatures:
    X: pd.DataFrame  # index household_id, columns FEATURE_NAMES (float)
    context: pd.DataFrame  # index household_id: region/town/village, amount, raw values and norms


def _income_norm(
    income: pd.Series, scopes: list[pd.Series], bucket: pd.Series, min_n: int
) -> tuple[pd.Series, pd.Series]:
    """Median income of households with the same or *less* labour, in the narrowest scope with enough of them.

    More hands should not mean less income, so a household with two able
    members is held to at least the norm of those with one or none; comparing it
    only with its own kind would let a planted group set its own norm.
    """
    out = pd.Series(np.nan, index=income.index)
    scope = pd.Series("", index=income.index)
    for key, label in zip(scopes, ["同村", "同镇", "全县"], strict=True):
        stats = pd.DataFrame({"k": key, "b": bucket, "y": income}).groupby(["k", "b"])["y"].agg(["median", "count"])
        table = stats["median"].where(stats["count"] >= min_n).unstack("b").reindex(columns=[0, 1, 2])
        table = table.ffill(axis=1).cummax(axis=1)
        rows = table.index.get_indexer(pd.Index(key))
        cells = table.to_numpy(dtype=float)[np.maximum(rows, 0), bucket.to_numpy(dtype=np.int64)]
        looked = pd.Series(np.where(rows >= 0, cells, np.nan), index=income.index)
        take = out.isna() & looked.notna()
        out[take], scope[take] = looked[take], label
    rest = out.isna()
    out[rest], scope[rest] = income.median(), "全县"
    return out, scope


def _burst(dates: pd.Series, key: pd.Series, window: int) -> pd.Series:
    """Households with the same key enrolled within ±window days of this one (itself excluded)."""
    out = pd.Series(0.0, index=dates.index)
    frame = pd.DataFrame({"d": dates, "k": key}).dropna()
    if frame.empty:
        return out
    days = frame["d"].to_numpy(dtype="datetime64[D]").astype(np.int64)
    days = days - days.min()
    # one sorted axis for all keys: each key's days in its own stretch, farther apart than the window
    stretch = int(days.max()) + 2 * window + 2
    axis = pd.factorize(frame["k"])[0].astype(np.int64) * stretch + days
    order = np.sort(axis)
    lo = np.searchsorted(order, axis - window, side="left")
    hi = np.searchsorted(order, axis + window, side="right")
    out.loc[frame.index] = (hi - lo - 1).astype(float)
    return out


def _per_household(pairs: pd.DataFrame, values: pd.Series, missing: float, how: str) -> pd.Series:
    """One value per (household, hukou) pair, `missing` where the hukou has none, then max or sum per household."""
    v = pairs["hukou_id"].map(values).astype(float).fillna(missing)
    return v.groupby(pairs["household_id"].to_numpy()).agg(how)


def build_features(
    dataset: Dataset, index: PersonIndex, rule_findings: pd.DataFrame, policy: FavourPolicy
) -> HouseholdFeatures:
    """One row per roll household (家庭编号) with FEATURE_NAMES and the context for the reasons."""
    assert_no_protected(FEATURE_NAMES)
    reg = registry_view(dataset, index)
    members = household_members(dataset, index, reg, policy)
    hh = members.groupby("household_id", sort=True)
    ctx = hh.agg(
        region_code=("region_code", "first"),
        town=("town", "first"),
        village=("village", "first"),
        amount=("amount", "sum"),
        roll_size=("person_id", "nunique"),
        declared_size=("household_size", "max"),
        income=("per_capita_income", "median"),
        enrolled=("enrolled_date", "min"),
        handler=("handler", "first"),
        head_name=("head_name", "first"),
        able_workers=("able", "sum"),
        in_poverty=("in_poverty", "max"),
    )
    X = pd.DataFrame(index=ctx.index)

    ctx["program"] = _lists(members, "program").reindex(ctx.index).str.join(",").fillna("")
    # (household, hukou) pairs: a roll household's members may come from several hukou
    pairs = members[["household_id", "hukou_id"]].dropna().drop_duplicates()
    pairs = pairs.sort_values(["household_id", "hukou_id"], kind="stable")

    def over_hukou(values: pd.Series, missing: float, how: str = "max") -> pd.Series:
        return _per_household(pairs, values, missing, how).reindex(ctx.index).fillna(0.0)

    in_roll_hukou = reg[reg["hukou_id"].isin(pairs["hukou_id"].unique()).to_numpy()]  # only these are looked up
    hukou_size = nunique_per(in_roll_hukou["hukou_id"], in_roll_hukou["person_id"])
    ctx["hukou_size"] = over_hukou(hukou_size, 0.0, "sum")
    in_hukou = members[members["hukou_id"].notna().to_numpy()]
    on_roll_in_hukou = nunique_per(in_hukou["household_id"], in_hukou["person_id"])
    ctx["hukou_gap"] = (ctx["hukou_size"] - on_roll_in_hukou.reindex(ctx.index).fillna(0)).clip(lower=0)
    X["hukou_gap"] = ctx["hukou_gap"]

    ctx["split_hukou"] = over_hukou(others_at_address(reg), 0.0)
    X["split_hukou"] = ctx["split_hukou"]
    kin = kin_split_detail(reg)
    X["kin_split_hukou"] = over_hukou(kin["weight"], 0.0)
    # for the reason: how many same-name hukou, and how common the name is in the village
    ctx["kin_split_n"] = over_hukou(kin["n"], 0.0)
    ctx["kin_surname_share"] = over_hukou(kin["share"], 0.0)
    roll_hh_of_hukou = nunique_per(in_hukou["hukou_id"], in_hukou["household_id"])
    X["shared_hukou_roll"] = over_hukou(roll_hh_of_hukou - 1, 0.0)

    est = hukou_established(dataset)
    recent_from = dataset.period_start - pd.DateOffset(months=policy.recent_months)
    last_hukou = pairs.drop_duplicates("household_id", keep="last").set_index("household_id")["hukou_id"]
    last_hukou = last_hukou.reindex(ctx.index)  # the household's last hukou in sorted order
    ctx["hukou_established"] = pd.to_datetime(last_hukou.map(est), errors="coerce")
    X["recent_hukou"] = (pd.to_datetime(ctx["hukou_established"]) >= recent_from).astype(float)

    X["able_workers"] = ctx["able_workers"].astype(float)
    X["not_in_poverty_registry"] = 1.0 - ctx["in_poverty"].astype(float) if dataset.has("poverty_registry") else 0.0

    able_bucket = ctx["able_workers"].clip(upper=2).astype(int)
    fam = ctx["program"].str.contains("dibao").map({True: "d", False: "o"})
    scopes = [ctx["region_code"].astype(str) + fam, ctx["town"].astype(str) + fam, fam]
    ctx["income_norm"], ctx["income_norm_scope"] = _income_norm(
        ctx["income"], scopes, able_bucket, policy.min_norm_group
    )
    short = (ctx["income_norm"] - ctx["income"]) / ctx["income_norm"].clip(lower=1.0)
    X["income_shortfall"] = short.clip(lower=0).fillna(0.0)

    start = dataset.period_start
    recent = start - pd.DateOffset(months=policy.recent_months)
    X["recent_enrolment"] = ((ctx["enrolled"] >= recent) & (ctx["enrolled"] <= start)).astype(float)
    ctx["handler_burst"] = _burst(ctx["enrolled"], ctx["handler"], policy.burst_window_days)
    X["handler_burst"] = ctx["handler_burst"]
    village_roll = ctx.groupby("region_code")["roll_size"].transform("count").astype(float)
    ctx["village_burst_n"] = _burst(ctx["enrolled"], ctx["region_code"], policy.burst_window_days)
    X["village_burst"] = ctx["village_burst_n"] / village_roll.clip(lower=1)

    coverage(ctx, reg)
    X["village_coverage_ratio"] = (ctx["coverage_village"] / ctx["coverage_town"]).replace(np.inf, np.nan).fillna(1.0)

    ties = cadre_ties(dataset, index, members, reg).reindex(ctx.index).fillna(0.0)
    for col in ("cadre_same_hukou", "cadre_same_address", "cadre_shared_contact", "handler_tie"):
        X[col] = ties[col].astype(float)
    ctx["handler_same_hukou"] = ties["handler_same_hukou"] > 0  # not a feature: it decides a place (recusal_first)
    X["shared_contact"] = shared_contacts(members).reindex(ctx.index).fillna(0.0)

    # A handler who enrols, within weeks, several households each newly split off (分户) or tied to a
    # cadre or to the handler: counted only for a household that is itself newly split or tied.
    tied_to = (X[["cadre_same_hukou", "cadre_same_address", "cadre_shared_contact", "handler_tie"]] > 0).any(axis=1)
    tied = newly_split(X, ctx["hukou_established"].notna()) | tied_to
    ctx["handler_tied_burst"] = (
        _burst(ctx["enrolled"][tied], ctx["handler"][tied], policy.burst_window_days).reindex(ctx.index).fillna(0.0)
    )
    X["handler_tied_burst"] = ctx["handler_tied_burst"]

    X["open_findings"] = _open_findings(rule_findings, members).reindex(ctx.index).fillna(0.0)
    # Households already a case this month under a wrong or favour rule (kept off the FAVOUR_RISK list).
    ctx["rule_cases"] = _open_findings(rule_findings, members, ("wrong", "favour")).reindex(ctx.index).fillna(0.0)
    ctx["rows"] = _lists(members, "_row").reindex(ctx.index)
    return HouseholdFeatures(X=X[FEATURE_NAMES].astype(float), context=ctx)


def others_at_address(reg: pd.DataFrame) -> pd.Series:
    """hukou_id -> other hukou whose first registry address is this hukou's first address (分户 at one address).

    Each hukou counts once, at its first address, as `groupby.first` would place it; from
    hukou codes rather than a groupby over the registry's million rows.
    """
    placed = reg["address_norm"].notna().to_numpy() & reg["hukou_id"].notna().to_numpy()
    hukou, address = reg["hukou_id"].to_numpy()[placed], reg["address_norm"].to_numpy()[placed]
    first = first_of_codes(pd.factorize(hukou)[0])
    at = pd.factorize(address[first])[0]
    return pd.Series(np.bincount(at)[at] - 1, index=hukou[first])


def newly_split(X: pd.DataFrame, dated: pd.Series) -> pd.Series:
    """Households whose hukou was split off lately: set up within recent_months at an address with others.

    The family name is not asked: in a single-clan village most neighbours share it, and a
    daughter's or a son-in-law's split carries another. Only where the registry gives no
    立户日期 for the hukou (`dated` False) does a split from a same-surname hukou stand in.
    """
    recent = X["recent_hukou"] > 0
    return (X["split_hukou"] > 0) & (recent | (~dated & (X["kin_split_hukou"] > 0)))


def _lists(members: pd.DataFrame, col: str) -> pd.Series:
    """household_id -> sorted distinct values of one member column."""
    d = members[["household_id", col]].dropna().drop_duplicates().sort_values(["household_id", col], kind="stable")
    hh = d["household_id"].to_numpy()
    if len(hh) == 0:
        return pd.Series(dtype=object, name=col, index=pd.Index([], name="household_id"))
    starts = run_starts(hh)
    values = d[col].tolist()  # slices of one list: np.split and a tolist per household cost more than the rest
    bounds = [*starts.tolist(), len(values)]
    groups = [values[a:b] for a, b in pairwise(bounds)]
    return pd.Series(groups, index=pd.Index(hh[starts], name="household_id"), name=col)


def coverage(ctx: pd.DataFrame, reg: pd.DataFrame) -> None:
    """Roll households / registry hukou per village and per town (in place on ctx)."""
    roll_v = ctx.groupby("region_code").size()
    placed = reg["region_code"].notna().to_numpy() & reg["hukou_id"].notna().to_numpy()
    village = reg["region_code"][placed]
    hukou = pd.Series(pd.factorize(reg["hukou_id"][placed])[0], index=village.index)  # codes, factorized once for both
    reg_v = nunique_per(village, hukou)  # each hukou once per village
    cov_v = (roll_v / reg_v.reindex(roll_v.index)).astype(float)
    town_code = ctx["region_code"].astype(str).str[:9]
    roll_t = ctx.groupby(town_code).size()
    reg_t = nunique_per(town_of(village), hukou)
    cov_t = (roll_t / reg_t.reindex(roll_t.index)).astype(float)
    ctx["coverage_village"] = ctx["region_code"].map(cov_v)
    ctx["coverage_town"] = town_code.map(cov_t)


def town_of(region_code: pd.Series) -> pd.Series:
    """The town (first 9 digits) of each region code, cut once per distinct code (a county has a few hundred)."""
    codes, uniques = pd.factorize(region_code)
    towns = np.array([*pd.Index(uniques).astype(str).str[:9], None], dtype=object)  # last: missing (code -1)
    return pd.Series(towns[codes], index=region_code.index, name=region_code.name)


def _open_findings(
    rule_findings: pd.DataFrame, members: pd.DataFrame, categories: tuple[str, ...] = ("wrong",)
) -> pd.Series:
    """Distinct rule findings of `categories` per roll household (by household id or member person id)."""
    if rule_findings is None or rule_findings.empty:
        return pd.Series(dtype=float)
    # As a feature only 错保 findings: favour rules (cadre kin) are already the tie features, and
    # 漏保 is no sign of favour.
    rf = rule_findings[rule_findings["category"].isin(categories)]
    by_hh = rf[["household_id", "finding"]].dropna()
    pid_hh = members[["person_id", "household_id"]].dropna().drop_duplicates()
    by_pid = rf[["person_id", "finding"]].dropna().merge(pid_hh, on="person_id")[["household_id", "finding"]]
    both = pd.concat([by_hh, by_pid]).drop_duplicates()
    both = both[both["household_id"].isin(set(members["household_id"]))]
    return both.groupby("household_id")["finding"].nunique().astype(float)
