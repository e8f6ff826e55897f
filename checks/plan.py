"""Which expectations each source must meet: the quality gates as reviewable data.

A plan depends only on the source, the policy and the period, never on the data, so an
absent source gets the same list (reported as not run) and a reviewer can read every gate.

Gates are tolerances, not tripwires: only a check that says a required source is unusable
blocks the month (no usable rows, a required column missing, too few valid identity
numbers; the quarantined share is gated in checks.expectations). Everything else warns and
names the rows; single bad rows were already quarantined by ingestion with their reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from hecha.contract import PERSON_COLUMNS, PROGRAMS, RELATIONS, SOURCES, Source
from hecha.policy import ChecksPolicy

GOOD_ID_STATUSES = ["valid", "upgraded"]


@dataclass(frozen=True)
class Spec:
    """One expectation: a GX Expectation class name and its arguments, plus why it matters."""

    source: str
    key: str  # unique within the source, e.g. "id_valid_share(id_number)"
    gx: str  # class in great_expectations.expectations
    kwargs: dict[str, object]
    blocking: bool
    zh: str
    en: str
    finding: str | None = None  # a failure here is also a finding code (DUPLICATE_ENROLMENT)
    meta: dict[str, object] = field(default_factory=dict)

    @property
    def description(self) -> str:
        return f"{self.zh} / {self.en}"


def period_end(period: str) -> pd.Timestamp:
    """The last day of a YYYY-MM period."""
    return pd.Timestamp(f"{period}-01") + pd.offsets.MonthEnd(0)


def plan(source: Source, policy: ChecksPolicy, period: str) -> list[Spec]:
    """Every expectation of one source, in report order."""
    specs = [_has_rows(source)] if source.required else []
    specs += [_exists(source, c.name, c.zh) for c in source.columns if c.required]
    specs += _id_validity(source, policy)
    specs += _dates(source, period)
    specs += _amounts(source, policy)
    specs += _vocabularies(source)
    specs += _keys(source, period)
    return specs


def _spec(source: Source, key: str, gx: str, blocking: bool, zh: str, en: str, **kwargs: object) -> Spec:
    return Spec(source.name, key, gx, kwargs, blocking, zh, en)


def _has_rows(source: Source) -> Spec:
    """An empty roll or registry would pass every other check vacuously."""
    return _spec(
        source,
        "has_rows",
        "ExpectTableRowCountToBeBetween",
        True,
        "至少有一行可用数据",
        "at least one usable row",
        min_value=1,
    )


def _exists(source: Source, column: str, zh: str) -> Spec:
    return _spec(
        source,
        f"column_exists({column})",
        "ExpectColumnToExist",
        True,
        f"必需列「{zh}」存在",
        f"required column {column} present",
        column=column,
    )


def _id_validity(source: Source, policy: ChecksPolicy) -> list[Spec]:
    if source.name not in PERSON_COLUMNS:
        return []
    column = PERSON_COLUMNS[source.name][1]
    roll = source.name == "roll"
    share = policy.min_id_valid_share if roll else policy.min_id_valid_share_other
    counted_zh = "（空号码计为无效）" if roll else "（仅计已填写的号码）"
    return [
        _spec(
            source,
            f"id_valid_share({column})",
            "ExpectColumnValuesToBeInSet",
            SOURCES[source.name].required,
            f"身份证号码有效率不低于 {share:.0%}{counted_zh}",
            f"at least {share:.0%} of identity numbers valid",
            column=f"{column}_status",
            value_set=GOOD_ID_STATUSES,
            mostly=share,
        )
    ]


_DATE_LIMITS = {  # column -> (Chinese, English) of "not after the period end"
    "birth_date": ("出生日期不晚于核查期末", "no birth date after the period end"),
    "death_date": ("死亡日期不晚于核查期末", "no death date after the period end"),
    "enrolled_date": ("纳入日期不晚于核查期末", "no enrolment date after the period end"),
}


def _dates(source: Source, period: str) -> list[Spec]:
    end = period_end(period)
    return [
        _spec(
            source,
            f"date_not_after_period({c.name})",
            "ExpectColumnValuesToBeBetween",
            False,
            _DATE_LIMITS[c.name][0],
            _DATE_LIMITS[c.name][1],
            column=c.name,
            max_value=end,
        )
        for c in source.columns
        if c.name in _DATE_LIMITS
    ]


def _amounts(source: Source, policy: ChecksPolicy) -> list[Spec]:
    if source.name == "roll":
        cap = policy.max_roll_amount
        return [
            _spec(
                source,
                "amount_range(amount)",
                "ExpectColumnValuesToBeBetween",
                False,
                f"发放金额大于 0 且不超过 {cap:g} 元",
                f"roll amount > 0 and ≤ {cap:g} yuan",
                column="amount",
                min_value=0,
                strict_min=True,
                max_value=cap,
            )
        ]
    if source.name == "standards":
        return [
            _spec(
                source,
                "amount_positive(monthly_amount)",
                "ExpectColumnValuesToBeBetween",
                False,
                "月标准大于 0",
                "monthly standard > 0",
                column="monthly_amount",
                min_value=0,
                strict_min=True,
            )
        ]
    return []


def _vocabularies(source: Source) -> list[Spec]:
    """Ingestion already maps values; these guard the frame contract every later stage relies on."""
    sets: dict[str, list[object]] = {
        "program": list(PROGRAMS),
        "relation": list(RELATIONS),
        "sex": ["M", "F"],
        "disability_level": [0, 1, 2, 3, 4],
    }
    specs = []
    for c in source.columns:
        values = list(c.vocab) if c.kind == "vocab" else sets.get(c.kind)
        if values is not None:
            specs.append(
                _spec(
                    source,
                    f"vocabulary({c.name})",
                    "ExpectColumnValuesToBeInSet",
                    False,
                    f"「{c.zh}」取值在规定范围内",
                    f"{c.name} within its vocabulary",
                    column=c.name,
                    value_set=values,
                )
            )
        elif c.kind in ("region", "county"):
            digits = 12 if c.kind == "region" else 6
            specs.append(
                _spec(
                    source,
                    f"code_format({c.name})",
                    "ExpectColumnValuesToMatchRegex",
                    False,
                    f"「{c.zh}」为{digits}位数字",
                    f"{c.name} is {digits} digits",
                    column=c.name,
                    regex=rf"^\d{{{digits}}}$",
                )
            )
    return specs


def _keys(source: Source, period: str) -> list[Spec]:
    if source.name == "household_registry":
        return [
            _spec(
                source,
                "unique(id_number)",
                "ExpectColumnValuesToBeUnique",
                False,  # 一人多户 and 重号 are data to resolve and report (contract §1), not a reason to stop
                "户籍人口中身份证号码不重复（重复为一人多户或重号，报公安核查）",
                "no identity number twice in the household registry (repeats are reported, not blocking)",
                column="id_number",
            )
        ]
    if source.name == "roll":
        duplicate = Spec(
            "roll",
            "unique(program,id_number)",
            "ExpectCompoundColumnsToBeUnique",
            {"column_list": ["program", "id_number"], "ignore_row_if": "any_value_is_missing"},
            False,
            "同一救助类别中同一身份证号码不重复发放（重复即为 DUPLICATE_ENROLMENT 疑点）",
            "no (program, identity number) twice in the roll (a repeat is a DUPLICATE_ENROLMENT finding)",
            finding="DUPLICATE_ENROLMENT",
        )
        period_check = _spec(
            source,
            "period_matches(period)",
            "ExpectColumnValuesToBeInSet",
            False,
            f"发放年月均为核查期间 {period}",
            f"every roll period equals the run period {period}",
            column="period",
            value_set=[period],
        )
        return [duplicate, period_check]
    return []
