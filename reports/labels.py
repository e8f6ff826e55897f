"""Chinese labels for codes the case store keeps in English (data contract §1)."""

from __future__ import annotations

from cases.schema import CATEGORIES, STATUSES
from checks.contract import PROGRAMS, SOURCES
from models.findings import FINDINGS

SOURCES_ZH = {name: source.zh for name, source in SOURCES.items()}
PROGRAMS_ZH = PROGRAMS
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
