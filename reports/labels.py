"""Chinese labels for codes the case store keeps in English (data contract §1)."""

from __future__ import annotations

from cases.schema import CATEGORIES, STATUSES
from models.findings import FINDINGS

SOURCES_ZH = {
    "roll": "救助发放名册",
    "household_registry": "户籍人口",
    "poverty_registry": "防返贫监测/建档立卡对象",
    "deaths": "死亡人员",
    "disability_registry": "残疾人证",
    "real_estate": "不动产登记",
    "vehicles": "机动车登记",
    "businesses": "市场主体登记",
    "payroll": "财政供养人员",
    "cadres": "村社区干部",
    "cadre_kin_filings": "干部近亲属享受救助备案",
    "standards": "保障标准",
}
PROGRAMS_ZH = {
    "dibao_urban": "城市低保",
    "dibao_rural": "农村低保",
    "tekun": "特困供养",
    "temporary": "临时救助",
    "disability_living": "困难残疾人生活补贴",
    "disability_care": "重度残疾人护理补贴",
    "elderly_allowance": "高龄津贴",
    "orphan": "孤儿基本生活费",
}
DECISIONS_ZH = {
    "confirmed": "核实属实",
    "cleared": "排除（误报）",
    "included": "已纳入保障",
    "rectified": "已整改",
    "reinstated": "恢复发放",
}
CATEGORY_ORDER = list(CATEGORIES)


def finding_zh(code: str) -> str:
    return FINDINGS.get(code, ("", code))[1]


def category_zh(code: str) -> str:
    return CATEGORIES.get(code, code)


def status_zh(code: str) -> str:
    return STATUSES.get(code, code)


def source_zh(code: str) -> str:
    """`roll~deaths` -> 救助发放名册~死亡人员; unknown names stay as they are."""
    return "~".join(SOURCES_ZH.get(part, part) for part in code.split("~"))


def programs_zh(codes: str) -> str:
    return "、".join(PROGRAMS_ZH.get(c.strip(), c.strip()) for c in codes.split(",") if c.strip())
