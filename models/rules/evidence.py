"""Findings and their evidence, built one way for every rule.

Evidence is what an inspector reads before visiting a household: the rule in
plain Chinese, one summary sentence, the facts, and every source record the
finding rests on with its link probability. Identity numbers are masked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from hecha.contract import PERSON_COLUMNS, SOURCES
from hecha.findings import FINDINGS, HOUSEHOLD_LEVEL
from hecha.privacy import mask_account, mask_id
from models.rules.amounts import missing, text
from models.rules.context import RuleContext

RULE_ZH: dict[str, str] = {
    "DECEASED_PAID": "已死亡人员在本期之前死亡，本期仍在领取救助资金",
    "PUBLIC_PAYROLL": "低保、特困家庭成员属于财政供养人员",
    "VEHICLE_OWNED": "低保家庭成员名下有非豁免车辆（摩托车、三轮汽车、拖拉机、低速货车除外）",
    "PROPERTY_EXCESS": "低保家庭有商业、办公、工业用房，或住宅两套及以上",
    "BUSINESS_OWNED": "低保家庭成员名下有存续/在业且注册资本达标的市场主体",
    "DUPLICATE_ENROLMENT": "同一人同一期在同类救助中被重复发放",
    "PROGRAM_OVERLAP": "同一人同一期既领低保又领特困供养",
    "AGE_INELIGIBLE": "高龄津贴未达最低年龄，或孤儿基本生活费已满 18 周岁",
    "DISABILITY_INELIGIBLE": "护理补贴无一、二级残疾人证，或生活补贴无残疾人证",
    "AMOUNT_MISMATCH": "个人发放金额超过该类别本期月标准",
    "SHARED_ACCOUNT": "同一银行账户为不同户籍的多个家庭收款",
    "MISSED_DIBAO": "监测对象家庭有丧失劳动力、重度残疾或大病成员，收入低于低保标准，却无人享受低保或特困",
    "MISSED_DISABILITY_CARE": "持一、二级残疾人证的在世人员未享受重度残疾人护理补贴",
    "MISSED_ELDERLY_ALLOWANCE": "达到高龄津贴年龄的在世户籍居民未享受高龄津贴",
    "CADRE_KIN_UNFILED": "低保、特困对象与村（社区）干部同一户籍，且未在近亲属备案中",
}

WEAK_NOTE = "（注意：本条仅依据较弱的模糊关联，请先核实是否为同一人）"


def date_zh(day: object) -> str:
    if missing(day):
        return "日期不详"
    d = pd.Timestamp(day)  # type: ignore[arg-type]
    return f"{d.year}年{d.month}月{d.day}日"


def period_zh(period: str) -> str:
    year, month = period.split("-")
    return f"{int(year)}年{int(month)}月"


def yuan(amount: object) -> str:
    value = 0.0 if missing(amount) else float(amount)  # type: ignore[arg-type]
    return f"{value:,.2f}".rstrip("0").rstrip(".") + " 元"


def plain(value: object) -> Any:
    """A JSON-able version of a cell."""
    if value is None:
        return None
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        return None if missing(value) else pd.Timestamp(value).strftime("%Y-%m-%d")
    if isinstance(value, (float, np.floating)):
        return None if np.isnan(value) else float(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if missing(value):
        return None
    return value if isinstance(value, (str, int, bool)) else str(value)


@dataclass
class Link:
    """The link a finding rests on (1.0 / not fuzzy for the subject's own record)."""

    probability: float = 1.0
    fuzzy: bool = False
    agreement: dict[str, Any] = field(default_factory=dict)
    evidence_zh: str = ""

    @staticmethod
    def of(match: Mapping[Any, Any] | pd.Series) -> Link:
        agreement = match.get("agreement")
        return Link(
            float(match.get("probability", 1.0)),
            bool(match.get("fuzzy", False)),
            agreement if isinstance(agreement, dict) else {},
            text(match.get("evidence_zh")),
        )


@cache
def _id_columns(source: str) -> frozenset[str]:
    return frozenset(SOURCES[source].id_columns())


def record(ctx: RuleContext, source: str, row: int, fields: list[str], link: Link | None = None) -> dict[str, Any]:
    """One evidence record: where it is, who it names (masked) and the fields that matter."""
    name_col, id_col = PERSON_COLUMNS.get(source, ("name", "id_number"))
    r = ctx.row(source, int(row), [*fields, name_col, id_col]) or {}
    id_columns = _id_columns(source)
    values: dict[str, Any] = {}
    for f in fields:
        v = r.get(f)
        if f == "bank_account":
            v = mask_account(v) if not missing(v) else None
        elif f in id_columns:
            v = mask_id(v) if not missing(v) else None
        values[f] = plain(v)
    link = link or Link()
    number = r.get(id_col)
    return {
        "source": source,
        "source_zh": SOURCES[source].zh,
        "row": int(row),
        "id_masked": mask_id(number if not missing(number) else ""),
        "name": plain(r.get(name_col)) or "",
        "fields": values,
        "probability": round(link.probability, 4),
        "agreement": plain(link.agreement),
        "evidence_zh": link.evidence_zh or ("本人记录" if link.probability >= 1.0 else ""),
    }


def finding(
    ctx: RuleContext,
    code: str,
    subject: Mapping[Any, Any] | pd.Series,
    *,
    summary_zh: str,
    facts: dict[str, Any],
    records: list[dict[str, Any]],
    links: list[Link],
    monthly: float,
    cumulative: float = float("nan"),
    months: float = float("nan"),
    program: str = "",
) -> dict[str, Any]:
    """One finding row (hecha.findings.FINDING_COLUMNS) with its evidence and score.

    The score is the rule's certainty times the weakest link it rests on; a
    finding resting on a weak fuzzy link is marked, explained and scored lower.
    """
    rules = ctx.policy.rules
    weakest = min((lk.probability for lk in links), default=1.0)
    weak = any(ctx.weak(lk.probability, lk.fuzzy) for lk in links)
    score = rules.certainty_of(code) * weakest * (rules.weak_link_factor if weak else 1.0)
    household = code in HOUSEHOLD_LEVEL
    person_id = "" if household else text(subject.get("person_id"))
    hh = text(subject.get("household_id"))
    return {
        "finding": code,
        "category": FINDINGS[code][0],
        "program": program or text(subject.get("program")),
        "subject_key": f"h:{hh}" if household else f"p:{person_id}",
        "household_id": hh,
        "id_number": "" if household else text(subject.get("id_number")),
        "name": text(subject.get("name")),
        "person_id": person_id,
        "region_code": text(subject.get("region_code")),
        "town": text(subject.get("town")),
        "village": text(subject.get("village")),
        "score": round(float(min(max(score, 0.0), 1.0)), 4),
        "est_monthly_overpayment": 0.0 if FINDINGS[code][0] == "missed" else round(float(monthly), 2),
        "est_cumulative_overpayment": cumulative,
        "months_overpaid": months,
        "evidence": {
            "rule": code,
            "rule_zh": RULE_ZH[code],
            "summary_zh": summary_zh + (WEAK_NOTE if weak else ""),
            "facts": {k: plain(v) for k, v in facts.items()},
            "records": records,
            "weak_link": weak,
        },
    }


def subject_number(row: pd.Series | Mapping[Any, Any]) -> str:
    """The roll's number when valid, else the index's corrected one (id_resolved)."""
    status = text(row.get("id_number_status"))
    number = row.get("id_number")
    if status in ("valid", "upgraded") and isinstance(number, str) and number:
        return number
    resolved = row.get("id_resolved")
    if isinstance(resolved, str) and resolved:
        return resolved
    return number if isinstance(number, str) else ""
