"""Household means rules: public payroll, vehicles, property and businesses.

Each judges the roll household's members as the person index resolves them
(roll row -> person -> linked records in the asset source) and gives one
finding per household (subject `h:<household_id>`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from hecha.policy import RulesPolicy
from models.rules.amounts import missing, months_since, text
from models.rules.common import ROLL_FIELDS, earliest, own_link, programs_of, roll_for, rows_by, total
from models.rules.context import RuleContext
from models.rules.evidence import Link, date_zh, finding, period_zh, record


@dataclass(frozen=True)
class AssetRule:
    """What makes an asset record count against a household, as reviewable data."""

    code: str
    source: str
    fields: list[str]
    qualifies: Callable[[pd.DataFrame, RulesPolicy], pd.Series]  # asset rows -> bool
    describe: Callable[[dict[str, Any]], str]  # one asset row -> Chinese phrase
    date_column: str | None = None  # the asset's own date, for months overpaid


def _exempt_vehicle(vehicle_type: object, rules: RulesPolicy) -> bool:
    text = str(vehicle_type or "").strip()
    return text in rules.exempt_vehicle_types or any(k in text for k in rules.exempt_vehicle_keywords)


def _vehicle_qualifies(df: pd.DataFrame, rules: RulesPolicy) -> pd.Series:
    types = df["vehicle_type"]
    known = types.notna()
    exempt = {t: _exempt_vehicle(t, rules) for t in types[known].unique()}  # a handful of distinct types
    flags = np.zeros(len(df), dtype=bool)
    flags[known.to_numpy()] = types[known].map(exempt).to_numpy(dtype=bool)
    flags[~known.to_numpy()] = [_exempt_vehicle(t, rules) for t in types[~known]]  # blank types: as given
    return pd.Series(~flags, index=df.index)


def _business_qualifies(df: pd.DataFrame, rules: RulesPolicy) -> pd.Series:
    capital = pd.to_numeric(df["registered_capital"], errors="coerce")
    return df["status"].isin(rules.business_active_statuses) & (capital >= rules.business_min_capital_wan)


def _property_qualifies(df: pd.DataFrame, rules: RulesPolicy) -> pd.Series:
    """Every property counts as a candidate; the household test (homes > max) is in `_property_excess`."""
    types = rules.non_residential_property_types + rules.residential_property_types
    return df["property_type"].isin(types)


def _number(value: object) -> str:
    return "" if missing(value) else f"{float(value):g}"  # type: ignore[arg-type]


ASSET_RULES = {
    r.code: r
    for r in (
        AssetRule(
            "PUBLIC_PAYROLL",
            "payroll",
            ["employer", "monthly_salary"],
            lambda df, _: pd.Series(True, index=df.index),
            lambda r: f"在「{text(r.get('employer'), '单位不详')}」领取财政工资{_number(r.get('monthly_salary'))}元/月",
        ),
        AssetRule(
            "VEHICLE_OWNED",
            "vehicles",
            ["vehicle_type", "plate", "registered_date"],
            _vehicle_qualifies,
            lambda r: f"名下有{r.get('vehicle_type')}（{date_zh(r.get('registered_date'))}登记）",
            "registered_date",
        ),
        AssetRule(
            "PROPERTY_EXCESS",
            "real_estate",
            ["property_type", "area_m2", "location", "registered_date"],
            _property_qualifies,
            lambda r: (
                f"名下有{r.get('property_type')}用房{_number(r.get('area_m2'))}平方米（{text(r.get('location'), '坐落不详')}）"
            ),
            "registered_date",
        ),
        AssetRule(
            "BUSINESS_OWNED",
            "businesses",
            ["entity_name", "role", "registered_capital", "status"],
            _business_qualifies,
            lambda r: (
                f"为「{r.get('entity_name')}」{text(r.get('role'))}（注册资本{_number(r.get('registered_capital'))}万元，{r.get('status')}）"
            ),
        ),
    )
}


def _property_excess(held: pd.DataFrame, rules: RulesPolicy) -> pd.Series:
    """household_id -> any non-residential property, or more homes than allowed (`held`: household_id
    and the properties its members hold, one row each).

    A home registered to two members (same location and same area) counts once.
    """
    other = held["property_type"].isin(rules.non_residential_property_types).groupby(held["household_id"]).any()
    homes = held[held["property_type"].isin(rules.residential_property_types)]
    keys = homes["location"].fillna("").astype(str) + "|" + homes["area_m2"].astype(str)
    keys = keys.where(homes["location"].notna(), "row" + homes["_row"].astype(str))
    many = keys.groupby(homes["household_id"]).nunique().reindex(other.index, fill_value=0) > rules.max_homes
    return other | many


def asset_findings(ctx: RuleContext, code: str) -> list[dict[str, Any]]:
    rule = ASSET_RULES[code]
    rules = ctx.policy.rules
    roll = roll_for(ctx, code)
    assets = ctx.frame(rule.source)
    assets = assets[rule.qualifies(assets, rules).fillna(False).astype(bool)]
    m = ctx.matches("roll", rule.source, rules.min_link(code))
    m = m[m["row_l"].isin(roll["_row"]) & m["row_r"].isin(assets["_row"])]
    roll_by_row = roll.set_index("_row")
    m = m.assign(household_id=m["row_l"].map(roll_by_row["household_id"]))
    assets_by_row = assets.set_index("_row", drop=False)
    if code == "PROPERTY_EXCESS":
        held = m[["household_id", "row_r"]].dropna(subset=["household_id"]).drop_duplicates()
        held = held.join(assets_by_row[["property_type", "location", "area_m2", "_row"]], on="row_r")
        excess = _property_excess(held, rules)
        m = m[m["household_id"].isin(excess.index[excess.to_numpy()])]
    members = dict(rows_by(roll[roll["household_id"].isin(m["household_id"])].sort_values("_row"), "household_id"))
    held = assets_by_row.loc[m["row_r"].unique()]
    held_by_row = dict(zip(held["_row"].tolist(), held.to_dict("records"), strict=True))
    return [
        _household_finding(ctx, rule, _strongest(grp), held_by_row, members[household_id])
        for household_id, grp in rows_by(m, "household_id")
    ]


def _strongest(matches: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A household's matches, strongest first, one per asset record (as sort_values then drop_duplicates)."""
    order = pd.Series([mt["probability"] for mt in matches], dtype=float).sort_values(ascending=False).index
    seen: set[Any] = set()
    out = []
    for i in order:
        if matches[i]["row_r"] not in seen:
            seen.add(matches[i]["row_r"])
            out.append(matches[i])
    return out


def _household_finding(
    ctx: RuleContext,
    rule: AssetRule,
    grp: list[dict[str, Any]],
    held_by_row: dict[Any, dict[str, Any]],
    members: list[dict[str, Any]],
) -> dict[str, Any]:
    member_by_row = {r["_row"]: r for r in members}
    held = [held_by_row[mt["row_r"]] for mt in grp]
    monthly = total(r["amount"] for r in members)
    since = [earliest(r["enrolled_date"] for r in members)]
    if rule.date_column:
        since.append(earliest(h[rule.date_column] for h in held))
    known = [d for d in since if not missing(d)]
    months = months_since(max(known), ctx.period_start) if known else float("nan")
    phrases, records, links = [], [], []
    for mt, asset in zip(grp, held, strict=True):
        member = member_by_row[mt["row_l"]]
        link = Link.of(mt)
        phrases.append(f"{text(member['relation'], '成员')}{member['name']}{rule.describe(asset)}")
        records.append(record(ctx, "roll", int(mt["row_l"]), ROLL_FIELDS, own_link(member)))
        records.append(record(ctx, rule.source, int(mt["row_r"]), rule.fields, link))
        links.append(link)
    summary = f"该户{'；'.join(phrases)}，{period_zh(ctx.dataset.period)}仍领取救助共 {monthly:g} 元"
    return finding(
        ctx,
        rule.code,
        members[0],
        program=programs_of(members),
        summary_zh=summary,
        facts={
            "members_matched": len({mt["row_l"] for mt in grp}),
            "records_matched": len(held),
            "household_monthly_amount": monthly,
        },
        records=records,
        links=links,
        monthly=monthly,
        cumulative=monthly * months if not missing(months) else float("nan"),
        months=months,
    )
