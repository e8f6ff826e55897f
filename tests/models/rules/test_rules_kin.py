"""Cadre kin: CADRE_KIN_UNFILED and the related people used for conflict-of-interest routing."""

from __future__ import annotations

import pandas as pd
from rules_helpers import dataset, exact_index, pid, policy, registry_row, roll_row

from models.rules import related_people, run_rules

CADRE, KIN, FILED_KIN, STRANGER, FILED_CADRE = pid(1), pid(2), pid(3), pid(4), pid(5)


def _dataset():
    return dataset(
        roll=[
            roll_row("A1", "村干部之父", KIN, relation="户主"),
            roll_row("B1", "备案亲属", FILED_KIN),
            roll_row("C1", "路人", STRANGER),
        ],
        household_registry=[
            registry_row("H1", "村干部", CADRE, relation="子"),
            registry_row("H1", "村干部之父", KIN, relation="户主"),
            registry_row("H5", "另一干部", FILED_CADRE),
            registry_row("H2", "备案亲属", FILED_KIN, "配偶"),
            registry_row("H3", "路人", STRANGER),
        ],
        cadres=[
            {"name": "村干部", "id_number": CADRE, "position": "村委会主任"},
            {"name": "另一干部", "id_number": FILED_CADRE, "position": "村支书"},
        ],
        cadre_kin_filings=[
            {
                "cadre_id_number": FILED_CADRE,
                "kin_name": "备案亲属",
                "kin_id_number": FILED_KIN,
                "relation": "配偶",
                "filed_date": "2025-03-01",
            }
        ],
    )


def test_cadre_kin_unfiled_flags_the_unfiled_only() -> None:
    """A cadre's father on dibao in the same hukou flags; a filed spouse and an unrelated recipient do not."""
    ds = _dataset()
    result = run_rules(ds, exact_index(ds), policy())
    f = result.findings.query("finding == 'CADRE_KIN_UNFILED'")
    assert list(f.subject_key) == ["p:P" + KIN]
    assert "村委会主任" in f.evidence.iloc[0]["summary_zh"] and f.category.iloc[0] == "favour"


def test_cadre_kin_rule_not_run_without_filings() -> None:
    """Without the filings file nobody can be called unfiled: the rule is not run."""
    ds = _dataset()
    del ds.frames["cadre_kin_filings"]
    ds.absent.append("cadre_kin_filings")
    result = run_rules(ds, exact_index(ds), policy())
    assert "干部近亲属享受救助备案" in result.not_run["CADRE_KIN_UNFILED"]
    assert (result.findings.finding == "CADRE_KIN_UNFILED").sum() == 0


def test_related_people_includes_hukou_members_and_filed_kin() -> None:
    """The kin finding lists the person and the cadre (same hukou); the filed kin's lists her cadre (other hukou)."""
    ds = _dataset()
    index = exact_index(ds)
    findings = run_rules(ds, index, policy()).findings
    rel = related_people(ds, index, findings)
    kin = rel[rel.subject_key == "p:P" + KIN].set_index("id_number")["relation"].to_dict()
    assert kin == {KIN: "本人", CADRE: "户籍同户"}
    # a hand-made finding about the filed spouse: her cadre is related through the filing
    extra = findings.iloc[:1].assign(finding="DECEASED_PAID", subject_key="p:P" + FILED_KIN, person_id="P" + FILED_KIN)
    rel2 = related_people(ds, index, extra)
    assert rel2.set_index("id_number").loc[FILED_CADRE, "relation"] == "备案干部"
    assert set(rel.columns) == {"subject_key", "id_number", "relation"}


def test_related_people_of_a_household_and_of_a_cadre_keep_the_closest_relation() -> None:
    """A household-level finding lists the roll household and its hukou; a filed cadre's lists the filed kin."""
    ds = _dataset()
    index = exact_index(ds)
    findings = run_rules(ds, index, policy()).findings
    a1 = findings.iloc[:1].assign(finding="SHARED_ACCOUNT", subject_key="h:A1", household_id="A1", person_id="P" + KIN)
    cadre = findings.iloc[:1].assign(
        finding="DECEASED_PAID", subject_key="p:P" + FILED_CADRE, person_id="P" + FILED_CADRE
    )
    rel = related_people(ds, index, pd.concat([a1, cadre], ignore_index=True))
    household = rel[rel.subject_key == "h:A1"].set_index("id_number")["relation"].to_dict()
    assert household == {KIN: "家庭成员", CADRE: "户籍同户"}
    filed = rel[rel.subject_key == "p:P" + FILED_CADRE].set_index("id_number")["relation"].to_dict()
    assert filed == {FILED_CADRE: "本人", FILED_KIN: "备案亲属"}
    assert list(rel.subject_key.drop_duplicates()) == ["h:A1", "p:P" + FILED_CADRE]
