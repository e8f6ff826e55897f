"""Rules over a registry as it is: people it does not list, people it lists in two hukous, shared numbers."""

from __future__ import annotations

from rules_helpers import dataset, exact_index, pid, policy, registry_row, roll_row

from models.rules import run_rules

A, B, MOTHER, CADRE, KIN = pid(1), pid(2), pid(3, "19400101", "F"), pid(4), pid(5)
OLD = pid(6, "19380101", "F")
ACCOUNT = "6217000011112222"


def _codes(result, code: str) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(result.findings.loc[result.findings.finding == code, "subject_key"])


def test_payee_absent_from_the_registry_is_not_another_family() -> None:
    """A mother the registry does not list (registered in another county), paid her allowance as her own
    roll household into her son's account, is unknown hukou: no SHARED_ACCOUNT."""
    roll = [
        roll_row("A1", "张伟", A, bank_account=ACCOUNT),
        roll_row("A2", "张伟母", MOTHER, program="elderly_allowance", amount=50, bank_account=ACCOUNT),
    ]
    ds = dataset(roll=roll, household_registry=[registry_row("HA", "张伟", A)])
    assert _codes(run_rules(ds, exact_index(ds), policy()), "SHARED_ACCOUNT") == []


def test_two_registered_families_on_one_account_still_flag() -> None:
    """Two families in two hukous on one account are flagged, with an unlisted payee beside them."""
    roll = [
        roll_row("A1", "张伟", A, bank_account=ACCOUNT),
        roll_row("A2", "张伟母", MOTHER, program="elderly_allowance", amount=50, bank_account=ACCOUNT),
        roll_row("B1", "李强", B, bank_account=ACCOUNT),
    ]
    ds = dataset(roll=roll, household_registry=[registry_row("HA", "张伟", A), registry_row("HB", "李强", B)])
    result = run_rules(ds, exact_index(ds), policy())
    assert _codes(result, "SHARED_ACCOUNT") == ["h:A1", "h:A2", "h:B1"]
    facts = result.findings.set_index("subject_key").loc["h:B1"].evidence["facts"]
    assert facts["families"] == 2 and facts["unknown_hukou"] == 1


def test_one_person_listed_in_two_hukous_separates_no_families() -> None:
    """A son still listed in his mother's hukou and in his own shares an account with her: one family."""
    roll = [
        roll_row("A1", "张伟", A, bank_account=ACCOUNT),
        roll_row("M1", "张伟母", MOTHER, program="elderly_allowance", amount=50, bank_account=ACCOUNT),
    ]
    registry = [
        registry_row("HM", "张伟", A, relation="子"),  # the hukou he left, listed first
        registry_row("HA", "张伟", A),
        registry_row("HM", "张伟母", MOTHER),
    ]
    ds = dataset(roll=roll, household_registry=registry)
    assert _codes(run_rules(ds, exact_index(ds), policy()), "SHARED_ACCOUNT") == []


def test_listing_in_a_second_hukou_loses_no_shared_account() -> None:
    """Two families on one account stay flagged when one payee is also listed in a third hukou."""
    roll = [
        roll_row("A1", "张伟", A, bank_account=ACCOUNT),
        roll_row("B1", "李强", B, bank_account=ACCOUNT),
    ]
    registry = [registry_row("HX", "张伟", A, relation="子"), registry_row("HA", "张伟", A),
                registry_row("HB", "李强", B)]  # fmt: skip
    ds = dataset(roll=roll, household_registry=registry)
    result = run_rules(ds, exact_index(ds), policy())
    assert _codes(result, "SHARED_ACCOUNT") == ["h:A1", "h:B1"]
    assert "2个不同户籍" in result.findings.iloc[0].evidence["summary_zh"]


def _kin_dataset(listings: list[str]):  # type: ignore[no-untyped-def]
    registry = [registry_row(h, "干部之父", KIN, relation="户主" if h == "H1" else "子") for h in listings]
    registry += [registry_row("H1", "村干部", CADRE, relation="子")]
    return dataset(
        roll=[roll_row("K1", "干部之父", KIN)],
        household_registry=registry,
        cadres=[{"name": "村干部", "id_number": CADRE, "position": "村委会主任"}],
        cadre_kin_filings=[],
    )


def test_cadre_kin_found_whichever_listing_comes_first() -> None:
    """A recipient listed in an old hukou and in the cadre's is flagged once, whichever listing is first."""
    for listings in (["H9", "H1"], ["H1", "H9"], ["H1", "H1"]):
        ds = _kin_dataset(listings)
        assert _codes(run_rules(ds, exact_index(ds), policy()), "CADRE_KIN_UNFILED") == ["p:P" + KIN], listings


def test_missed_elderly_allowance_once_for_a_person_listed_twice() -> None:
    """An unpaid 88-year-old listed in two hukous is one missed case, not two."""
    registry = [registry_row("H1", "老人", OLD), registry_row("H2", "老人", OLD, relation="母亲")]
    ds = dataset(roll=[roll_row("R1", "张伟", A)], household_registry=registry)
    assert _codes(run_rules(ds, exact_index(ds), policy()), "MISSED_ELDERLY_ALLOWANCE") == ["p:P" + OLD]


def test_missed_elderly_allowance_for_each_person_behind_a_shared_number() -> None:
    """Two 88-year-olds issued one number (重号), resolved to two persons: the unpaid one is still missed."""
    registry = [registry_row("H1", "老人", OLD), registry_row("H2", "另一老人", OLD, birth_date="1938-03-03")]
    roll = [roll_row("R1", "老人", OLD, program="elderly_allowance", amount=50)]
    ds = dataset(roll=roll, household_registry=registry)
    other = OLD + "#另一老人"  # the person key linkage gives the second holder (matching.repeats)
    index = exact_index(ds, attach={("household_registry", 3): (other, 1.0)})
    assert _codes(run_rules(ds, index, policy()), "MISSED_ELDERLY_ALLOWANCE") == ["p:P" + other]


def test_a_person_listed_in_two_places_is_routed_where_the_roll_pays_them() -> None:
    """A missed care subsidy of someone listed in two hukous in two villages goes to the roll's village."""
    holder = pid(7, "19700101")
    registry = [registry_row("H1", "王芳", holder, region_code="429006102203"), registry_row("H2", "王芳", holder)]
    roll = [roll_row("R1", "王芳", holder, region_code="429006101201")]
    certs = [{"name": "王芳", "id_number": holder, "disability_type": "肢体残疾", "disability_level": 1}]
    ds = dataset(roll=roll, household_registry=registry, disability_registry=certs)
    result = run_rules(ds, exact_index(ds), policy())
    f = result.findings[result.findings.finding == "MISSED_DISABILITY_CARE"]
    assert list(f["region_code"]) == ["429006101201"]
