"""Eligibility of the paid person: age (高龄津贴, 孤儿) and disability certificate (残疾人两项补贴)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from hecha.labels import program_zh
from models.rules.amounts import age_on, ages_on, missing, months_since
from models.rules.common import (
    ROLL_FIELDS,
    birth_of,
    births,
    by_program,
    earliest,
    own_link,
    programs_of,
    rows_by,
    total,
)
from models.rules.context import RuleContext
from models.rules.evidence import Link, date_zh, finding, period_zh, record, subject_number, yuan
from models.rules.standards import min_age


def _subject(rows: list[dict[str, Any]], person_id: object) -> dict[Any, Any]:
    first = min(rows, key=lambda r: r["_row"])
    return first | {"id_number": subject_number(first), "person_id": person_id}


def _amount(rows: list[dict[str, Any]]) -> float:
    return total(r["amount"] for r in rows)


def _first_month_at(birth: pd.Timestamp, age: int) -> pd.Timestamp:
    """The first payment month in which the person is `age` on its first day."""
    birthday = birth + pd.DateOffset(years=age)
    return birthday if birthday.day == 1 else birthday + pd.offsets.MonthBegin(1)


def age_ineligible(ctx: RuleContext, table: pd.DataFrame) -> list[dict[str, Any]]:
    """Elderly allowance below the lowest tier's minimum age; orphan allowance at 18 or older.

    Ages are whole years on the first day of the period, from the birth date.
    """
    code = "AGE_INELIGIBLE"
    rules = ctx.policy.rules
    roll = ctx.roll()
    roll = roll[roll["program"].isin(["elderly_allowance", "orphan"]) & roll["person_id"].notna()]
    elderly_min = min_age(table)
    # a quick vectorised pass keeps only the people worth a closer look
    ages = ages_on(births(roll), ctx.period_start)
    young = (roll["program"] == "elderly_allowance") & (ages < (elderly_min if elderly_min is not None else -1))
    grown = (roll["program"] == "orphan") & (ages >= rules.orphan_max_age)
    roll = roll[roll["person_id"].isin(roll.loc[young | grown, "person_id"])]
    out = []
    for person_id, rows in rows_by(roll, "person_id"):
        birth = birth_of(min(rows, key=lambda r: r["_row"]))
        age = age_on(birth, ctx.period_start)
        if missing(age):
            continue
        bad = []
        for program, grp in by_program(rows):
            enrolled = earliest(r["enrolled_date"] for r in grp)
            if program == "elderly_allowance" and elderly_min is not None and age < elderly_min:
                bad.append((grp, f"未满{elderly_min}周岁却领取高龄津贴", months_since(enrolled, ctx.period_start)))
            if program == "orphan" and age >= rules.orphan_max_age and birth is not None:
                since = _first_month_at(birth, rules.orphan_max_age)
                if not missing(enrolled):
                    since = max(since, pd.Timestamp(enrolled))
                bad.append(
                    (grp, f"已满{rules.orphan_max_age}周岁仍领取孤儿基本生活费", months_since(since, ctx.period_start))
                )
        if not bad:
            continue
        paid = [r for g, _, _ in bad for r in g]
        links = [own_link(r) for r in paid]
        if min(lk.probability for lk in links) < rules.min_link(code):
            continue
        monthly = _amount(paid)
        cumulative = sum(_amount(g) * m for g, _, m in bad)
        months = max(m for _, _, m in bad)
        summary = (
            f"该人员{date_zh(birth)}出生，{period_zh(ctx.dataset.period)}时{int(age)}周岁，"
            + "；".join(w for _, w, _ in bad)
            + f"（{yuan(monthly)}）"
        )
        out.append(
            finding(
                ctx,
                code,
                _subject(paid, person_id),
                program=programs_of(paid),
                summary_zh=summary,
                facts={
                    "birth_date": birth,
                    "age": int(age),
                    "elderly_min_age": elderly_min,
                    "orphan_max_age": rules.orphan_max_age,
                },
                records=[record(ctx, "roll", int(r["_row"]), [*ROLL_FIELDS, "id_number"], own_link(r)) for r in paid],
                links=links,
                monthly=monthly,
                cumulative=cumulative,
                months=months,
            )
        )
    return out


def disability_ineligible(ctx: RuleContext) -> list[dict[str, Any]]:
    """Care subsidy (护理补贴) needs a level 1-2 certificate; living subsidy (生活补贴) needs any certificate."""
    code = "DISABILITY_INELIGIBLE"
    rules = ctx.policy.rules
    roll = ctx.roll()
    roll = roll[roll["program"].isin(["disability_care", "disability_living"]) & roll["person_id"].notna()]
    certs = ctx.frame("disability_registry").set_index("_row")
    m = ctx.matches("roll", "disability_registry", rules.min_link(code))
    m = m[m["row_l"].isin(roll["_row"])]
    m = m.assign(level=m["row_r"].map(certs["disability_level"]))
    m = m[pd.to_numeric(m["level"], errors="coerce").fillna(0) > 0]
    severe = set(m.loc[m["level"].isin(rules.care_levels), "row_l"])
    certified = set(m["row_l"])
    suspect = ((roll["program"] == "disability_care") & ~roll["_row"].isin(severe)) | (
        (roll["program"] == "disability_living") & ~roll["_row"].isin(certified)
    )
    roll = roll[roll["person_id"].isin(roll.loc[suspect, "person_id"])]
    m = m[m["row_l"].isin(roll["_row"])]
    m = m.assign(holder=m["row_l"].map(roll.set_index("_row")["person_id"]))
    certs_of = dict(rows_by(m, "holder"))  # person -> certificate matches of their roll rows, in match order
    out = []
    for person_id, rows in rows_by(roll, "person_id"):
        # most severe certificate first (lowest level), the strongest link among equals
        mine = sorted(certs_of.get(person_id, []), key=lambda mt: (mt["level"], -mt["probability"]))
        level = int(mine[0]["level"]) if mine else 0
        bad = [r for r in rows if r["program"] == "disability_care" and level not in rules.care_levels]
        if level == 0:
            bad += [r for r in rows if r["program"] == "disability_living"]
        if not bad:
            continue
        links = [own_link(r) for r in bad]
        records = [record(ctx, "roll", int(r["_row"]), ROLL_FIELDS, own_link(r)) for r in bad]
        if not mine:
            held = "未查到该人员的残疾人证"
        else:
            best = mine[0]
            links.append(Link.of(best))
            records.append(
                record(
                    ctx,
                    "disability_registry",
                    int(best["row_r"]),
                    ["disability_type", "disability_level", "issued_date"],
                    Link.of(best),
                )
            )
            held = f"该人员残疾人证为{level}级"
        if min(lk.probability for lk in links) < rules.min_link(code):
            continue
        monthly = _amount(bad)
        paid = "、".join(f"{program_zh(p)} {yuan(_amount(g))}" for p, g in by_program(bad))
        summary = f"{held}，{period_zh(ctx.dataset.period)}却领取{paid}"
        months = months_since(earliest(r["enrolled_date"] for r in bad), ctx.period_start)
        out.append(
            finding(
                ctx,
                code,
                _subject(bad, person_id),
                program=programs_of(bad),
                summary_zh=summary,
                facts={"certificate_level": level, "care_levels": rules.care_levels},
                records=records,
                links=links,
                monthly=monthly,
                cumulative=monthly * months if not missing(months) else float("nan"),
                months=months,
            )
        )
    return out
