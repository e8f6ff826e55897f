"""The people around each finding, for conflict-of-interest routing: who its inspector must not be related to.

Built as joins over the person index (one pass for all findings), not a walk per finding: a
1M-person county has hundreds of thousands of hukous and thousands of findings.
"""

from __future__ import annotations

import pandas as pd

from hecha.dataset import Dataset
from hecha.findings import HOUSEHOLD_LEVEL
from hecha.index import PersonIndex
from hecha.policy import Policy
from models.rules.context import RuleContext

RELATED_COLUMNS = ["subject_key", "id_number", "relation"]
# A number reached more than one way keeps its closest relation, in this order.
RELATIONS = ("本人", "家庭成员", "户籍同户", "备案干部", "备案亲属")
_RANK = {relation: rank for rank, relation in enumerate(RELATIONS)}


def _pairs(left: pd.Series, right: pd.Series, names: tuple[str, str]) -> pd.DataFrame:
    """Two aligned columns as text, rows with either side missing dropped, no repeats."""
    df = pd.DataFrame({names[0]: left.to_numpy(), names[1]: right.to_numpy()}).dropna()
    return df.astype(str).drop_duplicates()


def _subjects(findings: pd.DataFrame) -> pd.DataFrame:
    """One row per subject: its key, the household it names and the person it names, as text."""
    subjects = findings.drop_duplicates("subject_key")
    return pd.DataFrame(
        {
            "subject_key": subjects["subject_key"].astype(str).to_numpy(),
            "finding": subjects["finding"].astype(str).to_numpy(),
            "household_id": subjects["household_id"].astype(str).to_numpy(),
            "person_id": subjects["person_id"].astype(str).to_numpy(),
            "order": range(len(subjects)),
        }
    )


def related_people(
    dataset: Dataset, index: PersonIndex, findings: pd.DataFrame, policy: Policy | None = None
) -> pd.DataFrame:
    """Who an inspector must not be related to, per finding subject.

    The subject household's members (roll household, or poverty-registry household for
    MISSED_DIBAO), everyone in their hukous (户籍同户), and kin filed with them (备案干部: a
    filed kin's cadre; 备案亲属: a cadre's filed kin). Rows in finding order, then by relation.
    """
    if findings.empty:
        return pd.DataFrame(columns=RELATED_COLUMNS)
    ctx = RuleContext(dataset, index, policy or Policy())
    roll = ctx.frame("roll")
    roll_members = _pairs(roll["household_id"], roll["_row"].map(ctx.person_of("roll")), ("household_id", "member"))
    if ctx.has("poverty_registry"):
        pov = ctx.frame("poverty_registry")
        pov_members = _pairs(
            pov["household_id"], pov["_row"].map(ctx.person_of("poverty_registry")), ("household_id", "member")
        )
    else:
        pov_members = pd.DataFrame(columns=["household_id", "member"], dtype=str)
    subjects = _subjects(findings)
    household_level = subjects["finding"].isin(list(HOUSEHOLD_LEVEL))
    cols = ["subject_key", "order", "member", "relation"]
    by_poverty = subjects[household_level & (subjects["finding"] == "MISSED_DIBAO")]
    by_roll = subjects[household_level & (subjects["finding"] != "MISSED_DIBAO")]
    person = subjects[~household_level]
    own = person.assign(member=person["person_id"], relation="本人")[cols]
    own_households = own.merge(
        roll_members.rename(columns={"member": "person_id"}), left_on="member", right_on="person_id"
    )
    family = pd.concat(
        [
            by_poverty.merge(pov_members, on="household_id"),
            by_roll.merge(roll_members, on="household_id"),
            own_households[["subject_key", "order", "household_id"]].merge(roll_members, on="household_id"),
        ]
    ).assign(relation="家庭成员")[cols]
    members = pd.concat([own, family])
    hukou_members = _hukou_members(index, ctx.frame("household_registry"), members["member"])
    same_hukou = (
        members[["subject_key", "order", "member"]]
        .merge(hukou_members.rename(columns={"member": "person"}), left_on="member", right_on="person")
        .drop(columns="member")
        .merge(hukou_members, on="hukou_id")
        .assign(relation="户籍同户")[cols]
    )
    people = pd.concat([members, same_hukou])
    people = people.assign(id_number=people["member"].map(_person_numbers(index, people["member"])).fillna(""))
    people = people[people["id_number"] != ""][["subject_key", "order", "id_number", "relation"]]
    if ctx.has("cadre_kin_filings"):
        people = pd.concat([people, _filed_kin(people, ctx.frame("cadre_kin_filings"))])
    return _closest(people)


def _person_numbers(index: PersonIndex, persons: pd.Series) -> pd.Series:
    """person_id -> the identity number of their best-linked record (resolved number first), for `persons`.

    Only the people around the findings: sorting every record of a 1M-person county by its
    link probability cost 1.6 s for a few thousand numbers.
    """
    records = index.records
    best = records[records["person_id"].astype(str).isin(persons.unique())]
    best = best.sort_values("link_probability", ascending=False, kind="stable")
    resolved = best["id_resolved"].where(best["id_resolved"].fillna("") != "", best["id_number"]).fillna("")
    number_of = pd.Series(resolved.astype(str).to_numpy(), index=best["person_id"].astype(str).to_numpy())
    return number_of[~number_of.index.duplicated()]


def _hukou_members(index: PersonIndex, reg: pd.DataFrame, persons: pd.Series) -> pd.DataFrame:
    """(hukou_id, member) of every hukou one of `persons` is registered in: 户籍同户.

    Only those hukous, not the whole registry: a 1M-person county has some 330,000 hukous
    and its findings touch a few thousand.
    """
    records = index.records
    rec = records[records["source"] == "household_registry"][["row", "person_id"]].dropna()
    rows = rec["row"][rec["person_id"].astype(str).isin(persons.unique())]
    hukou_of = pd.Series(reg["hukou_id"].to_numpy(), index=reg["_row"].to_numpy())
    hukous = hukou_of.reindex(rows.unique()).dropna().unique()
    in_hukous = reg[reg["hukou_id"].isin(hukous)]
    person_of = pd.Series(rec["person_id"].to_numpy(), index=rec["row"].to_numpy())
    return _pairs(in_hukous["hukou_id"], in_hukous["_row"].map(person_of), ("hukou_id", "member"))


def _filed_kin(people: pd.DataFrame, filings: pd.DataFrame) -> pd.DataFrame:
    """Numbers on the kin filings next to the subject's people: their filed cadre, or a cadre's filed kin."""
    known = people[["subject_key", "order", "id_number"]].drop_duplicates()
    pairs = _pairs(filings["kin_id_number"], filings["cadre_id_number"], ("kin", "cadre"))
    cadres = known.merge(pairs, left_on="id_number", right_on="kin")
    kin = known.merge(pairs, left_on="id_number", right_on="cadre")
    return pd.concat(
        [
            cadres[["subject_key", "order"]].assign(id_number=cadres["cadre"], relation="备案干部"),
            kin[["subject_key", "order"]].assign(id_number=kin["kin"], relation="备案亲属"),
        ]
    )


def _closest(people: pd.DataFrame) -> pd.DataFrame:
    """One row per subject and number, with its closest relation; findings in order, then by relation."""
    ranked = people.assign(rank=people["relation"].map(_RANK))
    ranked = ranked.sort_values(["order", "rank", "id_number"], kind="stable")
    ranked = ranked.drop_duplicates(["subject_key", "id_number"])
    return ranked[ranked["id_number"] != ""][RELATED_COLUMNS].reset_index(drop=True)
