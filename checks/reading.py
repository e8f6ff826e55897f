"""Reading a source file into numbered raw records, as offices really save them.

CSV and Excel "Unicode text" are parsed line by line with the csv module (not
pandas.read_csv) so every record keeps its physical line number, a stray quote cannot
swallow the lines after it unnoticed, and a line in another encoding is named. A file with
nothing to mend (one encoding, no quote character, no control character, the same number of
fields on every line) has one record per line and is split by pyarrow's CSV reader
instead, which gives the same records a hundred times faster; anything else it refuses
goes the careful way. Records are handed on as columns (`Block`). Workbooks
(.xlsx, legacy .xls) are read with python-calamine, every sheet, so the caller can take
the sheet whose header matches the contract. Nothing here interprets values: the reader
only says what it had to do (`notes`) and which cells it had to mend (`flags`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path
from typing import Literal

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv

from hecha.exceptions import InputFileError

TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")
SUFFIXES = TEXT_SUFFIXES + WORKBOOK_SUFFIXES

_ZIP = b"PK\x03\x04"  # xlsx is a zip archive
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (OLE compound file)
_LINES = re.compile(r"\r\n|\n|\r")
# Control characters break databases (PostgreSQL refuses NUL) and never belong in a cell; tab
# is kept because it is the delimiter of Excel's Unicode text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\ufeff]")
# The same characters in UTF-8: single bytes (never part of a multi-byte character) and two sequences.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_CONTROL_SEQUENCES = ("\u200b".encode(), "\ufeff".encode())
_EMPTY_LINE = (b"\n\n", b"\r\r", b"\n\r")  # line breaks around an empty line (\r\n is one break)


FlagKind = Literal["control", "encoding", "quote"]


@dataclass(frozen=True)
class Flag:
    """A cell the reader mended: row number, field position (None = whole line), what and why."""

    row: int
    position: int | None
    kind: FlagKind
    reason: str


@dataclass(frozen=True)
class Block:
    """Records as columns: one pyarrow string array per field position (a record with fewer
    fields is padded with ""), and each record's row number and number of fields."""

    numbers: np.ndarray  # int64
    columns: list[pa.Array]
    widths: np.ndarray  # int64

    def __len__(self) -> int:
        return len(self.numbers)

    @classmethod
    def from_records(cls, records: list[tuple[int, list[str]]]) -> Block:
        numbers = np.fromiter((n for n, _ in records), dtype=np.int64, count=len(records))
        widths = np.fromiter((len(f) for _, f in records), dtype=np.int64, count=len(records))
        columns = [pa.array(c, type=pa.string()) for c in zip_longest(*(f for _, f in records), fillvalue="")]
        return cls(numbers, columns, widths)

    def records(self, stop: int | None = None) -> list[tuple[int, list[str]]]:
        """The first `stop` records (all by default) as (row number, fields)."""
        stop = len(self) if stop is None else min(stop, len(self))
        cells = [c.slice(0, stop).to_pylist() for c in self.columns]
        return [(int(self.numbers[i]), [c[i] for c in cells[: self.widths[i]]]) for i in range(stop)]


@dataclass
class Sheet:
    """One table of a file: its records (as columns), and what reading it took."""

    name: str
    block: Block
    encoding: str  # the text encoding, or "xlsx" / "xls"
    notes: list[str] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)

    @property
    def records(self) -> list[tuple[int, list[str]]]:
        """Every record as (row number, fields)."""
        return self.block.records()


def read_sheets(path: Path) -> list[Sheet]:
    """Every table in the file (one for text files, one per sheet for workbooks)."""
    data = path.read_bytes()
    suffix = path.suffix.lower()
    if data.startswith(_ZIP) or data.startswith(_OLE):
        kind = "xlsx" if data.startswith(_ZIP) else "xls"
        sheets = _read_workbook(path, kind)
        if suffix in TEXT_SUFFIXES:
            note = (
                f"文件扩展名为 {suffix}，实为 Excel 工作簿（{kind}），已按工作簿读取 / "
                f"{path.name} is an Excel workbook ({kind}) named {suffix}: read as a workbook"
            )
            for sheet in sheets:
                sheet.notes.append(note)
        return sheets
    if suffix in WORKBOOK_SUFFIXES:
        head = data[:512].lstrip().lower()
        if head.startswith((b"<html", b"<!doctype", b"<table", b"<?xml")):
            raise InputFileError(
                path.name,
                "该文件是网页（HTML/XML）另存的表格，不是真正的 Excel 文件；请在 Excel 中打开后另存为 .xlsx",
                "an HTML/XML page saved with an Excel suffix; open it in Excel and save as .xlsx",
            )
        raise InputFileError(path.name, "不是有效的 Excel 文件", "not a valid Excel workbook")
    return [_read_text(path, data)]


# --- text files ---------------------------------------------------------------------------


def _read_text(path: Path, data: bytes) -> Sheet:
    text, encoding, flags = decode(data, path.name)
    notes: list[str] = []
    delimiter = _delimiter(_LINES.split(text, maxsplit=5)[:5], path.suffix.lower())
    if not flags:
        block = plain_block(text, delimiter)
        if block is not None:
            return Sheet(path.name, block, encoding)
    lines = _LINES.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    records, quote_flags, joined = _parse_lines(lines, delimiter)
    flags += quote_flags
    if joined:
        notes.append(
            f"{joined} 条记录的单元格内含换行，按一条记录读取 / {joined} records have a line break inside a cell"
        )
    if _CONTROL.search(text):
        records = [(number, _clean_fields(fields, number, flags)) for number, fields in records]
    return Sheet(path.name, Block.from_records(records), encoding, notes, flags)


def plain_block(text: str, delimiter: str) -> Block | None:
    """The records of a text with nothing to mend, one per line, or None if it needs the careful reader.

    Without a quote character the csv module splits each line at every delimiter, as pyarrow
    does; pyarrow refuses a line with another number of fields (an empty line, a title row,
    an extra field), and then the careful reader decides what that line is.
    """
    data = text.encode("utf-8")
    if b'"' in data or len(data.translate(None, _CONTROL_BYTES)) != len(data):
        return None
    if any(sequence in data for sequence in _CONTROL_SEQUENCES + _EMPTY_LINE) or data.startswith((b"\n", b"\r")):
        return None  # pyarrow would read an empty line as a record of empty fields
    width = _LINES.split(text, maxsplit=1)[0].count(delimiter) + 1
    if width < 2:  # an empty file or a single column: too small to be worth a fast path
        return None
    names = [f"f{i}" for i in range(width)]
    try:
        table = pa_csv.read_csv(
            io.BytesIO(data),
            read_options=pa_csv.ReadOptions(column_names=names),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter,
                quote_char=False,
                double_quote=False,
                escape_char=False,
                newlines_in_values=False,
                ignore_empty_lines=False,
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        return None
    rows = table.num_rows
    columns = [table.column(name).combine_chunks() for name in names]
    return Block(np.arange(1, rows + 1, dtype=np.int64), columns, np.full(rows, width, dtype=np.int64))


def decode(data: bytes, name: str) -> tuple[str, str, list[Flag]]:
    """The file as text: BOMs and UTF-16 first, then UTF-8 / GBK / GB18030; a line in another
    encoding than the rest is decoded on its own and flagged with its line number."""
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        return data.decode("utf-16"), "utf-16", []
    if _looks_utf16(data):
        return data.decode("utf-16-le", errors="replace"), "utf-16-le", []
    if data.startswith(b"\xef\xbb\xbf"):
        data, bom = data[3:], True
    else:
        bom = False
    try:
        return data.decode("utf-8"), "utf-8-sig" if bom else "utf-8", []
    except UnicodeDecodeError:
        pass
    if not bom:
        for encoding in ("gbk", "gb18030"):
            try:
                return data.decode(encoding), encoding, []
            except UnicodeDecodeError:
                continue
    return _decode_mixed(data, name)


def _looks_utf16(data: bytes) -> bool:
    """UTF-16 without a BOM: most high bytes of ASCII-range characters are NUL."""
    sample = data[:4000]
    return len(sample) >= 8 and sample[1::2].count(0) > 0.6 * (len(sample) // 2)


def _decode_mixed(data: bytes, name: str) -> tuple[str, str, list[Flag]]:
    """Line by line: UTF-8 where a line is valid UTF-8, else GB18030; the minority lines flagged."""
    raw_lines = re.split(rb"\r\n|\n|\r", data)
    decoded: list[tuple[str, str]] = []
    for raw in raw_lines:
        try:
            decoded.append((raw.decode("utf-8"), "utf-8"))
        except UnicodeDecodeError:
            try:
                decoded.append((raw.decode("gb18030"), "gb18030"))
            except UnicodeDecodeError:
                decoded.append((raw.decode("gb18030", errors="replace"), "unreadable"))
    non_ascii = [enc for (text, enc), raw in zip(decoded, raw_lines, strict=True) if not raw.isascii()]
    if not non_ascii:
        raise InputFileError(
            name, "编码无法识别（应为 UTF-8、GBK 或 GB18030）", "encoding is not UTF-8, GBK or GB18030"
        )
    main = max(set(non_ascii), key=non_ascii.count)
    flags = []
    for number, ((_, enc), raw) in enumerate(zip(decoded, raw_lines, strict=True), start=1):
        if raw.isascii() or enc == main:
            continue
        label = {"utf-8": "UTF-8", "gb18030": "GBK/GB18030", "unreadable": "无法识别的编码"}[enc]
        flags.append(
            Flag(
                number,
                None,
                "encoding",
                f"本行编码（{label}）与文件其他行不同，已单独解码，请核对 / line encoded differently ({enc}) "
                "from the rest of the file: decoded on its own, check it",
            )
        )
    return "\n".join(text for text, _ in decoded), f"mixed ({main})", flags


def _delimiter(lines: list[str], suffix: str) -> str:
    """Tabs for .txt/.tsv (Excel's Unicode text) and for a .csv whose first 5 lines hold more tabs than commas."""
    if suffix in (".txt", ".tsv"):
        return "\t"
    head = lines[:5]
    tabs = sum(line.count("\t") for line in head)
    commas = sum(line.count(",") for line in head)
    return "\t" if tabs > commas else ","


def _parse_lines(lines: list[str], delimiter: str) -> tuple[list[tuple[int, list[str]]], list[Flag], int]:
    """Records with the line number they start on.

    A quoted cell may hold a line break; but when a record spans several lines and the text
    it swallowed holds delimiters (rows, not an address with a line break), a quote was stray:
    each of those lines is parsed on its own, without quoting, and flagged.
    """
    reader = csv.reader((line + "\n" for line in lines), delimiter=delimiter)
    records: list[tuple[int, list[str]]] = []
    flags: list[Flag] = []
    joined = 0
    start = 1
    for fields in reader:
        end = reader.line_num
        if end > start:
            inner = [f for f in fields if "\n" in f]
            if any(delimiter in f for f in inner):
                for number in range(start, end + 1):
                    alone = next(csv.reader([lines[number - 1]], delimiter=delimiter, quoting=csv.QUOTE_NONE), [])
                    records.append((number, [f.replace('"', "") for f in alone]))
                    flags.append(
                        Flag(
                            number,
                            None,
                            "quote",
                            "引号不成对，本行已单独读取，请核对 / unbalanced quote: this line was read on its own",
                        )
                    )
                start = end + 1
                continue
            joined += 1
            fields = [f.replace("\n", " ").strip() if "\n" in f else f for f in fields]
        records.append((start, fields))
        start = end + 1
    return records, flags, joined


# --- workbooks ----------------------------------------------------------------------------


def _read_workbook(path: Path, kind: str) -> list[Sheet]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:
        raise InputFileError(
            path.name, f"不是有效的 {kind} 文件", f"not a valid {kind} workbook ({type(exc).__name__})"
        ) from None
    sheets = []
    try:
        for name in workbook.sheet_names:
            try:
                rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
            except Exception as exc:  # a chart sheet or a damaged sheet: the others may still hold the data
                notes = [f"工作表「{name}」无法读取 ({type(exc).__name__})"]
                sheets.append(Sheet(name, Block.from_records([]), kind, notes=notes))
                continue
            flags: list[Flag] = []
            records = []
            for number, row in enumerate(rows, start=1):
                fields = [v if type(v) is str else cell_text(v) for v in row]
                if _CONTROL.search("\t".join(fields)):  # tab is not a control character here
                    fields = _clean_fields(fields, number, flags)
                records.append((number, fields))
            sheets.append(Sheet(name, Block.from_records(records), kind, flags=flags))
    finally:
        workbook.close()
    return sheets


def _clean_fields(fields: list[str], row: int, flags: list[Flag]) -> list[str]:
    return [_clean(v, row, p, flags) for p, v in enumerate(fields)]


def _clean(text: str, row: int, position: int, flags: list[Flag]) -> str:
    """A cell without control characters; a cell that had some is flagged."""
    if not _CONTROL.search(text):
        return text
    flags.append(Flag(row, position, "control", "含控制字符（如 NUL），已删除 / control characters (e.g. NUL) removed"))
    return _CONTROL.sub("", text)


def cell_text(value: object) -> str:
    """A workbook cell as text: dates as ISO dates, whole floats without '.0'.

    Numbers of 15 or more digits are shown as Excel shows them (4.29006199001011E+17): an
    identity number Excel stored as a number has lost its last digits and must stay invalid.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if abs(value) >= 1e15:
            return f"{value:.14E}"
        if value.is_integer():
            return str(int(value))
    return str(value)


def is_blank(fields: list[str]) -> bool:
    return all(not f.strip() for f in fields)
