"""Roll-only rules: duplicates, dibao+tekun overlap, amounts against standards, shared accounts."""

from __future__ import annotations

import pandas as pd
from rules_helpers import COUNTY, TOWN_COMMUNITY, dataset, exact_index, pid, policy, registry_row, roll_row

from models.rules import run_rules
from models.rules.standards import standard_for, standards_on

A, B, C = pid(1), pid(2), pid(3)


def _codes(result, code: str) -> set[str]:
    f = result.findings
    return set(f.loc[f.finding == code, "subject_key"])


def test_duplicate_in_two_households_and_urban_rural_as_one_family() -> None:
    """Paid rural dibao in two households flags; urban+rural dibao is one family; dibao+care is not a duplicate."""
    ds = dataset(
        roll=[
            roll_row("A1", "张伟", A, amount=300),
            roll_row("A2", "张伟", A, program="dibao_urban", amount=350),
            roll_row("B1", "李强", B, amount=300),
            roll_row("B1", "李强", B, program="disability_care", amount=100),
        ]
    )
    result = run_rules(ds, exact_index(ds), policy())
    assert _codes(result, "DUPLICATE_ENROLMENT") == {"p:P" + A}
    f = result.findings.query("finding == 'DUPLICATE_ENROLMENT'").iloc[0]
    assert f.est_monthly_overpayment == 300  # everything beyond the larger payment
    assert "2个家庭" in f.evidence["summary_zh"]


def test_program_overlap_dibao_and_tekun() -> None:
    """Dibao and tekun to one person in one period flags, with the dibao amount as the overpayment."""
    ds = dataset(
        roll=[
            roll_row("A1", "张伟", A, amount=300),
            roll_row("A1", "张伟", A, program="tekun", amount=750),
            roll_row("B1", "李强", B, program="tekun", amount=750),
        ]
    )
    result = run_rules(ds, exact_index(ds), policy())
    assert _codes(result, "PROGRAM_OVERLAP") == {"p:P" + A}
    assert result.findings.query("finding == 'PROGRAM_OVERLAP'").est_monthly_overpayment.iloc[0] == 300


def test_standards_are_picked_by_effective_from() -> None:
    """The latest row effective on the period's first day wins; a future row and another county's are ignored."""
    rows = [
        {"region_code": COUNTY, "program": "dibao_rural", "effective_from": "2025-01-01", "monthly_amount": 400},
        {"region_code": COUNTY, "program": "dibao_rural", "effective_from": "2026-07-01", "monthly_amount": 450},
        {"region_code": COUNTY, "program": "dibao_rural", "effective_from": "2026-11-01", "monthly_amount": 500},
        {"region_code": "420100", "program": "dibao_rural", "effective_from": "2026-09-01", "monthly_amount": 900},
        {
            "region_code": COUNTY,
            "program": "elderly_allowance",
            "effective_from": "2025-01-01",
            "monthly_amount": 50,
            "min_age": 80,
        },
        {
            "region_code": COUNTY,
            "program": "elderly_allowance",
            "effective_from": "2025-01-01",
            "monthly_amount": 1000,
            "min_age": 100,
        },
    ]
    table = standards_on(dataset(standards=rows).frames["standards"], COUNTY, pd.Timestamp("2026-10-01"))
    assert standard_for(table, "dibao_rural")["monthly_amount"] == 450
    assert standard_for(table, "elderly_allowance", 85)["monthly_amount"] == 50
    assert standard_for(table, "elderly_allowance", 100)["monthly_amount"] == 1000
    assert standard_for(table, "elderly_allowance", 79) is None
    # the roll: 460 exceeds the 450 in force; 440 does not (it would have exceeded the 2025 standard of 400)
    ds = dataset(standards=rows, roll=[roll_row("A1", "张伟", A, amount=460), roll_row("B1", "李强", B, amount=440)])
    result = run_rules(ds, exact_index(ds), policy())
    assert _codes(result, "AMOUNT_MISMATCH") == {"p:P" + A}
    f = result.findings.query("finding == 'AMOUNT_MISMATCH'").iloc[0]
    assert f.est_monthly_overpayment == 10
    assert "月标准 450 元" in f.evidence["summary_zh"]


def test_elderly_amount_uses_the_age_tier() -> None:
    """A 100-year-old may get 1000; an 85-year-old paid 1000 is over the 80+ tier's 50."""
    old, older = pid(4, "19400101"), pid(5, "19250101")
    ds = dataset(
        roll=[
            roll_row("E1", "钱老", old, program="elderly_allowance", amount=1000),
            roll_row("E2", "孙老", older, program="elderly_allowance", amount=1000),
        ]
    )
    result = run_rules(ds, exact_index(ds), policy())
    assert _codes(result, "AMOUNT_MISMATCH") == {"p:P" + old}


def test_shared_account_needs_two_hukous() -> None:
    """One account for two families flags both households; one family's several programmes do not."""
    roll = [
        roll_row("A1", "张伟", A, bank_account="6217000011112222"),
        roll_row("A1", "张伟", A, program="disability_care", amount=100, bank_account="6217000011112222"),
        roll_row("B1", "李强", B, bank_account="6217000011112222"),
        roll_row("C1", "赵敏", C, bank_account="6217000033334444"),
        roll_row(
            "C2",
            "赵敏母",
            pid(6, "19400101", "F"),
            program="elderly_allowance",
            amount=50,
            bank_account="6217000033334444",
        ),
    ]
    registry = [
        registry_row("HA", "张伟", A),
        registry_row("HB", "李强", B),
        registry_row("HC", "赵敏", C),
        registry_row("HC", "赵敏母", pid(6, "19400101", "F"), relation="母亲"),
    ]
    ds = dataset(roll=roll, household_registry=registry)
    result = run_rules(ds, exact_index(ds), policy())
    assert _codes(result, "SHARED_ACCOUNT") == {"h:A1", "h:B1"}
    f = result.findings.set_index("subject_key").loc["h:A1"]
    assert f.est_monthly_overpayment == 400
    assert "2222" in f.evidence["summary_zh"] and "6217000011112222" not in str(f.evidence)


def test_tekun_standard_split_by_area() -> None:
    """With urban 1260 / rural 750 rows, 1260 in a community is fine and in a village excessive."""
    rows = [
        {
            "region_code": COUNTY,
            "program": "tekun",
            "effective_from": "2025-07-01",
            "monthly_amount": 1260,
            "area": "urban",
        },
        {
            "region_code": COUNTY,
            "program": "tekun",
            "effective_from": "2025-07-01",
            "monthly_amount": 750,
            "area": "rural",
        },
    ]
    roll = [
        roll_row("T1", "城里人", A, program="tekun", amount=1260, region_code=TOWN_COMMUNITY),
        roll_row("T2", "村里人", B, program="tekun", amount=1260),
    ]
    ds = dataset(standards=rows, roll=roll)
    ds.frames["standards"]["area"] = ["urban", "rural"]  # an extra column the contract lets through
    result = run_rules(ds, exact_index(ds), policy())
    assert _codes(result, "AMOUNT_MISMATCH") == {"p:P" + B}
    table = standards_on(ds.frames["standards"], COUNTY, pd.Timestamp("2026-10-01"))
    assert standard_for(table, "tekun")["monthly_amount"] == 1260  # area unknown: the higher standard


def test_shared_account_member_unknown_to_the_registry_is_not_another_family() -> None:
    """A household member the registry cannot match is not a second family on the household's own account."""
    stranger = pid(8, "19700101")
    roll = [
        roll_row("A1", "张伟", A, bank_account="6217000011112222"),
        roll_row("A1", "张伟妻", stranger, relation="配偶", bank_account="6217000011112222"),
    ]
    ds = dataset(roll=roll, household_registry=[registry_row("HA", "张伟", A)])
    assert _codes(run_rules(ds, exact_index(ds), policy()), "SHARED_ACCOUNT") == set()
