"""Cadre kin (干部近亲属): CADRE_KIN_UNFILED."""

from __future__ import annotations

from typing import Any

import pandas as pd

from hecha.labels import program_zh
from models.rules.amounts import text
from models.rules.common import ROLL_FIELDS, own_link, roll_for, rows_by, total
from models.rules.context import RuleContext
from models.rules.evidence import Link, finding, period_zh, record, subject_number, yuan

CODE = "CADRE_KIN_UNFILED"


def _hukou_of(ctx: RuleContext, source: str, min_link: float) -> pd.DataFrame:
    """row_l of `source` -> hukou_id, registry relation, link: one row per hukou the person is listed in.

    A person still listed in a hukou they left (一人多户) is in both; the best link per hukou.
    """
    hukou, relation = ctx.column("household_registry", "hukou_id"), ctx.column("household_registry", "relation")
    m = ctx.matches(source, "household_registry", min_link)
    m = m.assign(_hukou=m["row_r"].map(hukou))
    m = m.sort_values(["probability", "row_r"], ascending=[False, True]).drop_duplicates(["row_l", "_hukou"])
    m = m.drop(columns="_hukou")
    return m.assign(hukou_id=m["row_r"].map(hukou), reg_relation=m["row_r"].map(relation))


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
    paid = roll[roll["_row"].isin(pairs["row_l"])].sort_values("_row")
    roll_by_row = dict(zip(paid["_row"].tolist(), paid.to_dict("records"), strict=True))
    out = []
    for person_id, grp in rows_by(pairs, "person_id"):
        c = sorted(grp, key=lambda p: (-p["probability"], -p["probability_cadre"], p["row_l"]))[0]
        mine = {p["row_l"] for p in grp}
        rows = sorted((roll_by_row[row] for row in mine if row in roll_by_row), key=lambda r: r["_row"])
        first = rows[0]
        cadre = ctx.row("cadres", int(c["cadre_row"])) or {}
        link_recip = Link.of(c)
        link_cadre = Link(
            float(c["probability_cadre"]),
            bool(c["fuzzy_cadre"]),
            c["agreement_cadre"] if isinstance(c["agreement_cadre"], dict) else {},
            text(c["evidence_zh_cadre"]),
        )
        monthly = total(r["amount"] for r in rows)
        programs = sorted({str(r["program"]) for r in rows})
        paid_zh = "、".join(program_zh(p) for p in programs)
        summary = (
            f"该人员与{text(cadre.get('position'), '村（社区）干部')}{cadre['name']}同一户籍（户内关系：{text(c['reg_relation'], '不详')}），"
            f"{period_zh(ctx.dataset.period)}领取{paid_zh} {yuan(monthly)}，未在干部近亲属备案中"
        )
        records = [record(ctx, "roll", int(r["_row"]), ROLL_FIELDS, own_link(r)) for r in rows]
        records += [
            record(ctx, "household_registry", int(c["row_r"]), ["hukou_id", "relation"], link_recip),
            record(ctx, "cadres", int(c["cadre_row"]), ["position", "region_code"]),
            record(ctx, "household_registry", int(c["row_r_cadre"]), ["hukou_id", "relation"], link_cadre),
        ]
        out.append(
            finding(
                ctx,
                CODE,
                first | {"id_number": subject_number(first), "person_id": person_id},
                program=",".join(programs),
                summary_zh=summary,
                facts={"hukou_relation": c["reg_relation"], "cadre_position": cadre.get("position"), "filed": False},
                records=records,
                links=[link_recip, link_cadre, *(own_link(r) for r in rows)],
                monthly=monthly,
            )
        )
    return out
