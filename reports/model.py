"""The report as data: headline figures, tables and charts, before any format.

Builders (monthly, campaign) fill a `Report`; renderers (HTML, PDF, XLSX) only lay it
out, so every figure a reader sees comes from one computation that tests can check.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass
class Metric:
    key: str
    label: str  # 中文
    value: float | int | str
    unit: str = ""


@dataclass
class Table:
    key: str  # stable English key, used by tests and as a fallback sheet name
    title: str  # 中文 title, also the XLSX sheet name (≤ 31 characters)
    frame: pd.DataFrame  # Chinese column headers, numbers as numbers


@dataclass
class Section:
    title: str
    tables: list[Table] = field(default_factory=list)
    charts: list[tuple[str, bytes]] = field(default_factory=list)  # (caption, PNG bytes)
    notes: list[str] = field(default_factory=list)
    charts_first: bool = True  # False: the first table comes before the charts (a long chart would leave a gap)


@dataclass
class Report:
    title: str
    subtitle: str
    metrics: list[Metric] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    issuer: str = ""  # 编制单位, printed under the title and at the end
    marking: str = ""  # 内部资料 …, printed at the head of every page
    appendix: list[Section] = field(default_factory=list)  # for staff: codes, after the body
    summary: list[str] = field(default_factory=list)  # 综述: the month in a few sentences, under the figures

    def metric(self, key: str) -> float | int | str:
        return next(m.value for m in self.metrics if m.key == key)

    def table(self, key: str) -> pd.DataFrame:
        return next(t.frame for s in [*self.sections, *self.appendix] for t in s.tables if t.key == key)

    def tables(self) -> list[Table]:
        return [t for s in [*self.sections, *self.appendix] for t in s.tables]
