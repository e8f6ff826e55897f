"""Enrolment rules over the roll itself: duplicates, dibao+tekun overlap, amounts, shared accounts."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from hecha.labels import program_zh
from models.rules.amounts import ages_on, missing
from models.rules.common import (
    ROLL_FIELDS,
    births,
    by_key,
    household_totals,
    is_urban,
    numbers,
    own_link,
    programs_of,
    roll_for,
    rows_by,
    total,
)
from models.rules.context import RuleContext
from models.rules.evidence import Link, finding, period_zh, record, subject_number, yuan
from models.rules.standards import standard_for

DIBAO = ("dibao_urban", "dibao_rural")


def _linked(roll: pd.DataFrame, ctx: RuleContext, code: str) -> pd.DataFrame:
    """Roll rows attached to a person firmly enough for this rule."""
    p = roll["attach_probability"].astype(float).fillna(1.0)
    ok = roll["person_id"].notna() & (roll["person_id"].astype(str) != "")
    return roll[ok & (p >= ctx.policy.rules.min_link(code))]


def _person_finding(
    ctx: RuleContext,
    code: str,
    person_id: object,
    rows: list[dict[str, Any]],
    summary: str,
    facts: dict[str, Any],
    monthly: float,
) -> dict[str, Any]:
    rows = sorted(rows, key=lambda r: r["_row"])
    first = rows[0]
    subject = first | {"person_id": person_id, "id_number": subject_number(first)}
    links = [own_link(r) for r in rows]
    records = [record(ctx, "roll", int(r["_row"]), [*ROLL_FIELDS, "bank_account"], own_link(r)) for r in rows]
    return finding(
        ctx,
        code,
        subject,
        program=programs_of(rows),
        summary_zh=summary,
        facts=facts,
        records=records,
        links=links,
        monthly=monthly,
    )


def duplicate_enrolment(ctx: RuleContext) -> list[dict[str, Any]]:
    """One person paid twice (or in two households) in one program family; the extra payments are overpaid."""
    code = "DUPLICATE_ENROLMENT"
    roll = _linked(roll_for(ctx, code), ctx, code)
    families = ctx.policy.rules.program_families
    program = roll["program"].astype(str)
    roll = roll.assign(family=program.map(families).fillna(program))
    roll = roll[roll.duplicated(["person_id", "family"], keep=False)]
    out = []
    for person_id, rows in rows_by(roll, "person_id"):
        for family, fam_rows in by_key(rows, "family"):
            if len(fam_rows) < 2:
                continue
            amounts = numbers(r["amount"] for r in fam_rows)
            extra = float(amounts.sum() - amounts.max())
            households = sorted({str(r["household_id"]) for r in fam_rows})
            where = f"在{len(households)}个家庭（{'、'.join(households)}）" if len(households) > 1 else "在同一家庭"
            summary = (
                f"该人员{period_zh(ctx.dataset.period)}{where}被重复发放{program_zh(fam_rows[0]['program'])}"
                f" {len(fam_rows)} 次，共 {yuan(amounts.sum())}"
            )
            out.append(
                _person_finding(
                    ctx,
                    code,
                    person_id,
                    fam_rows,
                    summary,
                    {"family": family, "payments": len(fam_rows), "households": households},
                    extra,
                )
            )
    return out


def program_overlap(ctx: RuleContext) -> list[dict[str, Any]]:
    """Dibao and tekun for one person in one period; tekun covers basic living, so dibao is the overpayment."""
    code = "PROGRAM_OVERLAP"
    roll = _linked(ctx.roll(), ctx, code)
    roll = roll[roll["program"].isin([*DIBAO, "tekun"])]
    both = set(roll.loc[roll["program"] == "tekun", "person_id"]) & set(
        roll.loc[roll["program"] != "tekun", "person_id"]
    )
    roll = roll[roll["person_id"].isin(both)]
    out = []
    for person_id, rows in rows_by(roll, "person_id"):
        dibao = [r for r in rows if r["program"] in DIBAO]
        tekun = [r for r in rows if r["program"] == "tekun"]
        if not dibao or not tekun:
            continue
        summary = (
            f"该人员{period_zh(ctx.dataset.period)}同时领取{program_zh(dibao[0]['program'])}"
            f" {yuan(total(r['amount'] for r in dibao))}和特困供养 {yuan(total(r['amount'] for r in tekun))}"
        )
        dibao_amount, tekun_amount = total(r["amount"] for r in dibao), total(r["amount"] for r in tekun)
        out.append(
            _person_finding(
                ctx,
                code,
                person_id,
                rows,
                summary,
                {"dibao_amount": dibao_amount, "tekun_amount": tekun_amount},
                dibao_amount,
            )
        )
    return out


def _standards(roll: pd.DataFrame, table: pd.DataFrame) -> pd.Series:
    """Each roll row's monthly standard (NaN without one), looked up once per program, age and area."""
    regions = roll["region_code"]
    known = regions.dropna().unique()
    urban = regions.map(dict(zip(known, map(is_urban, known), strict=True))).to_numpy(dtype=object)
    urban[regions.isna().to_numpy()] = None  # no region: the standard for either area
    keys = pd.DataFrame({"program": roll["program"].astype(str), "age": roll["age"], "urban": urban})
    combo = keys.groupby(["program", "age", "urban"], dropna=False, sort=False).ngroup().to_numpy()
    first = keys.iloc[pd.Series(combo).drop_duplicates().index]  # one row per combination, in combo order
    amounts = []
    for program, age, is_urb in first.itertuples(index=False):
        s = standard_for(table, program, age, urban=None if is_urb is None else bool(is_urb))
        amounts.append(float(s["monthly_amount"]) if s is not None else float("nan"))
    return pd.Series(np.asarray(amounts, dtype=float)[combo], index=roll.index)


def amount_mismatch(ctx: RuleContext, table: pd.DataFrame) -> list[dict[str, Any]]:
    """A payment above the program's monthly standard for that person; the excess is the overpayment."""
    code = "AMOUNT_MISMATCH"
    roll = _linked(roll_for(ctx, code), ctx, code)
    if roll.empty:
        return []
    roll = roll.assign(age=ages_on(births(roll), ctx.period_start))
    roll = roll.assign(standard=_standards(roll, table), amount_num=pd.to_numeric(roll["amount"], errors="coerce"))
    over = roll[roll["standard"].notna() & (roll["amount_num"] > roll["standard"] + 0.005)]
    out = []
    for person_id, rows in rows_by(over, "person_id"):
        paid = np.asarray([r["amount_num"] for r in rows])
        standards = np.asarray([r["standard"] for r in rows], dtype=float)
        excess = float((paid - standards).sum())
        parts = "；".join(
            f"{program_zh(r['program'])}发放 {yuan(r['amount_num'])}，月标准 {yuan(r['standard'])}" for r in rows
        )
        summary = f"{period_zh(ctx.dataset.period)}该人员{parts}，超出 {yuan(excess)}"
        out.append(
            _person_finding(
                ctx,
                code,
                person_id,
                rows,
                summary,
                {"standards": standards.tolist(), "amounts": paid.tolist(), "excess": excess},
                excess,
            )
        )
    return out


def _account(value: object) -> str:
    return "" if missing(value) else "".join(str(value).split())


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
    roll = roll.assign(account=roll["bank_account"].map(_account))
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
