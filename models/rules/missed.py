"""Missed entitlements (漏保), found from the registries rather than the roll."""

from __future__ import annotations

from typing import Any

import pandas as pd

from models.rules.amounts import ages_on, text
from models.rules.common import births, births_in, is_urban, rows_by
from models.rules.context import RuleContext
from models.rules.deaths import death_matches, possibly_dead
from models.rules.evidence import Link, finding, period_zh, record, subject_number, yuan
from models.rules.standards import min_age, standard_for

POVERTY_FIELDS = [
    "household_id",
    "relation",
    "status",
    "labor_capacity",
    "disability_level",
    "serious_illness",
    "per_capita_income",
    "region_code",
]


def _rows_paid(ctx: RuleContext, source: str, programs: list[str], min_link: float) -> set[int]:
    """Rows of a registry linked to someone paid in one of `programs` this period."""
    roll = ctx.roll()
    paid = roll[roll["program"].isin(programs)]
    m = ctx.linked_rows(source, "roll", min_link)
    return set(m.loc[m["row_r"].isin(paid["_row"]), "row_l"].astype(int))


def _rows_dead(ctx: RuleContext, source: str, people: pd.DataFrame, min_link: float) -> set[int]:
    """Rows linked to a death on or before the period's last day."""
    if not ctx.has("deaths"):
        return set()
    m = death_matches(ctx, source, people, min_link)
    dead = set(m.loc[m["death_date"] <= ctx.period_end, "row_l"].astype(int))
    if ctx.policy.rules.missed_hold_possible_deaths:
        dead |= possibly_dead(ctx, source, people)
    return dead


def _under_standard(reg: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """household_id -> program, yearly standard and income, for households whose income is under it.

    A household's area is its first member's (by row) with a region code, rural when none
    has one; its income is the first member's figure that is a number.
    """
    members = reg.sort_values("_row", kind="stable")
    households = pd.Index(members["household_id"].unique(), name="household_id")
    first = members.dropna(subset=["region_code"]).drop_duplicates("household_id")
    region = first.set_index("household_id")["region_code"]
    codes = region.unique()
    urban = region.map(dict(zip(codes, map(is_urban, codes), strict=True)))
    program = pd.Series("dibao_rural", index=households, dtype=object)
    program[urban.index[urban.astype(bool).to_numpy()]] = "dibao_urban"
    monthly = {p: standard_for(table, p) for p in ("dibao_urban", "dibao_rural")}
    yearly = program.map(
        {p: float(std["monthly_amount"]) * 12 if std is not None else float("nan") for p, std in monthly.items()}
    )
    incomes = members.assign(_income=pd.to_numeric(members["per_capita_income"], errors="coerce"))
    income = incomes.dropna(subset=["_income"]).drop_duplicates("household_id").set_index("household_id")["_income"]
    out = pd.DataFrame({"program": program, "yearly": yearly, "income": income.reindex(households)})
    return out[out["yearly"].notna() & out["income"].notna() & (out["income"] < out["yearly"])]


def missed_dibao(ctx: RuleContext, table: pd.DataFrame) -> list[dict[str, Any]]:
    """A poverty-registry household with a qualifying member, income under the standard, and nobody on dibao/tekun."""
    code = "MISSED_DIBAO"
    rules = ctx.policy.rules
    reg = ctx.with_person("poverty_registry")
    reg = reg.assign(age=ages_on(births(reg), ctx.period_start))
    answers = reg["serious_illness"].fillna("")
    distinct = answers.unique()  # 是/否/blank: clean each distinct answer once
    illness = answers.map(dict(zip(distinct, [str(a).strip().upper() for a in distinct], strict=True)))
    level = pd.to_numeric(reg["disability_level"], errors="coerce").fillna(0)
    reg = reg.assign(
        no_labor=(reg["age"] >= rules.missed_dibao_min_age) & reg["labor_capacity"].isin(rules.missed_dibao_labor),
        severe=level.isin(rules.care_levels),
        level_number=level,
        ill=illness.isin([v.upper() for v in rules.serious_illness_yes]),
    )
    paid = _rows_paid(ctx, "poverty_registry", ["dibao_urban", "dibao_rural", "tekun"], rules.min_link(code))
    qualifies = reg.loc[reg["no_labor"] | reg["severe"] | reg["ill"], "household_id"]
    covered = reg.loc[reg["_row"].isin(paid), "household_id"]
    reg = reg[reg["household_id"].isin(qualifies) & ~reg["household_id"].isin(covered) & reg["household_id"].notna()]
    judged = _under_standard(reg, table)
    reg = reg[reg["household_id"].isin(judged.index)].sort_values("_row")
    out = []
    for household_id, members in rows_by(reg, "household_id"):
        qualifying = [r for r in members if r["no_labor"] or r["severe"] or r["ill"]]
        judgement = judged.loc[household_id]
        program, yearly, income = str(judgement["program"]), float(judgement["yearly"]), float(judgement["income"])
        reasons = []
        for q in qualifying:
            why = [
                w
                for w, flag in (
                    ("丧失劳动能力", q["no_labor"]),
                    (f"{int(q['level_number'])}级残疾", q["severe"]),
                    ("患大病", q["ill"]),
                )
                if flag
            ]
            reasons.append(f"{text(q['relation'], '成员')}{q['name']}{'、'.join(why)}")
        summary = (
            f"该户{'；'.join(reasons)}，人均纯收入 {yuan(income)}/年，低于{period_zh(ctx.dataset.period)}"
            f"{'城市' if program == 'dibao_urban' else '农村'}低保标准 {yuan(yearly)}/年，但无人享受低保或特困供养"
        )
        head = members[0]
        out.append(
            finding(
                ctx,
                code,
                head,
                program=program,
                summary_zh=summary,
                facts={
                    "per_capita_income_year": float(income),
                    "standard_year": yearly,
                    "qualifying_members": len(qualifying),
                    "members": len(members),
                },
                records=[record(ctx, "poverty_registry", int(r["_row"]), POVERTY_FIELDS) for r in members],
                links=[],
                monthly=0.0,
            )
        )
    return out


def missed_disability_care(ctx: RuleContext) -> list[dict[str, Any]]:
    """A living holder of a level 1-2 certificate who gets no care subsidy (护理补贴)."""
    code = "MISSED_DISABILITY_CARE"
    rules = ctx.policy.rules
    reg = ctx.with_person("disability_registry")
    reg = reg[pd.to_numeric(reg["disability_level"], errors="coerce").isin(rules.care_levels)]
    paid = _rows_paid(ctx, "disability_registry", ["disability_care"], rules.min_link(code))
    dead = _rows_dead(ctx, "disability_registry", reg, rules.min_link(code))
    reg = reg[reg["person_id"].notna()]
    excluded = reg.loc[reg["_row"].isin(paid | dead), "person_id"]
    reg = reg[~reg["person_id"].isin(excluded)]
    # each person's most severe certificate (lowest level, then first row)
    best = reg.sort_values(["disability_level", "_row"]).drop_duplicates("person_id").sort_values("person_id")
    out = []
    for r in best.to_dict("records"):
        person_id = r["person_id"]
        kind = text(r["disability_type"]).removesuffix("残疾")  # 肢体残疾 → 肢体: "肢体残疾人证", not "残疾残疾"
        level = "一二三四"[int(r["disability_level"]) - 1] if 1 <= int(r["disability_level"]) <= 4 else ""
        summary = f"该人员持{level}级{kind}残疾人证，{period_zh(ctx.dataset.period)}未领取重度残疾人护理补贴"
        out.append(
            finding(
                ctx,
                code,
                r | {"id_number": subject_number(r), "person_id": person_id},
                program="disability_care",
                summary_zh=summary,
                facts={"disability_level": int(r["disability_level"]), "deaths_checked": ctx.has("deaths")},
                records=[
                    record(
                        ctx,
                        "disability_registry",
                        int(r["_row"]),
                        ["disability_type", "disability_level", "issued_date"],
                    )
                ],
                links=[Link()],
                monthly=0.0,
            )
        )
    return out


def missed_elderly_allowance(ctx: RuleContext, table: pd.DataFrame) -> list[dict[str, Any]]:
    """A living registered resident at or above the allowance's minimum age who gets no elderly allowance."""
    code = "MISSED_ELDERLY_ALLOWANCE"
    rules = ctx.policy.rules
    threshold = min_age(table)
    if threshold is None:
        return []
    reg = ctx.with_person("household_registry")
    regions = reg["region_code"]
    codes = regions.dropna().unique()  # one test per village code, not per resident
    county = dict(zip(codes, [str(c).startswith(ctx.dataset.county[:6]) for c in codes], strict=True))
    resident = regions.isna() | regions.map(county).fillna(False).astype(bool)
    age = ages_on(births_in(ctx, "household_registry", reg), ctx.period_start)
    old = (resident & (age >= threshold)).to_numpy()  # filter once: the registry is the county's largest frame
    reg = reg[old].assign(age=age[old])
    paid = _rows_paid(ctx, "household_registry", ["elderly_allowance"], rules.min_link(code))
    dead = _rows_dead(ctx, "household_registry", reg, rules.min_link(code))
    excluded = reg.loc[reg["_row"].isin(paid | dead), "person_id"]
    reg = reg[~reg["person_id"].isin(excluded)].sort_values("_row").drop_duplicates("person_id")
    out = []
    for r in reg.sort_values("person_id").to_dict("records"):
        person_id = r["person_id"]
        std = standard_for(table, "elderly_allowance", r["age"])
        due = f"（标准 {yuan(std['monthly_amount'])}/月）" if std is not None else ""
        summary = (
            f"该人员为本县户籍居民，{period_zh(ctx.dataset.period)}时{int(r['age'])}周岁，"
            f"已达高龄津贴年龄（{threshold}周岁），未领取高龄津贴{due}"
        )
        subject = r | {"id_number": subject_number(r), "person_id": person_id, "household_id": r["hukou_id"]}
        out.append(
            finding(
                ctx,
                code,
                subject,
                program="elderly_allowance",
                summary_zh=summary,
                facts={"age": int(r["age"]), "min_age": threshold, "deaths_checked": ctx.has("deaths")},
                records=[
                    record(
                        ctx, "household_registry", int(r["_row"]), ["hukou_id", "relation", "birth_date", "region_code"]
                    )
                ],
                links=[Link()],
                monthly=0.0,
            )
        )
    return out
