"""Enrolment rules over the roll itself: duplicates, dibao+tekun overlap, amounts above the standard."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from hecha.labels import program_zh
from models.rules.amounts import ages_on
from models.rules.common import (
    ROLL_FIELDS,
    births,
    by_key,
    is_urban,
    numbers,
    own_link,
    programs_of,
    roll_for,
    rows_by,
    total,
)
from models.rules.context import RuleContext
from models.rules.evidence import finding, period_zh, record, subject_number, yuan
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
