"""Age and disability eligibility of the paid person."""

from __future__ import annotations

from rules_helpers import dataset, exact_index, pid, policy, roll_row

from models.rules import run_rules


def _codes(result, code: str) -> set[str]:
    f = result.findings
    return set(f.loc[f.finding == code, "subject_key"])


def test_elderly_allowance_at_exactly_the_minimum_age_is_fine() -> None:
    """Born 1946-10-01 is 80 on 2026-10-01 (eligible); born 1946-10-02 is 79 (flagged)."""
    on_day, day_after = pid(1, "19461001"), pid(2, "19461002")
    ds = dataset(
        roll=[
            roll_row("E1", "钱老", on_day, program="elderly_allowance", amount=50),
            roll_row("E2", "孙老", day_after, program="elderly_allowance", amount=50),
        ]
    )
    result = run_rules(ds, exact_index(ds), policy())
    assert _codes(result, "AGE_INELIGIBLE") == {"p:P" + day_after}
    f = result.findings.query("finding == 'AGE_INELIGIBLE'").iloc[0]
    assert "79周岁" in f.evidence["summary_zh"] and f.est_monthly_overpayment == 50


def test_orphan_allowance_at_18_is_flagged_at_17_not() -> None:
    """An orphan who turned 18 before the period is flagged; one still 17 is not."""
    adult, minor = pid(3, "20080915"), pid(4, "20081015")
    ds = dataset(
        roll=[
            roll_row("O1", "周一", adult, program="orphan", amount=1260),
            roll_row("O2", "周二", minor, program="orphan", amount=1260),
        ]
    )
    result = run_rules(ds, exact_index(ds), policy())
    assert _codes(result, "AGE_INELIGIBLE") == {"p:P" + adult}
    f = result.findings.query("finding == 'AGE_INELIGIBLE'").iloc[0]
    # 18 on 2026-09-15: first paid month at 18 is October, so one month overpaid
    assert f.months_overpaid == 1 and f.est_cumulative_overpayment == 1260


def test_care_subsidy_needs_level_1_or_2() -> None:
    """Care subsidy with a level 2 certificate is fine, with level 3 flagged; living subsidy with none flagged."""
    l2, l3, none, living_ok = pid(1), pid(2), pid(3), pid(5)
    ds = dataset(
        roll=[
            roll_row("D1", "甲", l2, program="disability_care", amount=100),
            roll_row("D2", "乙", l3, program="disability_care", amount=100),
            roll_row("D3", "丙", none, program="disability_living", amount=50),
            roll_row("D5", "戊", living_ok, program="disability_living", amount=50),
        ],
        disability_registry=[
            {"name": "甲", "id_number": l2, "disability_type": "肢体", "disability_level": 2},
            {"name": "乙", "id_number": l3, "disability_type": "肢体", "disability_level": 3},
            {"name": "戊", "id_number": living_ok, "disability_type": "视力", "disability_level": 4},
        ],
    )
    result = run_rules(ds, exact_index(ds), policy())
    assert _codes(result, "DISABILITY_INELIGIBLE") == {"p:P" + l3, "p:P" + none}
    f = result.findings.set_index("subject_key").loc["p:P" + l3]
    assert "3级" in f.evidence["summary_zh"] and f.evidence["records"][-1]["source"] == "disability_registry"


def test_several_rules_on_one_person_share_the_person_id() -> None:
    """A dead person also paid twice gets one finding per code, all with the same person_id."""
    a = pid(1, "19500301")
    ds = dataset(
        roll=[roll_row("A1", "张伟", a, amount=300), roll_row("A2", "张伟", a, amount=300)],
        deaths=[{"name": "张伟", "id_number": a, "death_date": "2026-01-03", "source": "户籍注销"}],
    )
    f = run_rules(ds, exact_index(ds), policy()).findings
    mine = f[f.person_id == "P" + a]
    assert sorted(mine.finding) == ["DECEASED_PAID", "DUPLICATE_ENROLMENT"]
    assert mine.subject_key.nunique() == 1 and not f.duplicated(["finding", "subject_key"]).any()
