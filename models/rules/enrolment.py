"""Enrolment rules over the roll itself: duplicates, dibao+tekun overlap, amounts, shared accounts."""

from __future__ import annotations

from typing import Any

import pandas as pd

from hecha.labels import program_zh
from models.rules.amounts import ages_on, missing
from models.rules.common import ROLL_FIELDS, amount_of, births, household_totals, is_urban, own_link, roll_for
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
    rows: pd.DataFrame,
    summary: str,
    facts: dict[str, Any],
    monthly: float,
    extra_records: list[dict[str, Any]] | None = None,
    extra_links: list[Link] | None = None,
) -> dict[str, Any]:
    rows = rows.sort_values("_row")
    first = rows.iloc[0]
    subject = first.to_dict() | {"id_number": subject_number(first)}
    links = [own_link(r) for _, r in rows.iterrows()] + (extra_links or [])
    records = [
        record(ctx, "roll", int(r["_row"]), [*ROLL_FIELDS, "bank_account"], own_link(r)) for _, r in rows.iterrows()
    ] + (extra_records or [])
    programs = ",".join(sorted(rows["program"].astype(str).unique()))
    return finding(
        ctx,
        code,
        subject,
        program=programs,
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
    roll = roll.assign(family=roll["program"].map(lambda p: families.get(str(p), str(p))))
    roll = roll[roll.duplicated(["person_id", "family"], keep=False)]
    out = []
    for person_id, rows in roll.groupby("person_id", sort=True):
        for family, fam_rows in rows.groupby("family", sort=True):
            if len(fam_rows) < 2:
                continue
            amounts = pd.to_numeric(fam_rows["amount"], errors="coerce").fillna(0.0)
            extra = float(amounts.sum() - amounts.max())
            households = sorted(fam_rows["household_id"].astype(str).unique())
            where = f"在{len(households)}个家庭（{'、'.join(households)}）" if len(households) > 1 else "在同一家庭"
            summary = (
                f"该人员{period_zh(ctx.dataset.period)}{where}被重复发放{program_zh(fam_rows['program'].iloc[0])}"
                f" {len(fam_rows)} 次，共 {yuan(amounts.sum())}"
            )
            out.append(
                _person_finding(
                    ctx,
                    code,
                    fam_rows.assign(person_id=person_id),
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
    for person_id, rows in roll.groupby("person_id", sort=True):
        dibao = rows[rows["program"].isin(DIBAO)]
        tekun = rows[rows["program"] == "tekun"]
        if dibao.empty or tekun.empty:
            continue
        summary = (
            f"该人员{period_zh(ctx.dataset.period)}同时领取{program_zh(dibao['program'].iloc[0])}"
            f" {yuan(amount_of(dibao))}和特困供养 {yuan(amount_of(tekun))}"
        )
        out.append(
            _person_finding(
                ctx,
                code,
                rows.assign(person_id=person_id),
                summary,
                {"dibao_amount": amount_of(dibao), "tekun_amount": amount_of(tekun)},
                amount_of(dibao),
            )
        )
    return out


def amount_mismatch(ctx: RuleContext, table: pd.DataFrame) -> list[dict[str, Any]]:
    """A payment above the program's monthly standard for that person; the excess is the overpayment."""
    code = "AMOUNT_MISMATCH"
    roll = _linked(roll_for(ctx, code), ctx, code)
    if roll.empty:
        return []
    roll = roll.assign(age=ages_on(births(roll), ctx.period_start))
    std = []
    for program, age, region in zip(roll["program"], roll["age"], roll["region_code"], strict=True):
        s = standard_for(table, str(program), age, urban=is_urban(region) if not missing(region) else None)
        std.append(float(s["monthly_amount"]) if s is not None else float("nan"))
    roll = roll.assign(standard=std, amount_num=pd.to_numeric(roll["amount"], errors="coerce"))
    over = roll[roll["standard"].notna() & (roll["amount_num"] > roll["standard"] + 0.005)]
    out = []
    for person_id, rows in over.groupby("person_id", sort=True):
        excess = float((rows["amount_num"] - rows["standard"]).sum())
        parts = "；".join(
            f"{program_zh(r['program'])}发放 {yuan(r['amount_num'])}，月标准 {yuan(r['standard'])}"
            for _, r in rows.iterrows()
        )
        summary = f"{period_zh(ctx.dataset.period)}该人员{parts}，超出 {yuan(excess)}"
        out.append(
            _person_finding(
                ctx,
                code,
                rows.assign(person_id=person_id),
                summary,
                {"standards": rows["standard"].tolist(), "amounts": rows["amount_num"].tolist(), "excess": excess},
                excess,
            )
        )
    return out


def _account(value: object) -> str:
    return "" if missing(value) else "".join(str(value).split())


def shared_account(ctx: RuleContext) -> list[dict[str, Any]]:
    """One bank account paid for people of two or more hukous; one family's several programs is normal.

    A person the registry does not know counts in their roll household's family.
    """
    code = "SHARED_ACCOUNT"
    rules = ctx.policy.rules
    roll = roll_for(ctx, code)
    roll = roll.assign(account=roll["bank_account"].map(_account))
    roll = roll[roll["account"] != ""]
    m = ctx.matches("roll", "household_registry", rules.min_link(code))
    hukou = ctx.frame("household_registry").set_index("_row")["hukou_id"]
    m = m.sort_values("probability", ascending=False).drop_duplicates("row_l")
    fam = m.set_index("row_l")["row_r"].map(hukou).astype(str)
    family = roll["_row"].map(fam)
    # someone the registry does not know belongs to their roll household's family, whatever its hukou
    known = pd.Series(family.to_numpy(), index=roll["household_id"].to_numpy()).dropna()
    household_family = known[~known.index.duplicated()]
    fallback = roll["household_id"].map(household_family).fillna("roll:" + roll["household_id"].astype(str))
    roll = roll.assign(family=family.where(family.notna(), fallback))
    families = roll.groupby("account")["family"].nunique()
    roll = roll[roll["account"].isin(families[families >= 2].index)]
    link_of = {int(r["row_l"]): Link.of(r) for _, r in m[m["row_l"].isin(roll["_row"])].iterrows()}
    totals = household_totals(roll_for(ctx, code))
    out = []
    for account_key, rows in roll.groupby("account", sort=True):
        account = str(account_key)
        if rows["family"].nunique() < 2:
            continue
        households = sorted(rows["household_id"].astype(str).unique())
        for household_id in households:
            own = rows[rows["household_id"] == household_id].sort_values("_row")
            others = rows[rows["household_id"] != household_id]
            monthly = float(totals.get(household_id, 0.0))
            records, links = [], []
            for _, r in rows.sort_values("_row").iterrows():
                lk = link_of.get(int(r["_row"]), Link(0.0, True, {}, "户籍中未关联到"))
                records.append(record(ctx, "roll", int(r["_row"]), [*ROLL_FIELDS, "bank_account"], own_link(r)))
                if int(r["_row"]) in link_of:
                    links.append(lk)
            names = "、".join(others["name"].astype(str).unique())
            summary = (
                f"该户收款账户（尾号{account[-4:]}）同时为{rows['family'].nunique()}个不同户籍的家庭收款"
                f"（另有：{names}），{period_zh(ctx.dataset.period)}该户领取 {yuan(monthly)}"
            )
            out.append(
                finding(
                    ctx,
                    code,
                    own.iloc[0].to_dict(),
                    summary_zh=summary,
                    program=",".join(sorted(own["program"].astype(str).unique())),
                    facts={"families": int(rows["family"].nunique()), "households": households, "payments": len(rows)},
                    records=records,
                    links=links,
                    monthly=monthly,
                )
            )
    return out
