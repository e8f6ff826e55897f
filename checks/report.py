"""The outcome of the quality gates: per source, per expectation; decides whether the run goes on."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

from hecha.exceptions import DataQualityError
from hecha.summary import CheckDetail, ChecksSummary

Status = Literal["passed", "failed", "not_run"]


@dataclass(frozen=True)
class CheckResult:
    """One expectation on one source; `observed` is JSON-able and free of raw identity numbers."""

    source: str
    expectation: str
    description: str  # 中文 / English
    status: Status
    blocking: bool
    observed: object = None
    finding: str | None = None


@dataclass
class CheckReport:
    """All check results of a run; `raise_if_blocking` stops the run when the gates say so."""

    county: str
    period: str
    results: list[CheckResult]
    max_failed_expectations: int = 0
    data_docs: Path | None = None
    results_file: Path | None = None
    notes: list[str] = field(default_factory=list)

    def count(self, status: Status) -> int:
        return sum(r.status == status for r in self.results)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "passed": self.count("passed"),
            "failed": self.count("failed"),
            "not_run": self.count("not_run"),
            "blocking_failed": len(self.blocking_failures),
        }

    @property
    def blocking_failures(self) -> list[CheckResult]:
        return [r for r in self.results if r.blocking and r.status == "failed"]

    @property
    def ok(self) -> bool:
        return len(self.blocking_failures) <= self.max_failed_expectations

    @property
    def reason(self) -> str:
        """A readable Chinese + English account of what failed (empty when nothing did)."""
        failures = self.blocking_failures
        if not failures:
            return ""
        head = (
            f"{self.county} {self.period}：{len(failures)} 项阻断性数据质量检查未通过"
            f"（允许 {self.max_failed_expectations} 项）/ {len(failures)} blocking data-quality checks failed "
            f"(allowed: {self.max_failed_expectations})"
        )
        lines = [f"- [{r.source}] {r.description}；观测 / observed: {_short(r.observed)}" for r in failures]
        return "\n".join([head, *lines])

    def raise_if_blocking(self) -> None:
        """DataQualityError when blocking failures exceed policy.max_failed_expectations."""
        if not self.ok:
            raise DataQualityError(self.reason)

    def to_summary(self) -> ChecksSummary:
        """The "checks" part of the run summary (docs/architecture.md)."""
        counts = self.counts
        return ChecksSummary(
            passed=counts["passed"],
            failed=counts["failed"],
            not_run=counts["not_run"],
            blocking_failed=counts["blocking_failed"],
            details=[
                CheckDetail(
                    source=r.source,
                    expectation=r.expectation,
                    status=r.status,
                    observed=r.observed,
                    blocking=r.blocking,
                )
                for r in self.results
            ],
            data_docs=str(self.data_docs) if self.data_docs else None,
        )

    def write_json(self, path: Path) -> Path:
        data = {
            "county": self.county,
            "period": self.period,
            "ok": self.ok,
            "reason": self.reason,
            "counts": self.counts,
            "results": [asdict(r) for r in self.results],
            "notes": self.notes,
        }
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
        self.results_file = path
        return path


def _short(observed: object) -> str:
    text = json.dumps(observed, ensure_ascii=False, default=str)
    return text if len(text) <= 200 else text[:197] + "..."
