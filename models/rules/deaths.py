"""DECEASED_PAID: a paid person died before the first day of the period (死亡人员仍在领取)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from hecha.labels import program_zh
from models.rules.amounts import months_after, text
from models.rules.common import (
    ROLL_FIELDS,
    births,
    births_in,
    by_program,
    own_link,
    programs_of,
    roll_for,
    rows_by,
    total,
)
from models.rules.context import RuleContext
from models.rules.evidence import Link, date_zh, finding, period_zh, record, subject_number, yuan

CODE = "DECEASED_PAID"
DEATH_FIELDS = ["death_date", "source", "birth_date", "age", "region_code"]


def death_matches(ctx: RuleContext, source: str, people: pd.DataFrame, min_link: float) -> pd.DataFrame:
    """Links from `people` (rows of `source`) to deaths, with `death_date`.

    A death record that gives only an age (火化 without number or birth date) is
    believed only when that age fits the person's own birth date: the linkage
    allows a year either way, which lets a same-name neighbour one year older through.
    """
    deaths = ctx.frame("deaths").set_index("_row")
    m = ctx.matches(source, "deaths", min_link)
    m = m[m["row_l"].isin(people["_row"])]
    m = m.assign(death_date=m["row_r"].map(deaths["death_date"]))
    m = m[m["death_date"].notna()]
    no_id = ~m["row_r"].map(deaths["id_number_status"]).isin(["valid", "upgraded"])
    age_only = no_id & m["row_r"].map(deaths["birth_date"]).isna() & m["row_r"].map(deaths["age"]).notna()
    if age_only.any():
        born = people.iloc[pd.Index(people["_row"]).get_indexer(m.loc[age_only, "row_l"])]
        true_age = ages_at(pd.Series(births(born).to_numpy()), pd.Series(m.loc[age_only, "death_date"].to_numpy()))
        recorded = m.loc[age_only, "row_r"].map(deaths["age"]).astype(float).to_numpy()
        offsets = recorded - true_age.to_numpy()
        fits = pd.Series(offsets, index=m.index[age_only]).isin([float(o) for o in ctx.policy.rules.death_age_offsets])
        m = m[~age_only | fits.reindex(m.index, fill_value=True)]
        age_only = age_only.reindex(m.index)
        m = m[~age_only | _identifying(ctx, m[age_only])]
    return m.reset_index(drop=True)


def _registry_people(ctx: RuleContext) -> pd.DataFrame:
    """Named registry rows with their person, normalised name, birth date and address (once per run)."""

    def make() -> pd.DataFrame:
        reg = ctx.with_person("household_registry")
        address = reg["address"] if "address" in reg else pd.Series(None, index=reg.index, dtype=object)
        people = pd.DataFrame(
            {
                "name_norm": reg["_row"].map(ctx.records("household_registry")["name_norm"]),
                "born": births_in(ctx, "household_registry", reg),
                "person_id": reg["person_id"],
                "address": address,
                "order": range(len(reg)),
            }
        )
        return people.dropna(subset=["name_norm"])

    return ctx.memo("registry_people", make)


def _identifying(ctx: RuleContext, m: pd.DataFrame) -> pd.Series:
    """Whether each age-only death link points at one registered person and not another.

    Registered people with the death record's name and exact age at death are
    its candidates. The one living at the death record's address wins; without
    such a tie-break, two or more candidates mean the record identifies nobody
    (the contract: two people who share a name must not be linked).
    """
    if m.empty:
        return pd.Series(dtype=bool)
    deaths = ctx.frame("deaths").set_index("_row")
    address = deaths["address"] if "address" in deaths else pd.Series(None, index=deaths.index, dtype=object)
    links = pd.DataFrame(
        {
            "link": range(len(m)),
            "link_person": m["person_id"].to_numpy(),
            "death_date": m["death_date"].to_numpy(),
            "name_norm": m["row_r"].map(ctx.records("deaths")["name_norm"]).to_numpy(),
            "death_age": m["row_r"].map(deaths["age"]).astype(float).to_numpy(),
            "death_address": m["row_r"].map(address).map(text).to_numpy(),
        }
    )
    links = links[links["name_norm"].notna()]
    cands = links.merge(_registry_people(ctx), on="name_norm")
    ages = ages_at(cands["born"], cands["death_date"])
    cands = cands[(cands["death_age"] - ages).isin([float(o) for o in ctx.policy.rules.death_age_offsets])]
    cands = cands.sort_values(["link", "order"], kind="stable")
    same = (cands["person_id"] == cands["link_person"]).fillna(False).astype(bool)
    here = (cands["death_address"] != "") & (cands["address"].map(text) == cands["death_address"])
    at_address = cands[here].assign(same=same[here])
    # one candidate person at the death's address: it must be the linked one; else every candidate must be
    one_there = at_address.groupby("link")["person_id"].nunique() == 1
    first_there = at_address.drop_duplicates("link").set_index("link")["same"]
    all_same = same.groupby(cands["link"]).all()
    ok = pd.Series(True, index=range(len(m)))
    ok[all_same.index] = all_same
    decided = one_there.index[one_there.to_numpy()]
    ok[decided] = first_there[decided]
    return pd.Series(ok.to_numpy(), index=m.index, dtype=bool)


def possibly_dead(ctx: RuleContext, source: str, people: pd.DataFrame) -> set[int]:
    """Rows of `people` matching, by name and exact age (or birth date), a death record without a number.

    Used only to hold back missed-entitlement findings: a 火化 record giving a
    name and an age may well be this person even when linkage placed it elsewhere
    or nowhere; telling a bereaved family they were missed is worse than waiting.
    """
    if not ctx.has("deaths") or people.empty:
        return set()
    deaths = ctx.frame("deaths")
    loose = deaths[
        ~deaths["id_number_status"].isin(["valid", "upgraded"])
        & deaths["death_date"].notna()
        & (deaths["death_date"] <= ctx.period_end)
    ]
    if loose.empty:
        return set()
    loose = loose.assign(name_norm=loose["_row"].map(ctx.records("deaths")["name_norm"]))
    mine = pd.DataFrame(
        {
            "_row": people["_row"],
            "name_norm": people["_row"].map(ctx.records(source)["name_norm"]),
            "born": births_in(ctx, source, people),
        }
    )
    m = mine.merge(loose[["name_norm", "death_date", "age", "birth_date"]], on="name_norm")
    if m.empty:
        return set()
    same_birth = m["birth_date"].notna() & (m["birth_date"] == m["born"])
    true_age = ages_at(m["born"], m["death_date"])
    offsets = m["age"].astype(float) - true_age
    age_fits = m["birth_date"].isna() & offsets.isin([float(o) for o in ctx.policy.rules.death_age_offsets])
    return set(m.loc[same_birth | age_fits, "_row"].astype(int))


def ages_at(births_: pd.Series, days: pd.Series) -> pd.Series:
    """Whole years between paired birth dates and dates (NaN where unknown)."""
    b, d = pd.to_datetime(births_, errors="coerce"), pd.to_datetime(days, errors="coerce")
    before = (b.dt.month > d.dt.month) | ((b.dt.month == d.dt.month) & (b.dt.day > d.dt.day))
    return (d.dt.year - b.dt.year - before.astype(float)).astype(float)


def deceased_paid(ctx: RuleContext) -> list[dict[str, Any]]:
    """One finding per paid person linked to a death dated before the period began.

    A death inside the period is not flagged: that month's payment was due.
    """
    roll = roll_for(ctx, CODE)
    m = death_matches(ctx, "roll", roll, ctx.policy.rules.min_link(CODE))
    m = m[m["death_date"] < ctx.period_start]
    paid = roll[roll["_row"].isin(m["row_l"])].sort_values("_row")
    roll_by_row = dict(zip(paid["_row"].tolist(), paid.to_dict("records"), strict=True))
    out = []
    for person_id, grp in rows_by(m, "person_id"):
        mine = {mt["row_l"] for mt in grp}
        rows = sorted((roll_by_row[row] for row in mine if row in roll_by_row), key=lambda r: r["_row"])
        best = sorted(grp, key=lambda mt: (-mt["probability"], mt["death_date"]))[0]
        subject = rows[0] | {"id_number": subject_number(rows[0]), "person_id": person_id}
        monthly = total(r["amount"] for r in rows)
        months = months_after(best["death_date"], ctx.period_start)
        death_source = (ctx.row("deaths", int(best["row_r"])) or {}).get("source")
        programs = programs_of(rows)
        paid_zh = "、".join(f"{program_zh(p)} {yuan(total(r['amount'] for r in g))}" for p, g in by_program(rows))
        how = f"（{death_source}记录）" if isinstance(death_source, str) and death_source else ""
        summary = f"该人员已于{date_zh(best['death_date'])}死亡{how}，{period_zh(ctx.dataset.period)}仍领取{paid_zh}"
        link = Link.of(best)
        records = [record(ctx, "roll", int(r["_row"]), ROLL_FIELDS, own_link(r)) for r in rows]
        records.append(record(ctx, "deaths", int(best["row_r"]), DEATH_FIELDS, link))
        out.append(
            finding(
                ctx,
                CODE,
                subject,
                program=programs,
                summary_zh=summary,
                facts={
                    "death_date": best["death_date"],
                    "death_source": death_source,
                    "months_paid_after_death": months,
                    "monthly_amount": monthly,
                },
                records=records,
                links=[link, *(own_link(r) for r in rows)],
                monthly=monthly,
                cumulative=monthly * months,
                months=months,
            )
        )
    return out
