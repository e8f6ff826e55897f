"""Due process of an adverse decision, as data: verify, notify, hear, propose, approve, act.

A payment is stopped, recovered or reduced (停发、追回、减发) only after the household was
told of the finding (告知), had `policy.review.response_days` days to state its case or did
so (陈述申辩), an inspector proposed the measure and a county supervisor (县级审核人), never
the proposer, approved it. The stage of a case is computed from its append-only events, so
the history is the single source of truth. Labels: hecha.labels.STAGES.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hecha.exceptions import HechaError

BEIJING = dt.timedelta(hours=8)
ADVERSE_ACTIONS = ("stop_payment", "recover", "adjust")

# stage -> steps allowed from it (the machine itself; `heard` is reached by a response or by time).
STEPS: dict[str, tuple[str, ...]] = {
    "open": ("notify",),
    "notified": ("notify", "respond"),
    "heard": ("notify", "respond", "propose"),
    "proposed": ("approve", "reject"),
    "in_effect": (),
}
STAGE_OF_EVENT = {"notified": "notified", "response": "heard", "proposed": "proposed", "rejected": "heard"}


class DueProcessError(HechaError):
    """A step the due process does not allow now (no notice yet, deadline running, own proposal...)."""

    def __init__(self, zh: str, en: str) -> None:
        self.zh = zh
        super().__init__(f"{zh} / {en}")


@dataclass(frozen=True)
class DueProcess:
    """Where a case stands: stage, notice date and deadline, the pending proposal (if any)."""

    stage: str = "open"
    notified_on: dt.date | None = None
    deadline: dt.date | None = None
    responded: bool = False
    proposal: dict[str, Any] = field(default_factory=dict)
    proposed_by: str | None = None

    def overdue(self, today: dt.date) -> bool:
        """Deadline passed and nothing proposed yet: the case waits for its inspector."""
        return self.stage in ("notified", "heard") and self.deadline is not None and today > self.deadline

    def allows(self, step: str) -> bool:
        return step in STEPS[self.stage]


def today_beijing() -> dt.date:
    """Inspectors date their work in China Standard Time."""
    return (dt.datetime.now(dt.UTC) + BEIJING).date()


def deadline_of(notified_on: dt.date, response_days: int) -> dt.date:
    return notified_on + dt.timedelta(days=response_days)


def state(events: Iterable[tuple[str, str, Mapping[str, Any]]], today: dt.date) -> DueProcess:
    """Fold (kind, actor, payload) events, oldest first, into the current due-process state."""
    stage, notified_on, deadline, responded = "open", None, None, False
    proposal: dict[str, Any] = {}
    proposed_by: str | None = None
    for kind, actor, payload in events:
        if kind == "notified":
            notified_on = dt.date.fromisoformat(str(payload["notified_on"]))
            deadline = dt.date.fromisoformat(str(payload["deadline"])) if payload.get("deadline") else None
            stage = "heard" if responded else "notified"
        elif kind == "response" and notified_on is not None:
            responded, stage = True, "heard"
        elif kind == "proposed":
            stage, proposal, proposed_by = "proposed", dict(payload), actor
        elif kind == "rejected":
            stage, proposal, proposed_by = "heard", {}, None
        elif kind == "decision" and payload.get("approved_by"):
            stage = "in_effect"
    if stage == "notified" and deadline is not None and today > deadline:
        stage = "heard"
    return DueProcess(stage, notified_on, deadline, responded, proposal, proposed_by)


def check_date(value: dt.date, earliest: dt.date, today: dt.date, what: str) -> None:
    """A date an inspector records must fall within the case's life and not in the future."""
    if value > today:
        raise DueProcessError(f"{what}不能晚于今天（{today.isoformat()}）", f"{what} is in the future")
    if value < earliest:
        raise DueProcessError(
            f"{what}不能早于本案发现的月份（{earliest.isoformat()}）", f"{what} is before the case existed"
        )


def check_amounts(amounts: Mapping[str, float]) -> None:
    """Money must be a finite number, zero or more (nan, inf and negatives are refused)."""
    for value in amounts.values():
        if not math.isfinite(value):
            raise DecisionAmountError("金额必须是有效数字", "amounts must be finite numbers")
        if value < 0:
            raise DecisionAmountError("金额不能为负数", "amounts cannot be negative")


class DecisionAmountError(DueProcessError):
    """An amount that is not a finite number ≥ 0."""


def check_proposal(dp: DueProcess, today: dt.date) -> None:
    """An adverse measure may be proposed only after notice and after the response or the deadline."""
    if dp.stage == "open":
        raise DueProcessError(
            "尚未告知当事人：停发、追回或减发前，须先告知当事人并给予陈述申辩的机会",
            "the household has not been notified",
        )
    if dp.stage == "notified":
        assert dp.deadline is not None
        raise DueProcessError(
            f"当事人陈述申辩期限至 {dp.deadline.isoformat()} 届满；期满或当事人已陈述申辩后，方可提出停发、追回或减发意见",
            "the response period has not ended and no response was recorded",
        )
    if dp.stage == "proposed":
        raise DueProcessError("已有处理意见待县级审核，不能重复提出", "a proposal is already pending")
    if dp.stage == "in_effect":
        raise DueProcessError("处理决定已生效", "the decision is already in effect")


def check_approval(dp: DueProcess, approver: str, approver_role: str | None) -> None:
    """Only a county supervisor approves, and never their own proposal."""
    if approver_role != "supervisor":
        raise DueProcessError("只有县级审核人可以审核处理意见", "only a county supervisor approves")
    if dp.stage != "proposed":
        raise DueProcessError("本案没有待审核的处理意见", "there is no pending proposal")
    if dp.proposed_by == approver:
        raise DueProcessError("不能审核本人提出的处理意见，须由其他审核人审核", "a proposer cannot approve")


def months_between(start: dt.date, end: dt.date) -> int:
    """Calendar months from the month of `start` up to the month of `end` (at least one)."""
    return max(1, (end.year - start.year) * 12 + end.month - start.month)


def proposed_back_pay(monthly_amount_stopped: float, stopped_on: dt.date, today: dt.date) -> tuple[int, float]:
    """Back pay the system proposes on reinstatement: months stopped × the monthly amount stopped."""
    months = months_between(stopped_on, today)
    return months, round(months * float(monthly_amount_stopped), 2)
