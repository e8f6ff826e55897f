"""A clean generated county as plain tables, and writers that save them the way offices do.

The ugly-export tests start from these tables, damage or re-save one file the way a clerk's
system would, load the folder again and compare with the clean load.
"""

from __future__ import annotations

import csv
import io
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import xlsxwriter
import xlwt

from checks.headers import locate_header
from checks.reading import read_sheets
from hecha.contract import SOURCES
from hecha.dataset import Dataset

COUNTY, PERIOD = "429006", "2026-10"


@dataclass
class Table:
    """A source as a header and text rows (row i is data line i; header is line 1 when written plainly)."""

    header: list[str]
    rows: list[list[str]] = field(default_factory=list)

    def copy(self) -> Table:
        return Table(list(self.header), [list(r) for r in self.rows])

    def col(self, name: str) -> int:
        """Position of a canonical column (by its English or Chinese header)."""
        column = next(c for s in SOURCES.values() for c in s.columns if c.name == name)
        for i, h in enumerate(self.header):
            if h.strip() in (column.name, column.zh):
                return i
        raise KeyError(name)


def tables_of(folder: Path) -> dict[str, Table]:
    """Every source file of a folder as a Table of its header and data rows (as text)."""
    out = {}
    for name, source in SOURCES.items():
        files = [p for p in folder.iterdir() if p.stem == name and p.is_file()]
        if not files:
            continue
        sheet = read_sheets(files[0])[0]
        header = locate_header(source, sheet.records)
        assert header is not None
        width = len([c for c in header.cells if c.strip()])
        rows = [(fields + [""] * width)[:width] for _, fields in sheet.records[header.data_start :]]
        out[name] = Table(header.cells[:width], rows)
    return out


def write_plain(folder: Path, tables: dict[str, Table]) -> None:
    """Every table as a UTF-8 CSV with its header in row 1 (the clean baseline)."""
    for name, table in tables.items():
        write_csv(folder / f"{name}.csv", table)


def write_csv(
    path: Path,
    table: Table,
    encoding: str = "utf-8",
    delimiter: str = ",",
    above: list[list[str]] | None = None,
    newline: str = "\n",
    quoting: int = csv.QUOTE_MINIMAL,
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline, quoting=quoting)
    for row in above or []:
        writer.writerow(row)
    writer.writerow(table.header)
    writer.writerows(table.rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


def write_xlsx(
    path: Path,
    table: Table,
    titles: list[str] | None = None,
    sheets_before: list[str] | None = None,
    group_row: list[str] | None = None,
    numeric: dict[int, type] | None = None,
) -> None:
    """A workbook as offices make them: cover sheets, merged title rows, a merged group row, typed cells."""
    book = xlsxwriter.Workbook(str(path))
    for name in sheets_before or []:
        book.add_worksheet(name).write(0, 0, "填表说明：本表由系统导出")
    sheet = book.add_worksheet("名册")
    r = 0
    for title in titles or []:
        sheet.merge_range(r, 0, r, max(len(table.header) - 1, 1), title)
        r += 1
    if group_row is not None:
        for c, text in enumerate(group_row):
            if text:
                sheet.write(r, c, text)
        r += 1
    sheet.write_row(r, 0, table.header)
    for row in table.rows:
        r += 1
        for c, text in enumerate(row):
            kind = (numeric or {}).get(c)
            if kind is not None and text.strip():
                sheet.write_number(r, c, kind(text))
            else:
                sheet.write_string(r, c, text)
    book.close()


def write_xls(path: Path, table: Table) -> None:
    """A legacy .xls (Excel 97–2003), every cell as text."""
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    for c, text in enumerate(table.header):
        sheet.write(0, c, text)
    for r, row in enumerate(table.rows, start=1):
        for c, text in enumerate(row):
            sheet.write(r, c, text)
    book.save(str(path))


def fresh_folder(base: Path, work: Path) -> Path:
    """A copy of the clean baseline folder to damage."""
    folder = work / COUNTY / PERIOD
    shutil.copytree(base, folder)
    return folder


def frame_values(dataset: Dataset, source: str) -> pd.DataFrame:
    """The typed contract columns of a source (no row numbers, no raw text), comparable across formats."""
    frame = dataset.frames[source]
    columns = [c for c in SOURCES[source].column_names if c in frame.columns]
    columns += [f"{c}_status" for c in SOURCES[source].id_columns()]
    out = frame[columns].astype(object)
    return out.where(out.notna(), None).reset_index(drop=True)


def assert_same_frames(dataset: Dataset, clean: Dataset, drop: dict[str, list[int]] | None = None) -> None:
    """Every source loads to the same values as the clean baseline (less the clean rows in `drop`)."""
    assert set(dataset.frames) == set(clean.frames)
    for source in clean.frames:
        expected = frame_values(clean, source)
        if drop and source in drop:
            expected = expected.drop(index=drop[source]).reset_index(drop=True)
        got = frame_values(dataset, source)
        pd.testing.assert_frame_equal(got, expected, check_dtype=False, obj=source)


def assert_every_row_accounted(dataset: Dataset) -> None:
    """rows read = loaded + quarantined, for every source."""
    quarantined = dataset.quarantined_counts()
    for name, frame in dataset.frames.items():
        assert dataset.rows_read[name] == len(frame) + quarantined.get(name, 0), name
