"""Which rules cannot judge which programs this month, because a standard is missing.

A program the roll pays with no standard in force must never look like "nothing found":
every rule that needs the standard reports *not run for that program*, naming it (data
contract v2 §1, standards). The rule still runs for the programs it can judge.
"""

from __future__ import annotations

import pandas as pd

from hecha.labels import program_zh
from models.rules.common import is_urban
from models.rules.context import RuleContext
from models.rules.standards import min_age


def standards_gaps(ctx: RuleContext, table: pd.DataFrame) -> dict[str, list[str]]:
    """Rule code -> programs it needs a standard for and has none this period (sorted)."""
    have = set(table["program"].astype(str))
    paid = set(ctx.roll()["program"].dropna().astype(str))
    gaps: dict[str, set[str]] = {}

    judged = set(ctx.policy.rules.programs_for("AMOUNT_MISMATCH")) or paid
    gaps["AMOUNT_MISMATCH"] = (paid & judged) - have
    if ctx.has("poverty_registry"):
        regions = ctx.frame("poverty_registry")["region_code"].dropna().astype(str)
        needed = {"dibao_urban" if is_urban(code) else "dibao_rural" for code in regions.unique()}
        if regions.size < len(ctx.frame("poverty_registry")):
            needed.add("dibao_rural")  # households without a code are judged by the rural standard
        gaps["MISSED_DIBAO"] = needed - have
    no_elderly = min_age(table) is None
    if no_elderly and "elderly_allowance" in paid:
        gaps["AGE_INELIGIBLE"] = {"elderly_allowance"}
    if no_elderly:
        gaps["MISSED_ELDERLY_ALLOWANCE"] = {"elderly_allowance"}
    return {code: sorted(programs) for code, programs in gaps.items() if programs}


def gap_reason(programs: list[str], period: str) -> str:
    """`本期无保障标准，未核查：农村低保（dibao_rural） / not run for dibao_rural: no standard in force`."""
    zh = "、".join(f"{program_zh(p)}（{p}）" for p in programs)
    return (
        f"{period} 无保障标准，对以下救助类别未运行：{zh}；请在保障标准文件中补充 / "
        f"not run for {', '.join(programs)}: no standard in force for {period}"
    )
