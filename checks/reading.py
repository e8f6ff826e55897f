"""Reading a source file into a header and numbered raw rows, without interpreting values.

We parse with the csv module (not pandas.read_csv) so every row keeps its row number in
the file (header = row 1, blank lines count) and blank lines or lines with extra fields
can be reported instead of being skipped or shifted silently.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from hecha.exceptions import InputFileError

# Order matters: UTF-8 is strict enough to reject GBK bytes; GB18030 is a superset of GBK,
# so GBK is tried first only to report the narrower name.
ENCODINGS = ("utf-8", "gbk", "gb18030")


@dataclass(frozen=True)
class RawTable:
    """A file's header and data rows as text; `rows` holds (row number, fields)."""

    header: list[str]
    rows: list[tuple[int, list[str]]]
    encoding: str  # "xlsx" for workbooks


def detect_encoding(data: bytes) -> str:
    """The first encoding that decodes the whole file strictly (BOM means utf-8-sig)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    for encoding in ENCODINGS:
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    raise UnicodeDecodeError("gb18030", data, 0, len(data), "not UTF-8, GBK or GB18030")


def read_table(path: Path) -> RawTable:
    """Read a .csv or .xlsx source file; a file that cannot be read raises InputFileError."""
    if path.suffix.lower() == ".xlsx":
        return _read_xlsx(path)
    return _read_csv(path)


def _read_csv(path: Path) -> RawTable:
    data = path.read_bytes()
    try:
        encoding = detect_encoding(data)
    except UnicodeDecodeError:
        raise InputFileError(
            path.name, "编码无法识别（应为 UTF-8、GBK 或 GB18030）", "encoding is not UTF-8, GBK or GB18030"
        ) from None
    try:
        records = list(csv.reader(io.StringIO(data.decode(encoding), newline="")))
    except csv.Error as exc:
        raise InputFileError(path.name, "CSV 格式错误", f"malformed CSV ({exc})") from None
    return _table(path, records, encoding)


def _read_xlsx(path: Path) -> RawTable:
    import openpyxl  # only needed for workbooks

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise InputFileError(
            path.name, "不是有效的 xlsx 文件", f"not a valid xlsx file ({type(exc).__name__})"
        ) from None
    try:
        sheet = workbook.worksheets[0]
        records = [[cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    return _table(path, records, "xlsx")


def cell_text(value: object) -> str:
    """An Excel cell as text: dates as ISO dates, whole floats without '.0'."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _table(path: Path, records: list[list[str]], encoding: str) -> RawTable:
    if not records or is_blank(records[0]):
        raise InputFileError(path.name, "第 1 行没有表头", "row 1 has no header")
    header = records[0]
    # Workbooks pad rows to the sheet width: drop empty trailing header cells.
    while header and not header[-1].strip():
        header = header[:-1]
    rows = [(number, fields) for number, fields in enumerate(records[1:], start=2)]
    # Trailing blank rows (a final empty line, formatted-but-empty Excel rows) are not data.
    while rows and is_blank(rows[-1][1]):
        rows.pop()
    return RawTable(header, rows, encoding)


def is_blank(fields: list[str]) -> bool:
    return all(not f.strip() for f in fields)
