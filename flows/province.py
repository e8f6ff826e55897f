"""Many counties of one month: each county's outcome, however the others fare, and the table at the end.

A county is one unit of work; one that fails never stops the others. `collect` waits for every
county (logging each as it finishes), keeps its summary or its error scrubbed of personal data,
and `raise_if_failed` then fails the whole run, naming the counties, so a scheduled run is
`Failed` in Prefect while every county still ran to its end.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from flows.summary import pad
from hecha.exceptions import HechaError
from hecha.privacy import scrub_error, scrub_text
from hecha.summary import RunSummary

log = logging.getLogger(__name__)

State = Literal["succeeded", "failed"]
STATE_ZH = {"succeeded": "成功 succeeded", "failed": "失败 failed"}


class CountyFailedError(HechaError):
    """One county's run failed: its error already scrubbed, and how long the county ran.

    Both travel as plain arguments, so the error survives pickling back from a Dask worker;
    hecha's own exceptions take other constructor arguments, and a MissingSourceError raised on
    a worker came back as `TypeError: __init__() missing 2 required positional arguments`.
    """

    def __init__(self, message: str, seconds: float | None = None) -> None:
        super().__init__(message, seconds)
        self.seconds = seconds

    def __str__(self) -> str:
        return str(self.args[0])


class CountiesFailedError(HechaError):
    """Some counties failed after all had run; `outcomes` holds every county's."""

    def __init__(self, outcomes: Mapping[str, CountyOutcome]) -> None:
        self.outcomes = dict(outcomes)
        names = [c for c, o in self.outcomes.items() if o.state == "failed"]
        super().__init__(
            f"{len(self.outcomes)} 个县中 {len(names)} 个核查失败：{'、'.join(names)} / "
            f"{len(names)} of {len(self.outcomes)} counties failed: {', '.join(names)}"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.outcomes,))


@dataclass(frozen=True)
class CountyOutcome:
    """How one county's month ended: its summary, or its error (scrubbed, one line)."""

    county: str
    period: str
    state: State
    seconds: float | None = None  # the county's own run, timed where it ran (queueing excluded)
    summary: RunSummary | None = None
    error: str | None = None

    @property
    def open_cases(self) -> int | None:
        if self.summary is None or "cases" not in self.summary:
            return None
        return int(self.summary["cases"].get("total_open", 0))


def succeeded(county: str, period: str, summary: RunSummary, seconds: float) -> CountyOutcome:
    """What a county's task returns when its month is done."""
    return CountyOutcome(county, period, "succeeded", round(seconds, 1), summary=summary)


def county_error(exc: BaseException, seconds: float) -> CountyFailedError:
    """What a county's task raises: the error scrubbed of identity numbers, phones and accounts."""
    return CountyFailedError(scrub_error(exc), round(seconds, 1))


def failed(county: str, period: str, exc: BaseException) -> CountyOutcome:
    """A county that ended with `exc`: its own error, or one of the cluster's (a worker died, the scheduler went away)."""
    text = str(exc) if isinstance(exc, CountyFailedError) else scrub_error(exc)
    first = (text.strip().splitlines() or [type(exc).__name__])[0]
    seconds = exc.seconds if isinstance(exc, CountyFailedError) else None
    return CountyOutcome(county, period, "failed", seconds, error=scrub_text(first))


def collect(futures: Mapping[str, Any], period: str, logger: Any = log) -> dict[str, CountyOutcome]:
    """Wait for every county's future (PrefectFuture) and keep its outcome, in the order the counties were given."""
    from prefect.futures import as_completed

    by_future = {id(f): c for c, f in futures.items()}
    outcomes: dict[str, CountyOutcome] = {}
    for future in as_completed(list(futures.values())):
        county = by_future[id(future)]
        try:
            value = future.result(raise_on_failure=False)
        except Exception as exc:  # the result never came back: a worker died, or the cluster went away
            value = exc
        done = value if isinstance(value, CountyOutcome) else failed(county, period, value)
        outcomes[county] = done
        logger.info(
            "县 %s %s %s（%d/%d，%s 秒）%s", county, period, STATE_ZH[done.state], len(outcomes), len(futures),
            _num(done.seconds), done.error or "",
        )  # fmt: skip
    return {c: outcomes[c] for c in futures}


def raise_if_failed(outcomes: Mapping[str, CountyOutcome]) -> None:
    if any(o.state == "failed" for o in outcomes.values()):
        raise CountiesFailedError(outcomes)


def _num(value: float | int | None) -> str:
    return "-" if value is None else str(value)


def format_outcomes(outcomes: Mapping[str, CountyOutcome]) -> str:
    """The table printed at the end: county, state, open cases, seconds, error."""
    widths = (10, 16, 18, 12)
    head = ("县 county", "状态 state", "待处理案件 cases", "秒 seconds", "错误 error")
    rows = [head] + [
        (o.county, STATE_ZH[o.state], _num(o.open_cases), _num(o.seconds), o.error or "") for o in outcomes.values()
    ]
    lines = ["".join(pad(cell, w) + " " for cell, w in zip(row[:-1], widths, strict=True)) + row[-1] for row in rows]
    failed = sum(o.state == "failed" for o in outcomes.values())
    lines.append(
        f"合计 {len(outcomes)} 个县：成功 {len(outcomes) - failed}，失败 {failed} / "
        f"{len(outcomes)} counties: {len(outcomes) - failed} succeeded, {failed} failed"
    )
    return "\n".join(line.rstrip() for line in lines)
