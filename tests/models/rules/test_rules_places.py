"""Every finding reaches a township's queue: it has a region code, town and village."""

from __future__ import annotations

from pathlib import Path

from checks.ingest import load_dataset
from hecha.policy import load_policy
from matching.resolve import resolve
from models.rules import run_rules
from sample import generate_county


def test_every_finding_of_a_generated_county_has_its_place(tmp_path: Path) -> None:
    """Findings on region-less sources (disability registry, payroll) take the person's region from the index."""
    folder = generate_county(tmp_path, "429005", "2026-10", households=400, seed=5)
    dataset = load_dataset(folder, "429005", "2026-10")
    policy = load_policy()
    findings = run_rules(dataset, resolve(dataset, policy.linkage), policy).findings
    assert "MISSED_DISABILITY_CARE" in set(findings["finding"])
    assert findings["region_code"].astype(str).str.fullmatch(r"429005\d{6}").all()
    assert findings["town"].astype(str).ne("").all()
    assert findings["village"].astype(str).ne("").all()
