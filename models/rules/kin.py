"""Cadre kin (干部近亲属): CADRE_KIN_UNFILED."""

from __future__ import annotations

from typing import Any

import pandas as pd

from hecha.labels import program_zh
from models.rules.amounts import text
from models.rules.common import ROLL_FIELDS, own_link, roll_for
from models.rules.context import RuleContext
from models.rules.evidence import Link, finding, period_zh, record, subject_number, yuan

CODE = "CADRE_KIN_UNFILED"


def _hukou_of(ctx: RuleContext, source: str, min_link: float) -> pd.DataFrame:
    """row_l of `source` -> hukou_id, registry relation, link: one row per hukou the person is listed in.

    A person still listed in a hukou they left (一人多户) is in both; the best link per hukou.
    """
    reg = ctx.frame("household_registry").set_index("_row")
    m = ctx.matches(source, "household_registry", min_link)
    m = m.assign(_hukou=m["row_r"].map(reg["hukou_id"]))
    m = m.sort_values(["probability", "row_r"], ascending=[False, True]).drop_duplicates(["row_l", "_hukou"])
    m = m.drop(columns="_hukou")
    return m.assign(hukou_id=m["row_r"].map(reg["hukou_id"]), reg_relation=m["row_r"].map(reg["relation"]))


def cadre_kin_unfiled(ctx: RuleContext) -> list[dict[str, Any]]:
    """A dibao/tekun recipient in a village cadre's hukou who is not on the kin filings.

    Filed kin are reviewed, not removed, so only the unfiled are flagged.
    """
    rules = ctx.policy.rules
    min_link = rules.min_link(CODE)
    roll = roll_for(ctx, CODE)
    recip = _hukou_of(ctx, "roll", min_link)
    recip = recip[recip["row_l"].isin(roll["_row"])]
    if rules.kin_relations:
        recip = recip[recip["reg_relation"].isin(rules.kin_relations)]
    cadres = _hukou_of(ctx, "cadres", min_link).rename(columns={"row_l": "cadre_row", "person_id": "cadre_person"})
    pairs = recip.merge(
        cadres[["cadre_row", "cadre_person", "hukou_id", "row_r", "probability", "fuzzy", "agreement", "evidence_zh"]],
        on="hukou_id",
        suffixes=("", "_cadre"),
    )
    pairs = pairs[pairs["person_id"] != pairs["cadre_person"]]
    filed_m = ctx.matches("roll", "cadre_kin_filings", min_link)
    filed = set(filed_m["row_l"].astype(int))
    pairs = pairs[~pairs["row_l"].isin(filed)]
    cadre_frame = ctx.frame("cadres").set_index("_row")
    roll_by_row = roll.set_index("_row")
    out = []
    for person_id, grp in pairs.groupby("person_id", sort=True):
        grp = grp.sort_values(["probability", "probability_cadre", "row_l"], ascending=[False, False, True])
        rows = roll[roll["_row"].isin(grp["row_l"])].sort_values("_row")
        first = rows.iloc[0]
        c = grp.iloc[0]
        cadre = cadre_frame.loc[c["cadre_row"]]
        link_recip = Link.of(c)
        link_cadre = Link(
            float(c["probability_cadre"]),
            bool(c["fuzzy_cadre"]),
            c["agreement_cadre"] if isinstance(c["agreement_cadre"], dict) else {},
            text(c["evidence_zh_cadre"]),
        )
        monthly = float(pd.to_numeric(rows["amount"], errors="coerce").fillna(0).sum())
        paid = "、".join(program_zh(p) for p in sorted(rows["program"].astype(str).unique()))
        summary = (
            f"该人员与{text(cadre.get('position'), '村（社区）干部')}{cadre['name']}同一户籍（户内关系：{text(c['reg_relation'], '不详')}），"
            f"{period_zh(ctx.dataset.period)}领取{paid} {yuan(monthly)}，未在干部近亲属备案中"
        )
        records = [
            record(ctx, "roll", int(r["_row"]), ROLL_FIELDS, own_link(roll_by_row.loc[r["_row"]]))
            for _, r in rows.iterrows()
        ]
        records += [
            record(ctx, "household_registry", int(c["row_r"]), ["hukou_id", "relation"], link_recip),
            record(ctx, "cadres", int(c["cadre_row"]), ["position", "region_code"]),
            record(ctx, "household_registry", int(c["row_r_cadre"]), ["hukou_id", "relation"], link_cadre),
        ]
        out.append(
            finding(
                ctx,
                CODE,
                first.to_dict() | {"id_number": subject_number(first), "person_id": person_id},
                program=",".join(sorted(rows["program"].astype(str).unique())),
                summary_zh=summary,
                facts={"hukou_relation": c["reg_relation"], "cadre_position": cadre.get("position"), "filed": False},
                records=records,
                links=[link_recip, link_cadre, *(own_link(r) for _, r in rows.iterrows())],
                monthly=monthly,
            )
        )
    return out
