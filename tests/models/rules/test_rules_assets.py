"""Household means rules: payroll, vehicles, property, businesses (one finding per roll household)."""

from __future__ import annotations

from rules_helpers import dataset, exact_index, pid, policy, roll_row

from models.rules import run_rules

A, A2, B, C = pid(1), pid(2, "19620505", "F"), pid(3), pid(4)


def _roll() -> list[dict]:
    return [
        roll_row("A1", "张伟", A, amount=300),
        roll_row("A1", "王芳", A2, amount=250, relation="配偶"),
        roll_row("B1", "李强", B, amount=400),
        roll_row("C1", "赵敏", C, program="tekun", amount=750),
    ]


def _run(**sources):
    ds = dataset(roll=_roll(), **sources)
    return run_rules(ds, exact_index(ds), policy())


def _found(result, code: str) -> set[str]:
    f = result.findings
    return set(f.loc[f.finding == code, "subject_key"])


def test_vehicle_owned_ignores_exempt_types() -> None:
    """A car flags the household; a motorcycle, a tricycle (三轮汽车) or a 轻便摩托车 do not."""
    result = _run(
        vehicles=[
            {"owner_name": "王芳", "owner_id_number": A2, "vehicle_type": "小型轿车", "registered_date": "2025-06-10"},
            {"owner_name": "李强", "owner_id_number": B, "vehicle_type": "普通二轮摩托车"},
            {"owner_name": "李强", "owner_id_number": B, "vehicle_type": "三轮汽车"},
            {"owner_name": "李强", "owner_id_number": B, "vehicle_type": "轻便摩托车"},
            {"owner_name": "赵敏", "owner_id_number": C, "vehicle_type": "小型轿车"},  # tekun: not judged
        ]
    )
    assert _found(result, "VEHICLE_OWNED") == {"h:A1"}
    f = result.findings.query("finding == 'VEHICLE_OWNED'").iloc[0]
    assert f.id_number == "" and f.person_id == ""
    assert f.est_monthly_overpayment == 550  # the household's total this period
    assert f.months_overpaid == 17  # 2025-06 .. 2026-10: the car came after enrolment (2025-01)
    assert f.est_cumulative_overpayment == 550 * 17
    assert "小型轿车" in f.evidence["summary_zh"] and "王芳" in f.evidence["summary_zh"]


def test_property_one_home_is_fine_two_homes_or_a_shop_are_not() -> None:
    """One home is normal; two homes or any shop/office/industrial property flag the household."""
    result = _run(
        real_estate=[
            {
                "owner_name": "张伟",
                "owner_id_number": A,
                "property_type": "住宅",
                "area_m2": 90,
                "location": "东湖村1号",
            },
            {
                "owner_name": "王芳",
                "owner_id_number": A2,
                "property_type": "住宅",
                "area_m2": 120,
                "location": "城区2号",
            },
            {
                "owner_name": "李强",
                "owner_id_number": B,
                "property_type": "住宅",
                "area_m2": 80,
                "location": "东湖村3号",
            },
        ]
    )
    assert _found(result, "PROPERTY_EXCESS") == {"h:A1"}
    shop = _run(
        real_estate=[
            {"owner_name": "李强", "owner_id_number": B, "property_type": "商业", "area_m2": 30, "location": "街5号"},
        ]
    )
    assert _found(shop, "PROPERTY_EXCESS") == {"h:B1"}


def test_a_co_owned_home_counts_once_but_two_homes_at_one_address_do_not() -> None:
    """Husband and wife on the same home (same location and area) is one home; two areas there are two homes."""
    result = _run(
        real_estate=[
            {
                "owner_name": "张伟",
                "owner_id_number": A,
                "property_type": "住宅",
                "area_m2": 96.5,
                "location": "东湖村1号",
            },
            {
                "owner_name": "王芳",
                "owner_id_number": A2,
                "property_type": "住宅",
                "area_m2": 96.5,
                "location": "东湖村1号",
            },
        ]
    )
    assert _found(result, "PROPERTY_EXCESS") == set()
    result = _run(
        real_estate=[
            {
                "owner_name": "张伟",
                "owner_id_number": A,
                "property_type": "住宅",
                "area_m2": 143.9,
                "location": "东湖村1号",
            },
            {
                "owner_name": "王芳",
                "owner_id_number": A2,
                "property_type": "住宅",
                "area_m2": 106.2,
                "location": "东湖村1号",
            },
        ]
    )
    assert _found(result, "PROPERTY_EXCESS") == {"h:A1"}


def test_business_needs_active_status_and_capital() -> None:
    """An active company of 50 万 flags; a cancelled one and a 2 万 sole proprietorship do not."""
    result = _run(
        businesses=[
            {
                "name": "李强",
                "id_number": B,
                "role": "法定代表人",
                "entity_name": "强盛建材有限公司",
                "registered_capital": 50,
                "status": "存续",
            },
            {
                "name": "张伟",
                "id_number": A,
                "role": "法定代表人",
                "entity_name": "旧厂",
                "registered_capital": 100,
                "status": "注销",
            },
            {
                "name": "王芳",
                "id_number": A2,
                "role": "个体工商户经营者",
                "entity_name": "芳芳小卖部",
                "registered_capital": 2,
                "status": "在业",
            },
        ]
    )
    assert _found(result, "BUSINESS_OWNED") == {"h:B1"}


def test_public_payroll_covers_dibao_and_tekun_but_not_a_homonym() -> None:
    """Payroll flags dibao and tekun households; another 张伟 with another birth date is not linked, so not flagged."""
    other_zhang = pid(9, "19881212")
    result = _run(
        payroll=[
            {"name": "赵敏", "id_number": C, "employer": "某镇政府", "monthly_salary": 4200},
            {"name": "张伟", "id_number": other_zhang, "employer": "某中学", "monthly_salary": 5100},
        ]
    )
    assert _found(result, "PUBLIC_PAYROLL") == {"h:C1"}
    f = result.findings.query("finding == 'PUBLIC_PAYROLL'").iloc[0]
    assert f.program == "tekun" and f.est_monthly_overpayment == 750
    assert f.evidence["records"][1]["source"] == "payroll"
    assert f.evidence["records"][1]["id_masked"].startswith("429006") and "*" in f.evidence["records"][1]["id_masked"]


def test_household_amount_is_the_sum_of_its_members_and_the_total_the_sum_of_findings() -> None:
    """A household finding's monthly amount is its members' sum; the run total is the sum over findings."""
    from models.rules import summarise

    result = _run(
        payroll=[{"name": "王芳", "id_number": A2, "employer": "卫生院", "monthly_salary": 3000}],
        vehicles=[{"owner_name": "李强", "owner_id_number": B, "vehicle_type": "重型货车"}],
    )
    f = result.findings
    assert f.set_index("finding").loc["PUBLIC_PAYROLL", "est_monthly_overpayment"] == 300 + 250
    assert summarise(f)["est_monthly_overpayment"] == round(float(f.est_monthly_overpayment.sum()), 2)
    assert summarise(f)["est_monthly_overpayment"] >= 550 + 400
