"""Inspectors' decisions: the vocabulary, the allowed transitions and the rules, as data and pure checks.

Kept apart from the database code so the rules can be read, shown in the workspace and
tested on their own.
"""

from __future__ import annotations

import math
from typing import Literal

from hecha.exceptions import HechaError
from hecha.labels import ACTIONS, DECISIONS, STATUSES

Decision = Literal["confirmed", "cleared", "included", "rectified", "reinstated"]

# The status a decision leaves the case in: a reinstated case was a false positive (cleared).
DECISION_STATUS: dict[str, str] = {
    "confirmed": "confirmed",
    "cleared": "cleared",
    "included": "included",
    "rectified": "rectified",
    "reinstated": "cleared",
}

# Review status -> decisions allowed from it, with the label of the transition.
TRANSITIONS: dict[str, dict[str, str]] = {
    "open": {"confirmed": "核实属实", "cleared": "排除误报", "included": "纳入保障（漏保）"},
    "in_review": {"confirmed": "核实属实", "cleared": "排除误报", "included": "纳入保障（漏保）"},
    "confirmed": {
        "rectified": "整改完成（已追回或已补发）",
        "included": "纳入保障（漏保）",
        "cleared": "复核排除误报",
        "reinstated": "复核排除，恢复发放并补发",
    },
    "included": {"rectified": "整改完成（已发放）"},
    "cleared": {},
    "rectified": {},
}


class DecisionError(HechaError):
    """A decision the rules do not allow (missing reason, wrong category, wrong order...)."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")


def check_decision(
    category: str,
    current: str,
    payment_stopped: bool,
    decision: str,
    action: str | None,
    amounts: dict[str, float],
    reason: str | None,
) -> None:
    """Raise DecisionError unless `decision` is allowed for a case of `category` in review status `current`."""
    if decision not in DECISIONS:
        raise DecisionError(f"未知的核查结论 {decision}", f"unknown decision {decision!r}")
    if decision not in TRANSITIONS[current]:
        raise DecisionError(
            f"案件当前为「{STATUSES[current]}」，不能作出「{DECISIONS[decision]}」结论",
            f"a case that is {current} cannot be {decision}",
        )
    if any(not math.isfinite(v) for v in amounts.values()):
        raise DecisionError("金额必须是有效数字", "amounts must be finite numbers")
    if any(v < 0 for v in amounts.values()):
        raise DecisionError("金额不能为负数", "amounts cannot be negative")
    if action is not None and action not in ACTIONS:
        raise DecisionError(f"未知的处理方式 {action}", f"unknown action {action!r} (stop_payment|recover|adjust)")
    if decision in ("cleared", "reinstated") and not (reason or "").strip():
        raise DecisionError("排除误报必须填写理由", "clearing a case requires a reason")
    if decision == "cleared" and payment_stopped:
        raise DecisionError("该案件已停发，排除时须恢复发放并补发", "payment was stopped: use reinstated with back pay")
    if decision == "reinstated" and not payment_stopped:
        raise DecisionError("该案件未停发，无需恢复发放", "payment was not stopped: nothing to reinstate")
    if decision == "included" and category != "missed":
        raise DecisionError("只有漏保案件可以纳入保障", "only missed (漏保) cases can be included")
    if decision == "included" and amounts["amount_paid"] <= 0:
        raise DecisionError("纳入保障须填写发放金额", "included needs the amount paid (amount_paid)")
    if decision == "confirmed" and category != "missed":
        _check_action(action, amounts)
    if decision == "rectified" and amounts["amount_recovered"] <= 0 and amounts["amount_paid"] <= 0:
        raise DecisionError("整改完成须填写已追回或已发放金额", "rectified needs an amount recovered or paid")


def _check_action(action: str | None, amounts: dict[str, float]) -> None:
    """A confirmed wrong or favour-based entitlement must say what is done about it."""
    if action is None:
        raise DecisionError("核实属实须选择处理方式（停发、追回、调整）", "confirmed needs an action")
    if action in ("stop_payment", "adjust") and amounts["monthly_amount_stopped"] <= 0:
        raise DecisionError("停发或调整须填写每月停发（减发）金额", f"{action} needs monthly_amount_stopped")
    if action == "recover" and amounts["amount_to_recover"] <= 0:
        raise DecisionError("追回须填写应追回金额", "recover needs amount_to_recover")
