"""DECEASED_PAID and the months-since-death arithmetic."""

from __future__ import annotations

import pandas as pd
from rules_helpers import dataset, exact_index, pid, policy, registry_row, roll_row

from models.rules import run_rules
from models.rules.amounts import months_after, months_since


def test_months_after_death_cross_a_year_boundary() -> None:
    """It counts Dec, Jan, Feb as the months paid after a death on 2025-11-20 for period 2026-02."""
    assert months_after(pd.Timestamp("2025-11-20"), pd.Timestamp("2026-02-01")) == 3
    assert months_after(pd.Timestamp("2026-01-31"), pd.Timestamp("2026-02-01")) == 1
    assert months_since(pd.Timestamp("2025-11-20"), pd.Timestamp("2026-02-01")) == 4


def _deaths_case(death_date: str, death_number: str | None, attach: dict | None = None, birth: str = "1950-03-01"):
    a, b = pid(1, "19500301"), pid(2, "19520101")
    ds = dataset(
        period="2026-10",
        roll=[roll_row("A1", "张伟", a, amount=450), roll_row("B1", "李娜", b, amount=300)],
        deaths=[
            {"name": "张伟", "id_number": death_number, "birth_date": birth, "death_date": death_date, "source": "火化"}
        ],
    )
    return ds, exact_index(ds, attach), a


def test_deceased_paid_flags_death_before_the_period() -> None:
    """It flags a person who died on 2026-03-12 and is paid 450 in 2026-10, with 7 months and 3150 cumulative."""
    ds, index, number = _deaths_case("2026-03-12", pid(1, "19500301"))
    f = run_rules(ds, index, policy()).findings
    dead = f[f.finding == "DECEASED_PAID"]
    assert len(dead) == 1
    row = dead.iloc[0]
    assert row.subject_key == "p:P" + number and row.id_number == number
    assert row.est_monthly_overpayment == 450
    assert row.months_overpaid == 7 and row.est_cumulative_overpayment == 450 * 7
    ev = row.evidence
    assert "2026年3月12日死亡" in ev["summary_zh"] and "2026年10月" in ev["summary_zh"] and "450 元" in ev["summary_zh"]
    assert ev["weak_link"] is False and row.score > 0.9
    sources = [r["source"] for r in ev["records"]]
    assert sources == ["roll", "deaths"]
    assert number not in str(ev)  # identity numbers are masked in evidence


def test_death_after_the_period_started_is_not_flagged() -> None:
    """It does not flag a death on the 5th of the paid month: that month was due."""
    ds, index, _ = _deaths_case("2026-10-05", pid(1, "19500301"))
    f = run_rules(ds, index, policy()).findings
    assert (f.finding == "DECEASED_PAID").sum() == 0


def test_homonym_with_another_birth_date_is_not_flagged() -> None:
    """A death of another 张伟 (different birth date, no number) that the index does not link is not flagged."""
    ds, index, _ = _deaths_case("2026-03-12", None, birth="1971-06-06")
    f = run_rules(ds, index, policy()).findings
    assert (f.finding == "DECEASED_PAID").sum() == 0


def test_weak_fuzzy_link_is_flagged_lower_and_says_so() -> None:
    """A cremation record without a number, weakly linked (0.92), still flags but scores lower and says why."""
    number = pid(1, "19500301")
    ds, index, _ = _deaths_case("2026-03-12", None, attach={("deaths", 2): (number, 0.92)})
    strong_ds, strong_index, _ = _deaths_case("2026-03-12", number)
    weak = run_rules(ds, index, policy()).findings.query("finding == 'DECEASED_PAID'").iloc[0]
    strong = run_rules(strong_ds, strong_index, policy()).findings.query("finding == 'DECEASED_PAID'").iloc[0]
    assert weak.evidence["weak_link"] is True
    assert "较弱的模糊关联" in weak.evidence["summary_zh"]
    assert weak.score < strong.score * 0.7
    assert weak.evidence["records"][-1]["probability"] == 0.92


def test_link_below_the_rule_minimum_is_not_used() -> None:
    """A link under the rule's minimum probability (0.90 by default) is not evidence."""
    number = pid(1, "19500301")
    ds, index, _ = _deaths_case("2026-03-12", None, attach={("deaths", 2): (number, 0.85)})
    assert (run_rules(ds, index, policy()).findings.finding == "DECEASED_PAID").sum() == 0


def test_absent_deaths_source_is_not_run() -> None:
    """Without the deaths file the rule is reported as not run, not as nothing found."""
    a = pid(1)
    ds = dataset(roll=[roll_row("A1", "张伟", a)])
    result = run_rules(ds, exact_index(ds), policy())
    assert result.not_run["DECEASED_PAID"].startswith("数据源「死亡人员」(deaths) 未提供，本规则未运行")
    assert "source deaths absent: rule not run" in result.not_run["DECEASED_PAID"]
    assert "DUPLICATE_ENROLMENT" not in result.not_run


def test_a_wrong_digit_on_the_roll_is_reported_with_the_corrected_number() -> None:
    """A roll number with a wrong check digit, linked by the index, is reported under the corrected number."""
    number = pid(1, "19500301")
    typo = number[:-1] + ("0" if number[-1] != "0" else "1")
    ds = dataset(
        roll=[roll_row("A1", "张伟", typo, amount=450)],
        household_registry=[],
        deaths=[{"name": "张伟", "id_number": number, "death_date": "2026-03-12", "source": "户籍注销"}],
    )
    index = exact_index(ds, attach={("roll", 2): (number, 0.98)})
    f = run_rules(ds, index, policy()).findings.query("finding == 'DECEASED_PAID'").iloc[0]
    assert f.id_number == number and f.subject_key == "p:P" + number
    assert f.evidence["records"][0]["probability"] == 0.98 and f.evidence["weak_link"] is False


def test_age_only_cremation_record_must_fit_the_persons_age() -> None:
    """A cremation record giving only an age is believed at the true age (or 虚岁 when the county says so)."""
    number = pid(1, "19450829")  # 80 on 2026-06-30

    def flagged(age: int, offsets: list[int] | None = None) -> bool:
        ds = dataset(
            roll=[roll_row("A1", "杜文华", number, program="elderly_allowance", amount=50)],
            deaths=[{"name": "杜文华", "age": age, "death_date": "2026-06-30", "source": "火化"}],
        )
        pol = policy()
        if offsets is not None:
            pol = pol.model_copy(update={"rules": pol.rules.model_copy(update={"death_age_offsets": offsets})})
        f = run_rules(ds, exact_index(ds, attach={("deaths", 2): (number, 0.98)}), pol).findings
        return bool((f.finding == "DECEASED_PAID").any())

    assert flagged(80)
    assert not flagged(79) and not flagged(81)  # a same-name neighbour a year younger or older
    assert flagged(81, offsets=[0, 1])  # a county whose crematorium records 虚岁


def test_age_only_death_fitting_two_registered_people_identifies_nobody_unless_the_address_decides() -> None:
    """Two 余国华 of the same age at death: the cremation record flags only when its address is the recipient's."""
    paid, other = pid(1, "19420204"), pid(2, "19411229")  # both 84 on 2026-09-13

    def flagged(address: str) -> bool:
        ds = dataset(
            roll=[roll_row("A1", "余国华", paid, program="elderly_allowance", amount=50)],
            household_registry=[
                registry_row("H1", "余国华", paid, address="湖丰村8组136号"),
                registry_row("H2", "余国华", other, address="湖丰村8组217号"),
            ],
            deaths=[{"name": "余国华", "age": 84, "death_date": "2026-09-13", "source": "火化", "address": address}],
        )
        index = exact_index(ds, attach={("deaths", 2): (paid, 0.98)})
        return bool((run_rules(ds, index, policy()).findings.finding == "DECEASED_PAID").any())

    assert not flagged("湖丰村8组217号")  # the other man's address
    assert not flagged("")  # nothing to tell them apart
    assert flagged("湖丰村8组136号")
