"""The rules section of the policy: YAML defaults and code defaults agree, and a county can override."""

from __future__ import annotations

from pathlib import Path

from hecha.policy import Policy, load_policy


def test_code_defaults_equal_the_shipped_yaml() -> None:
    """`Policy()` (used where no file is loaded) judges exactly as the shipped default_policy.yaml."""
    assert Policy().rules == load_policy().rules


def test_a_county_overrides_one_rule_setting(tmp_path: Path) -> None:
    """A county file changing only the capital threshold keeps every other default."""
    county = tmp_path / "county.yaml"
    county.write_text("rules:\n  business_min_capital_wan: 50\n", encoding="utf-8")
    rules = load_policy(county).rules
    assert rules.business_min_capital_wan == 50
    assert rules.programs_for("VEHICLE_OWNED") == ["dibao_urban", "dibao_rural"]
    assert "三轮汽车" in rules.exempt_vehicle_types
