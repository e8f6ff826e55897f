"""Cadre kin (干部近亲属): CADRE_KIN_UNFILED, and the people around a finding for conflict-of-interest routing."""

from __future__ import annotations

from typing import Any

import pandas as pd

from hecha.dataset import Dataset
from hecha.findings import HOUSEHOLD_LEVEL
from hecha.index import PersonIndex
from hecha.labels import program_zh
from hecha.policy import Policy
from models.rules.amounts import text
from models.rules.common import ROLL_FIELDS, own_link, roll_for, rows_by, total
from models.rules.context import RuleContext
from models.rules.evidence import Link, finding, period_zh, record, subject_number, yuan

CODE = "CADRE_KIN_UNFILED"
RELATED_COLUMNS = ["subject_key", "id_number", "relation"]


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


def _groups(keys: pd.Series, values: pd.Series) -> dict[str, list[str]]:
    """key -> list of values (both as text), missing keys and values dropped."""
    df = pd.DataFrame({"k": keys.to_numpy(), "v": values.to_numpy()}).dropna()
    return {str(k): [str(v) for v in g] for k, g in df.groupby("k")["v"]}


def related_people(
    dataset: Dataset, index: PersonIndex, findings: pd.DataFrame, policy: Policy | None = None
) -> pd.DataFrame:
    """Who an inspector must not be related to, per finding subject.

    The subject household's members (roll household, or poverty-registry household
    for MISSED_DIBAO), everyone in their hukous (户籍同户), and kin filed with them
    (备案干部: a filed kin's cadre; 备案亲属: a cadre's filed kin).
    """
    ctx = RuleContext(dataset, index, policy or Policy())
    rec = index.records
    best = rec.sort_values("link_probability", ascending=False)
    resolved = best["id_resolved"].where(best["id_resolved"].fillna("") != "", best["id_number"]).fillna("")
    number_of = pd.Series(resolved.to_numpy(), index=best["person_id"].to_numpy())
    number_of = number_of[~number_of.index.duplicated()]
    roll = ctx.frame("roll")
    roll_person = roll["_row"].map(ctx.person_of("roll"))
    roll_households = _groups(roll_person, roll["household_id"])
    household_people = _groups(roll["household_id"], roll_person)
    poverty_people: dict[str, list[str]] = {}
    if ctx.has("poverty_registry"):
        pov = ctx.frame("poverty_registry")
        poverty_people = _groups(pov["household_id"], pov["_row"].map(ctx.person_of("poverty_registry")))
    reg = ctx.frame("household_registry")
    reg_person = reg["_row"].map(ctx.person_of("household_registry"))
    person_hukous = _groups(reg_person, reg["hukou_id"])
    hukou_people = _groups(reg["hukou_id"], reg_person)
    filings = ctx.frame("cadre_kin_filings") if ctx.has("cadre_kin_filings") else None
    out: list[tuple[str, str, str]] = []
    for _, f in findings.drop_duplicates("subject_key").iterrows():
        key = str(f["subject_key"])
        members: dict[str, str] = {}  # person_id -> relation
        if f["finding"] in HOUSEHOLD_LEVEL:
            source = poverty_people if f["finding"] == "MISSED_DIBAO" else household_people
            for pid in source.get(str(f["household_id"]), []):
                members.setdefault(pid, "家庭成员")
        else:
            pid = str(f["person_id"])
            members[pid] = "本人"
            for household in roll_households.get(pid, []):
                for other in household_people.get(household, []):
                    members.setdefault(other, "家庭成员")
        for pid in list(members):
            for hukou in person_hukous.get(pid, []):
                for other in hukou_people.get(hukou, []):
                    members.setdefault(other, "户籍同户")
        numbers: dict[str, str] = {}
        for pid, relation in members.items():
            number = str(number_of.get(pid, ""))
            if number:
                numbers.setdefault(number, relation)
        if filings is not None:
            cadres = filings[filings["kin_id_number"].isin(list(numbers))]["cadre_id_number"].dropna()
            kin = filings[filings["cadre_id_number"].isin(list(numbers))]["kin_id_number"].dropna()
            for n in cadres:
                numbers.setdefault(str(n), "备案干部")
            for n in kin:
                numbers.setdefault(str(n), "备案亲属")
        out += [(key, n, r) for n, r in numbers.items()]
    df = pd.DataFrame(out, columns=RELATED_COLUMNS)
    return df[df["id_number"] != ""].reset_index(drop=True)
