"""XLSX: one sheet per table, frozen header row, widths fitted to Chinese text, numbers as numbers."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd

from reports.model import Report, Table

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _width(value: object) -> int:
    """Display width: a CJK character takes two columns."""
    text = str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


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


def write_frames(sheets: list[tuple[str, pd.DataFrame]], path: Path) -> Path:
    with pd.ExcelWriter(path, engine="xlsxwriter") as writer:
        workbook = writer.book
        money = workbook.add_format({"num_format": "#,##0.00"})
        share = workbook.add_format({"num_format": "0.0%"})
        for name, frame in sheets:
            frame.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            sheet.freeze_panes(1, 0)
            for i, column in enumerate(frame.columns):
                values = [column, *frame[column].head(500).tolist()]
                width = min(max(_width(v) for v in values if not (isinstance(v, float) and math.isnan(v))) + 2, 60)
                fmt = None
                if pd.api.types.is_float_dtype(frame[column]):
                    fmt = share if ("率" in column or "占比" in column) else money
                sheet.set_column(i, i, width, fmt)
    return path


def write_xlsx(report: Report, path: Path) -> Path:
    """Headline figures first, then every table of the report in order."""
    metrics = pd.DataFrame(
        [{"指标": m.label, "数值": m.value, "单位": m.unit} for m in report.metrics], columns=["指标", "数值", "单位"]
    )
    tables = report.tables()
    sheets = [("主要指标", metrics), *zip(_sheet_names(tables), (t.frame for t in tables), strict=True)]
    return write_frames(sheets, path)
