"""Rule findings (contract §2): every code but FAVOUR_RISK, as reviewable data plus small functions.

`RULES` lists each rule with the sources it needs; a rule whose source is
absent is reported in `not_run`, never as "nothing found". A rule that needs a
standard the county has not given for a program it pays runs for the other
programs and reports, in `not_run`, the programs it could not judge.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from hecha.contract import SOURCES
from hecha.dataset import Dataset
from hecha.findings import FINDING_COLUMNS, FindingsResult
from hecha.index import PersonIndex
from hecha.labels import finding_zh
from hecha.policy import Policy
from hecha.progress import Step, no_progress
from models.rules import accounts, assets, deaths, eligibility, enrolment, kin, missed
from models.rules.context import RuleContext
from models.rules.coverage import gap_reason, standards_gaps
from models.rules.places import fill_places
from models.rules.related import related_people
from models.rules.standards import standards_on

log = logging.getLogger(__name__)

Table = pd.DataFrame  # standards in force this period (models.rules.standards.standards_on)


@dataclass(frozen=True)
class Rule:
    code: str
    sources: tuple[str, ...]  # beyond roll, household_registry and standards, which are always there
    run: Callable[[RuleContext, Table], list[dict[str, Any]]]


RULES: tuple[Rule, ...] = (
    Rule("DECEASED_PAID", ("deaths",), lambda c, t: deaths.deceased_paid(c)),
    Rule("PUBLIC_PAYROLL", ("payroll",), lambda c, t: assets.asset_findings(c, "PUBLIC_PAYROLL")),
    Rule("VEHICLE_OWNED", ("vehicles",), lambda c, t: assets.asset_findings(c, "VEHICLE_OWNED")),
    Rule("PROPERTY_EXCESS", ("real_estate",), lambda c, t: assets.asset_findings(c, "PROPERTY_EXCESS")),
    Rule("BUSINESS_OWNED", ("businesses",), lambda c, t: assets.asset_findings(c, "BUSINESS_OWNED")),
    Rule("DUPLICATE_ENROLMENT", (), lambda c, t: enrolment.duplicate_enrolment(c)),
    Rule("PROGRAM_OVERLAP", (), lambda c, t: enrolment.program_overlap(c)),
    Rule("AGE_INELIGIBLE", (), eligibility.age_ineligible),
    Rule("DISABILITY_INELIGIBLE", ("disability_registry",), lambda c, t: eligibility.disability_ineligible(c)),
    Rule("AMOUNT_MISMATCH", (), enrolment.amount_mismatch),
    Rule("SHARED_ACCOUNT", (), lambda c, t: accounts.shared_account(c)),
    Rule("MISSED_DIBAO", ("poverty_registry",), missed.missed_dibao),
    Rule("MISSED_DISABILITY_CARE", ("disability_registry",), lambda c, t: missed.missed_disability_care(c)),
    Rule("MISSED_ELDERLY_ALLOWANCE", (), missed.missed_elderly_allowance),
    Rule("CADRE_KIN_UNFILED", ("cadres", "cadre_kin_filings"), lambda c, t: kin.cadre_kin_unfiled(c)),
)


def not_run_reason(source: str, unreadable: str | None = None) -> str:
    zh = SOURCES[source].zh
    if unreadable:
        return f"数据源「{zh}」({source}) 文件无法使用，本规则未运行：{unreadable}"
    return f"数据源「{zh}」({source}) 未提供，本规则未运行 / source {source} absent: rule not run"


def run_rules(dataset: Dataset, index: PersonIndex, policy: Policy, progress: Step = no_progress) -> FindingsResult:
    """Run every rule whose sources are present; one finding per code per subject."""
    ctx = RuleContext(dataset, index, policy)
    table = standards_on(ctx.frame("standards"), dataset.county, dataset.period_start)
    rows: list[dict[str, Any]] = []
    not_run: dict[str, str] = {}
    gaps = standards_gaps(ctx, table)
    for done, rule in enumerate(RULES):
        progress(f"规则：{finding_zh(rule.code)}", done, len(RULES))
        missing = [s for s in rule.sources if not ctx.has(s)]
        if missing:
            not_run[rule.code] = not_run_reason(missing[0], dataset.unreadable.get(missing[0]))
            continue
        if rule.code in gaps:
            not_run[rule.code] = gap_reason(gaps[rule.code], dataset.period)
            log.warning("rule %s %s", rule.code, not_run[rule.code])
        started = time.perf_counter()
        found = rule.run(ctx, table)
        log.info("rule %s: %d findings in %.2fs", rule.code, len(found), time.perf_counter() - started)
        rows.extend(found)
    frame = pd.DataFrame(rows, columns=FINDING_COLUMNS) if rows else FindingsResult.empty_frame()
    frame = frame.drop_duplicates(["finding", "subject_key"]).reset_index(drop=True)
    return FindingsResult(findings=fill_places(frame, dataset, index), not_run=not_run)


def summarise(findings: pd.DataFrame) -> dict[str, Any]:
    """Counts per code and the total estimated monthly overpayment (the sum over findings)."""
    return {
        "findings": {str(k): int(v) for k, v in findings.groupby("finding").size().items()},
        "est_monthly_overpayment": round(float(findings["est_monthly_overpayment"].astype(float).sum()), 2),
    }


__all__ = ["RULES", "Rule", "related_people", "run_rules", "summarise"]
