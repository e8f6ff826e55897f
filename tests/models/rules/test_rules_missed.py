"""Missed entitlements found from the registries."""

from __future__ import annotations

from rules_helpers import TOWN_COMMUNITY, VILLAGE, dataset, exact_index, pid, policy, registry_row, roll_row

from models.rules import run_rules


def _codes(result, code: str) -> set[str]:
    f = result.findings
    return set(f.loc[f.finding == code, "subject_key"])


def _poverty(household: str, name: str, number: str, income: float, **extra) -> dict:
    row = {
        "household_id": household,
        "name": name,
        "id_number": number,
        "relation": "户主",
        "region_code": VILLAGE,
        "status": "脱贫不稳定户",
        "labor_capacity": "普通劳动力",
        "disability_level": 0,
        "serious_illness": "否",
        "per_capita_income": income,
    }
    row.update(extra)
    return row


def test_missed_dibao_needs_a_qualifying_member_low_income_and_no_payment() -> None:
    """Flag P1 (no labour, income under 450*12); not P2 (on dibao), P3 (income above), P4 (able-bodied)."""
    a, b, c, d = pid(1), pid(2), pid(3), pid(4)
    ds = dataset(
        roll=[roll_row("R2", "乙", b)],
        poverty_registry=[
            _poverty("P1", "甲", a, 4000, labor_capacity="丧失劳动力"),
            _poverty("P2", "乙", b, 4000, labor_capacity="无劳动力"),
            _poverty("P3", "丙", c, 6000, serious_illness="是"),
            _poverty("P4", "丁", d, 3000),
        ],
    )
    result = run_rules(ds, exact_index(ds), policy())
    assert _codes(result, "MISSED_DIBAO") == {"h:P1"}
    f = result.findings.query("finding == 'MISSED_DIBAO'").iloc[0]
    assert f.household_id == "P1" and f.id_number == "" and f.est_monthly_overpayment == 0
    assert f.program == "dibao_rural" and "5,400 元/年" in f.evidence["summary_zh"]


def test_missed_dibao_uses_the_urban_standard_in_a_community() -> None:
    """Income 6000 is under the urban 630*12 = 7560 in a 居委会 (code 101) but over the rural 5400."""
    a = pid(1)
    ds = dataset(poverty_registry=[_poverty("P1", "甲", a, 6000, disability_level=1, region_code=TOWN_COMMUNITY)])
    f = run_rules(ds, exact_index(ds), policy()).findings.query("finding == 'MISSED_DIBAO'")
    assert list(f.program) == ["dibao_urban"]


def test_missed_dibao_age_limit_applies_to_labour_capacity() -> None:
    """A child under 16 without labour capacity does not make the household qualify."""
    child = pid(7, "20150101")
    ds = dataset(poverty_registry=[_poverty("P9", "小", child, 1000, labor_capacity="无劳动力")])
    assert _codes(run_rules(ds, exact_index(ds), policy()), "MISSED_DIBAO") == set()


def test_missed_disability_care_only_for_living_severe_holders_without_the_subsidy() -> None:
    """Level 1 without care flags; level 3, a level 2 on care, and a level 2 who died in the period do not."""
    l1, l3, l2_paid, l2_dead = pid(1), pid(2), pid(3), pid(4)
    ds = dataset(
        roll=[roll_row("D3", "丙", l2_paid, program="disability_care", amount=100)],
        disability_registry=[
            {"name": "甲", "id_number": l1, "disability_level": 1, "disability_type": "精神残疾"},
            {"name": "乙", "id_number": l3, "disability_level": 3},
            {"name": "丙", "id_number": l2_paid, "disability_level": 2},
            {"name": "丁", "id_number": l2_dead, "disability_level": 2},
        ],
        deaths=[{"name": "丁", "id_number": l2_dead, "death_date": "2026-10-20", "source": "死亡医学证明"}],
    )
    result = run_rules(ds, exact_index(ds), policy())
    assert _codes(result, "MISSED_DISABILITY_CARE") == {"p:P" + l1}
    assert result.findings.query("finding == 'MISSED_DISABILITY_CARE'").id_number.iloc[0] == l1
    summary = result.findings.query("finding == 'MISSED_DISABILITY_CARE'").evidence.iloc[0]["summary_zh"]
    assert "持一级精神残疾人证" in summary and "残疾残疾" not in summary


def test_missed_elderly_allowance_for_living_residents_at_the_minimum_age() -> None:
    """80 today and unpaid flags; 79, paid, dead, or registered in another county do not."""
    eighty, seventy_nine, paid, dead, away = (
        pid(1, "19461001"),
        pid(2, "19461002"),
        pid(3, "19400101"),
        pid(4, "19400101"),
        pid(5, "19400101"),
    )
    ds = dataset(
        roll=[roll_row("E3", "丙", paid, program="elderly_allowance", amount=50)],
        household_registry=[
            registry_row("H1", "甲", eighty),
            registry_row("H2", "乙", seventy_nine),
            registry_row("H3", "丙", paid),
            registry_row("H4", "丁", dead),
            registry_row("H5", "戊", away, region_code="420100101201"),
        ],
        deaths=[{"name": "丁", "id_number": dead, "death_date": "2026-09-01", "source": "火化"}],
    )
    result = run_rules(ds, exact_index(ds), policy())
    assert _codes(result, "MISSED_ELDERLY_ALLOWANCE") == {"p:P" + eighty}
    f = result.findings.query("finding == 'MISSED_ELDERLY_ALLOWANCE'").iloc[0]
    assert f.est_monthly_overpayment == 0 and "80周岁" in f.evidence["summary_zh"]


def test_missed_care_is_held_for_an_unplaced_cremation_record_of_the_same_name_and_age() -> None:
    """A cremation record with the holder's name and exact age, that linkage did not place, holds the finding back."""
    holder = pid(1, "19530109")  # 73 on 2026-08-01
    certs = [{"name": "刘国华", "id_number": holder, "disability_level": 2}]

    def flagged(age: int) -> bool:
        ds = dataset(
            disability_registry=certs,
            deaths=[{"name": "刘国华", "age": age, "death_date": "2026-08-01", "source": "火化"}],
        )
        return bool((run_rules(ds, exact_index(ds), policy()).findings.finding == "MISSED_DISABILITY_CARE").any())

    assert not flagged(73)
    assert flagged(60)
