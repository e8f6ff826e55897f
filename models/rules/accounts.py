"""SHARED_ACCOUNT: one bank account paying two or more families (多户共用一个收款账户)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from models.rules.common import ROLL_FIELDS, household_totals, own_link, programs_of, roll_for, rows_by
from models.rules.context import RuleContext
from models.rules.evidence import Link, finding, period_zh, record, yuan


def _accounts(values: pd.Series) -> pd.Series:
    """Account numbers without any whitespace; "" where none is given."""
    return values.astype(str).str.replace(r"\s+", "", regex=True).where(values.notna(), "")


def _hukou_pairs(ctx: RuleContext, roll: pd.DataFrame, min_link: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(_row, hukou): every registry hukou each roll row's person is listed in, and the registry matches.

    A person listed in two hukous (一人多户) has both. A person the registry does
    not list takes their roll household's hukous; with none known, the row has
    none: unknown hukou, never "another family".
    """
    m = ctx.matches("roll", "household_registry", min_link)
    hukou = m["row_r"].map(ctx.column("household_registry", "hukou_id"))
    # as text, as the registry column reads with astype(str); a row the registry lacks stays missing
    m = m.assign(hukou=hukou.astype(str).where(m["row_r"].isin(ctx.frame("household_registry")["_row"])))
    own = m.dropna(subset=["hukou"])[["row_l", "hukou"]].drop_duplicates().rename(columns={"row_l": "_row"})
    own = own[own["_row"].isin(roll["_row"])]
    household = pd.Series(roll["household_id"].astype(str).to_numpy(), index=roll["_row"].to_numpy())
    by_household = own.assign(household=own["_row"].map(household))[["household", "hukou"]].drop_duplicates()
    unlisted = roll.loc[~roll["_row"].isin(own["_row"]), "_row"]
    taken = pd.DataFrame({"_row": unlisted.to_numpy(), "household": unlisted.map(household).to_numpy()})
    taken = taken.merge(by_household, on="household")[["_row", "hukou"]]
    return pd.concat([own, taken], ignore_index=True), m


def _set_keys(pairs: pd.DataFrame) -> pd.Series:
    """_row -> a hashable key of its hukou set: the hukou itself when there is one, a sorted tuple when more."""
    size = pairs.groupby("_row")["hukou"].transform("size")
    single = pairs[size == 1].set_index("_row")["hukou"]
    several = {row: tuple(sorted(h)) for row, h in pairs[size > 1].groupby("_row")["hukou"]}  # few rows
    return pd.concat([single.astype(object), pd.Series(several, dtype=object)])


def _hukou_sets(pairs: pd.DataFrame, rows: pd.Series) -> pd.Series:
    """_row -> frozenset of its hukous, for the given (few) roll rows; empty when unknown."""
    listed = pairs[pairs["_row"].isin(rows)].groupby("_row")["hukou"].agg(frozenset)
    return pd.Series([listed.get(r, frozenset()) for r in rows], index=rows.to_numpy(), dtype=object)


def _families(sets: list[frozenset[str]]) -> int:
    """Families among known hukou sets: hukous joined by one person listed in both count once."""
    groups: list[set[str]] = []
    for s in (x for x in sets if x):
        joined = [g for g in groups if g & s]
        merged = set(s).union(*joined)
        groups = [g for g in groups if not g & s] + [merged]
    return len(groups)


def _different_families(sets: list[frozenset[str]]) -> bool:
    """Two payees are of different families when both hukou sets are known and share no hukou."""
    known = list(dict.fromkeys(x for x in sets if x))
    return any(not (a & b) for i, a in enumerate(known) for b in known[i + 1 :])


def shared_account(ctx: RuleContext) -> list[dict[str, Any]]:
    """One bank account paid for people of two or more hukous; one family's several programs is normal.

    Families are registry hukous (contract §2): a payee the registry does not list
    (and whose roll household it does not know) is of unknown hukou and counts for
    no family; one listed in two hukous (一人多户) is of both, so it separates no one.
    """
    code = "SHARED_ACCOUNT"
    rules = ctx.policy.rules
    roll = roll_for(ctx, code)
    roll = roll.assign(account=_accounts(roll["bank_account"]))
    roll = roll[roll["account"] != ""]
    pairs, m = _hukou_pairs(ctx, roll, rules.min_link(code))
    # only an account paying people of two or more distinct known hukou sets can separate families
    keys = roll["_row"].map(_set_keys(pairs))
    distinct = keys.dropna().groupby(roll.loc[keys.notna(), "account"]).nunique()
    roll = roll[roll["account"].isin(distinct.index[distinct.to_numpy() >= 2])]
    roll = roll.assign(hukous=roll["_row"].map(_hukou_sets(pairs, roll["_row"])))
    flagged = [str(a) for a, g in roll.groupby("account") if _different_families(list(g["hukous"]))]
    roll = roll[roll["account"].isin(flagged)]
    m = m.sort_values("probability", ascending=False).drop_duplicates("row_l")
    link_of = {int(r["row_l"]): Link.of(r) for r in m[m["row_l"].isin(roll["_row"])].to_dict("records")}
    totals = household_totals(roll_for(ctx, code))
    out = []
    for account_key, rows in rows_by(roll, "account"):
        account = str(account_key)
        families = _families([r["hukous"] for r in rows])
        households = sorted({str(r["household_id"]) for r in rows})
        by_row = sorted(rows, key=lambda r: r["_row"])
        for household_id in households:
            own = [r for r in by_row if r["household_id"] == household_id]
            others = [r for r in rows if r["household_id"] != household_id]
            monthly = float(totals.get(household_id, 0.0))
            records, links = [], []
            for r in by_row:
                records.append(record(ctx, "roll", int(r["_row"]), [*ROLL_FIELDS, "bank_account"], own_link(r)))
                if int(r["_row"]) in link_of:
                    links.append(link_of[int(r["_row"])])
            names = "、".join(dict.fromkeys(str(r["name"]) for r in others))
            summary = (
                f"该户收款账户（尾号{account[-4:]}）同时为{families}个不同户籍的家庭收款"
                f"（另有：{names}），{period_zh(ctx.dataset.period)}该户领取 {yuan(monthly)}"
            )
            out.append(
                finding(
                    ctx,
                    code,
                    own[0],
                    summary_zh=summary,
                    program=programs_of(own),
                    facts={
                        "families": families,
                        "households": households,
                        "payments": len(rows),
                        "unknown_hukou": sum(len(r["hukous"]) == 0 for r in rows),
                    },
                    records=records,
                    links=links,
                    monthly=monthly,
                )
            )
    return out
