"""XLSX: one sheet per table, laid out to work in Excel and on paper (cases.export.layout_sheet)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from cases.export import write_sheets
from reports.model import Report, Table

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _sheet_names(tables: list[Table]) -> list[str]:
    names: list[str] = []
    for table in tables:
        name = _BAD_SHEET_CHARS.sub("_", table.title)[:31] or table.key[:31]
        base, n = name, 2
        while name in names:
            name = f"{base[:28]}_{n}"
            n += 1
        names.append(name)
    return names


def _formats(workbook: Any, frame: pd.DataFrame) -> dict[str, Any]:
    """Money with thousands separators, shares as percentages, ratios with two decimals."""
    money = workbook.add_format({"num_format": "#,##0.00"})
    share = workbook.add_format({"num_format": "0.0%"})
    ratio = workbook.add_format({"num_format": "0.00"})
    result = {}
    for column in frame.columns:
        if pd.api.types.is_float_dtype(frame[column]):
            result[column] = ratio if "倍" in column else share if ("率" in column or "占比" in column) else money
    return result


def write_frames(sheets: list[tuple[str, pd.DataFrame]], path: Path) -> Path:
    return write_sheets(sheets, path, _formats)


def write_xlsx(report: Report, path: Path) -> Path:
    """Headline figures first, then every table of the report in order."""
    metrics = pd.DataFrame(
        [{"指标": m.label, "数值": m.value, "单位": m.unit} for m in report.metrics], columns=["指标", "数值", "单位"]
    )
    tables = report.tables()
    sheets = [("主要指标", metrics), *zip(_sheet_names(tables), (t.frame for t in tables), strict=True)]
    return write_frames(sheets, path)
