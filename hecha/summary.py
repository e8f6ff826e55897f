"""The shape of a run summary: what a run read, set aside, linked and found.

Built by `flows.summary.build_summary`, stored as JSON with the run (`runs.summary`), printed
by the CLI, published as a Prefect artifact and shown in the monthly report. Plain JSON
types only (numbers are Python ints and floats), so every consumer can read it back.
"""

from __future__ import annotations

from typing import Any, TypedDict


class SourceCounts(TypedDict):
    """One source file: every data line read is either loaded or quarantined."""

    file: str | None
    rows_read: int
    rows_loaded: int
    quarantined: int
    flagged: int  # loaded but marked (e.g. an invalid identity number kept)
    id_valid_share: float | None
    notes: list[str]  # what reading the file took and warnings for the clerk (中文 / English)


class CheckDetail(TypedDict):
    source: str
    expectation: str
    status: str  # passed | failed | not_run
    observed: Any
    blocking: bool


class ChecksSummary(TypedDict):
    passed: int
    failed: int
    not_run: int
    blocking_failed: int
    details: list[CheckDetail]
    data_docs: str | None


class LinkCounts(TypedDict, total=False):
    candidates: float
    links: float
    fuzzy: float
    fuzzy_share: float


class FavourSummary(TypedDict):
    model: dict[str, Any]
    villages: list[dict[str, Any]]
    fairness: dict[str, Any]
    precision: list[dict[str, Any]]


class CaseCounts(TypedDict, total=False):
    new: int
    carried_over: int
    resolved_by_data: int
    total_open: int


class RepeatedNumber(TypedDict):
    """One identity number the household registry lists on several rows (masked: no raw number or name)."""

    kind: str  # one_person (一人多户) | shared_number (重号)
    id_masked: str  # hecha.privacy.mask_id
    rows: list[int]  # registry file rows
    hukou_ids: list[str]
    names_masked: list[str]  # hecha.privacy.mask_name, one per row
    persons: int  # the different people linkage resolved the rows to


class RegistryRepeats(TypedDict):
    """Household-registry data quality for the public-security bureau (公安户籍): numbers listed twice."""

    numbers: int  # identity numbers listed on more than one row
    rows: int  # registry rows carrying them
    share: float  # numbers / distinct valid numbers in the registry
    by_kind: dict[str, int]  # kind -> numbers
    listed: list[RepeatedNumber]  # the first LISTED numbers, by kind then first row
    not_listed: int  # numbers beyond that list (all are in the person index)


class RunSummary(TypedDict, total=False):
    """docs/architecture.md "Run summary"; `cases` and `outputs` are added as the run proceeds."""

    county: str
    period: str
    run_id: str
    output_dir: str
    sources: dict[str, SourceCounts]
    absent_sources: list[str]
    unreadable_sources: dict[str, str]  # optional source -> why its file could not be used
    checks: ChecksSummary
    linkage: dict[str, LinkCounts]
    registry_repeats: RegistryRepeats
    findings: dict[str, int]
    rules_not_run: dict[str, str]
    favour: FavourSummary
    cases: CaseCounts
    timings: dict[str, float]
    outputs: dict[str, str]
