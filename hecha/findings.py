"""Findings: the catalogue of codes (data contract §2) and the frame rules produce."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

# code -> (category, 中文名称)
FINDINGS: dict[str, tuple[str, str]] = {
    "DECEASED_PAID": ("wrong", "死亡人员仍在领取"),
    "PUBLIC_PAYROLL": ("wrong", "财政供养人员享受低保特困"),
    "VEHICLE_OWNED": ("wrong", "低保家庭拥有非豁免车辆"),
    "PROPERTY_EXCESS": ("wrong", "低保家庭房产超标"),
    "BUSINESS_OWNED": ("wrong", "低保家庭成员经营市场主体"),
    "DUPLICATE_ENROLMENT": ("wrong", "重复享受"),
    "PROGRAM_OVERLAP": ("wrong", "低保特困交叉享受"),
    "AGE_INELIGIBLE": ("wrong", "年龄不符合条件"),
    "DISABILITY_INELIGIBLE": ("wrong", "残疾等级不符合条件"),
    "AMOUNT_MISMATCH": ("wrong", "发放金额超标准"),
    "SHARED_ACCOUNT": ("wrong", "多个家庭共用银行账户"),
    "MISSED_DIBAO": ("missed", "符合条件未纳入低保"),
    "MISSED_DISABILITY_CARE": ("missed", "重度残疾人未享受护理补贴"),
    "MISSED_ELDERLY_ALLOWANCE": ("missed", "高龄老人未享受高龄津贴"),
    "CADRE_KIN_UNFILED": ("favour", "村干部近亲属享受救助未备案"),
    "FAVOUR_RISK": ("favour", "人情保关系保风险"),
}
RULE_CODES = [c for c in FINDINGS if c != "FAVOUR_RISK"]

# Household-level findings: one case per household (id_number empty in the export).
HOUSEHOLD_LEVEL = frozenset(
    {
        "PUBLIC_PAYROLL",
        "VEHICLE_OWNED",
        "PROPERTY_EXCESS",
        "BUSINESS_OWNED",
        "SHARED_ACCOUNT",
        "MISSED_DIBAO",
        "FAVOUR_RISK",
    }
)

FINDING_COLUMNS = [
    "finding",  # code
    "category",  # wrong | missed | favour
    "program",  # program code(s) involved, comma-joined
    "subject_key",  # stable key of the person ("p:<person_id>") or household ("h:<household_id>")
    "household_id",  # roll 家庭编号; poverty registry 户编号 for MISSED_DIBAO
    "id_number",  # person's number (roll's, or as corrected by linkage); "" for household-level
    "name",
    "person_id",
    "region_code",
    "town",
    "village",
    "score",  # 0-1
    "est_monthly_overpayment",  # yuan, 0 for missed
    "est_cumulative_overpayment",  # yuan or NaN when not computable
    "months_overpaid",  # whole months or NaN
    "evidence",  # dict (JSON-able): rule, rule_zh, summary_zh, facts, records[...], weak_link
]


@dataclass
class FindingsResult:
    findings: pd.DataFrame  # FINDING_COLUMNS
    not_run: dict[str, str] = field(default_factory=dict)  # code -> reason (中文 / English)

    @staticmethod
    def empty_frame() -> pd.DataFrame:
        return pd.DataFrame(columns=FINDING_COLUMNS)
