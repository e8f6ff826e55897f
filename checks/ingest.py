"""Loading one county-month input folder into a Dataset (data contract v2 §1).

Every data row read ends up either in a source frame or in the quarantine table, so
rows_read = rows loaded + rows quarantined for every source: nothing is dropped silently.
What reading a file took (a title row skipped, the sheet used, a stray quote) and what a
clerk should fix (a column that looks like a contract column) are kept as notes.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from checks import columns as cols
from checks.headers import MAX_HEADER_ROW, Header, locate_header, map_header
from checks.reading import SUFFIXES, Flag, Sheet, read_sheets
from checks.rows import AS_NUMBER, KEPT_FLAGGED, QUARANTINED, parse_rows
from checks.scope import check_county, scope_rows
from hecha.contract import PERSON_COLUMNS, SOURCES, Source
from hecha.dataset import QUARANTINE_COLUMNS, Dataset
from hecha.exceptions import HechaError, InputFileError, MissingSourceError
from hecha.progress import Step, no_progress
from hecha.summary import SourceCounts

log = logging.getLogger(__name__)

_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_TOTALS = ("合计", "总计", "小计", "共计", "total")
# Loading order: the roll and the standards first, so a wrong county stops before the rest is read.
_ORDER = ("roll", "standards")


@dataclass(frozen=True)
class LoadedSource:
    """One source file after parsing: its frame, its quarantine lines, rows read and notes."""

    frame: pd.DataFrame
    quarantine: pd.DataFrame
    rows_read: int
    notes: list[str] = field(default_factory=list)


def find_source_file(folder: Path, source: str) -> Path | None:
    """`folder/<source>.csv|.txt|.tsv|.xlsx|.xls` (any case of suffix); two candidates are an error."""
    found = sorted(p for p in folder.iterdir() if p.is_file() and p.stem == source and p.suffix.lower() in SUFFIXES)
    if len(found) > 1:
        names = "、".join(p.name for p in found)
        raise InputFileError(
            names, "同一数据源有多个文件，无法确定使用哪一个", "several files for one source; keep only one"
        )
    return found[0] if found else None


def load_dataset(folder: Path, county: str, period: str, progress: Step = no_progress) -> Dataset:
    """Read every contract source in `folder`; required ones must exist, absent optional ones are listed.

    Rows of another county or period are quarantined; a `county` that matches none of the
    roll, or a standards file of another county, is an error before the other sources are read.
    An optional file that cannot be used at all is listed in `unreadable` and treated as absent.
    """
    folder = Path(folder)
    if not _PERIOD.match(period):
        raise HechaError(f"核查期间应为 YYYY-MM 格式：{period!r} / period must be YYYY-MM: {period!r}")
    if not folder.is_dir():
        raise HechaError(f"输入目录不存在：{folder} / input folder does not exist: {folder}")

    files = {name: find_source_file(folder, name) for name in SOURCES}
    for name, source in SOURCES.items():
        if source.required and files[name] is None:
            raise MissingSourceError(name, source.zh, str(folder))

    dataset = Dataset(county=county, period=period, folder=folder, frames={})
    parts = []
    order = [*_ORDER, *(n for n in SOURCES if n not in _ORDER)]
    for done, name in enumerate(order):
        progress(f"读取 {SOURCES[name].zh}", done, len(order))
        path = files[name]
        if path is None:
            dataset.absent.append(name)
            continue
        try:
            loaded = load_source(SOURCES[name], path)
        except InputFileError as exc:
            if SOURCES[name].required:
                raise
            # An optional file that cannot be used does not stop the month: its rules report why they did not run.
            log.warning("optional source %s unusable: %s", name, exc)
            dataset.absent.append(name)
            dataset.unreadable[name] = str(exc)
            continue
        if name in _ORDER:
            check_county(SOURCES[name], loaded.frame, county, path.name)
        frame, out_of_scope = scope_rows(SOURCES[name], loaded.frame, county, period)
        dataset.frames[name] = frame
        dataset.files[name] = path
        dataset.rows_read[name] = loaded.rows_read
        dataset.notes[name] = loaded.notes
        parts += [loaded.quarantine, _lines(SOURCES[name], path, out_of_scope)]
        log.info("loaded %s from %s: %d rows read, %d loaded", name, path.name, loaded.rows_read, len(frame))
    dataset.absent.sort(key=list(SOURCES).index)
    non_empty = [p for p in parts if not p.empty]
    if non_empty:
        quarantine = pd.concat(non_empty, ignore_index=True)[QUARANTINE_COLUMNS]
        rank = quarantine["source"].map(list(SOURCES).index)
        dataset.quarantine = quarantine.assign(_o=rank).sort_values(["_o", "row"], kind="stable").drop(columns="_o")
        dataset.quarantine = dataset.quarantine.reset_index(drop=True)
    return dataset


def choose_sheet(source: Source, sheets: list[Sheet], file_name: str) -> tuple[Sheet, int, Header]:
    """The sheet whose header matches the contract best (not always the first), its index and header."""
    best: tuple[Header, int] | None = None
    for i, sheet in enumerate(sheets):
        header = locate_header(source, sheet.block.records(MAX_HEADER_ROW))
        if header is not None and (best is None or header.score > best[0].score):
            best = (header, i)
    if best is None:
        raise InputFileError(
            file_name,
            f"前 {MAX_HEADER_ROW} 行中未找到与数据约定相符的表头（应含「{source.columns[0].zh}」等列名）",
            "no header matching the data contract within the first 15 rows",
        )
    return sheets[best[1]], best[1], best[0]


def load_source(source: Source, path: Path) -> LoadedSource:
    """Read, find the header, map it, set aside blank, totals and over-long lines, then parse values by kind."""
    sheets = read_sheets(path)
    sheet, index, header = choose_sheet(source, sheets, path.name)
    notes = list(sheet.notes)
    if len(sheets) > 1:
        notes.append(
            f"数据取自工作表「{sheet.name}」（第 {index + 1} 个，共 {len(sheets)} 个）/ "
            f"data read from sheet '{sheet.name}' ({index + 1} of {len(sheets)})"
        )
    notes += header.notes
    mapping, warnings = map_header(source, header.cells, path.name)
    notes += warnings
    width = len(mapping)
    block = sheet.block
    start = header.data_start
    cells = [cols.strip(c.slice(start)) for c in block.columns]
    numbers = block.numbers[start:]
    filled = [cols.filled(c) for c in cells]
    any_text = np.logical_or.reduce(filled) if filled else np.zeros(len(numbers), dtype=bool)
    # A final empty line and formatted-but-empty Excel rows are not data lines.
    end = int(np.flatnonzero(any_text)[-1]) + 1 if any_text.any() else 0
    if end < len(numbers):
        cells, numbers = [c.slice(0, end) for c in cells], numbers[:end]
        filled, any_text = [f[:end] for f in filled], any_text[:end]

    first = cols.first_filled(cells, end)
    totals = any_text & cols.lower_in(first, _TOTALS)
    extra = np.add.reduce(filled[width:]) if len(filled) > width else np.zeros(end, dtype=np.int64)
    long = any_text & ~totals & (extra > 0)
    lines: list[dict[str, object]] = []
    for i in np.flatnonzero(~any_text | totals | long):
        number = int(numbers[i])
        if not any_text[i]:
            lines.append(_line(source, path, number, "空行 / blank line"))
        elif totals[i]:
            text = first[int(i)].as_py()
            lines.append(_line(source, path, number, f"「{text}」为合计行，不是数据 / totals row, not data"))
        else:
            n = int(extra[i])
            reason = f"字段数多于表头（多 {n} 个）/ more fields than the header ({n} extra)"
            lines.append(_line(source, path, number, reason))

    usable = any_text & ~totals & ~long
    mask = pa.array(usable)
    texts = {name: cells[pos].filter(mask) if pos < len(cells) else None for pos, name in mapping.items()}
    blank = pa.repeat(pa.scalar("", pa.string()), int(usable.sum()))
    frame, value_lines = parse_rows(
        source, {name: blank if t is None else t for name, t in texts.items()}, numbers[usable]
    )
    for entry in value_lines:
        lines.append({"source": source.name, "file": path.name, **entry})
    lines += _flag_lines(source, path, sheet.flags, mapping, numbers)
    quarantine = pd.DataFrame(lines, columns=QUARANTINE_COLUMNS)
    quarantine = quarantine.sort_values("row", kind="stable").reset_index(drop=True)
    as_numbers = sum(entry["reason"] == AS_NUMBER for entry in value_lines)
    if as_numbers:
        notes.append(
            f"{as_numbers} 个身份证号码被 Excel 存成了数字（如 4.29006E+17），后几位已丢失，按无效号码处理。"
            "请在原系统导出时把身份证号码列设为“文本”格式（或另存为 CSV 前先设置），再重新导出 / "
            f"{as_numbers} identity numbers were stored by Excel as numbers and lost digits: "
            "format the column as Text and export again"
        )
    if any(f.kind == "quote" for f in sheet.flags):
        notes.append(
            "部分行引号不成对，已逐行读取（见隔离与标记清单）/ unbalanced quotes: those lines were read one by one"
        )
    if any(f.kind == "encoding" for f in sheet.flags):
        notes.append(
            "文件中有不同编码的行，已逐行解码（见标记清单）/ lines in another encoding were decoded one by one"
        )
    return LoadedSource(frame, quarantine, end, notes)


def _flag_lines(
    source: Source, path: Path, flags: list[Flag], mapping: dict[int, str], numbers: np.ndarray
) -> list[dict[str, object]]:
    """Cells the reader mended (control characters, another encoding, a stray quote) in data lines, as kept_flagged lines."""
    out: list[dict[str, object]] = []
    data_rows = set(numbers.tolist()) if flags else set()
    for flag in flags:
        if flag.row not in data_rows:
            continue
        column = mapping.get(flag.position, "") if flag.position is not None else ""
        out.append(
            {
                "source": source.name,
                "file": path.name,
                "row": flag.row,
                "column": column,
                "value": "",
                "reason": flag.reason,
                "action": KEPT_FLAGGED,
            }
        )
    return out


def _line(source: Source, path: Path, row: int, reason: str) -> dict[str, object]:
    return {
        "source": source.name,
        "file": path.name,
        "row": row,
        "column": "",
        "value": "",
        "reason": reason,
        "action": QUARANTINED,
    }


def _lines(source: Source, path: Path, out_of_scope: pd.DataFrame) -> pd.DataFrame:
    """Rows scope_rows set aside, as quarantine lines of this file."""
    if out_of_scope.empty:
        return pd.DataFrame(columns=QUARANTINE_COLUMNS)
    return out_of_scope.assign(source=source.name, file=path.name, action=QUARANTINED)[QUARANTINE_COLUMNS]


def id_valid_share(frame: pd.DataFrame, source: str) -> float | None:
    """Share of the source's person identity numbers that are valid or upgraded from 15 digits."""
    column = PERSON_COLUMNS.get(source, ("", ""))[1]
    if not column or f"{column}_status" not in frame or frame.empty:
        return None
    return float(frame[f"{column}_status"].isin(["valid", "upgraded"]).mean())


def source_summary(dataset: Dataset) -> dict[str, SourceCounts]:
    """The "sources" part of the run summary (docs/architecture.md)."""
    quarantine = dataset.quarantine
    out: dict[str, SourceCounts] = {}
    for name, frame in dataset.frames.items():
        mine = quarantine[quarantine["source"] == name]
        share = id_valid_share(frame, name)
        out[name] = {
            "file": dataset.files[name].name if name in dataset.files else None,
            "rows_read": int(dataset.rows_read.get(name, len(frame))),
            "rows_loaded": len(frame),
            "quarantined": int((mine["action"] == QUARANTINED).sum()),
            "flagged": int((mine["action"] != QUARANTINED).sum()),
            "id_valid_share": None if share is None else round(share, 4),
            "notes": list(dataset.notes.get(name, [])),
        }
    return out
