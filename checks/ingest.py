"""Loading one county-month input folder into a Dataset (data contract v1 §1).

Every data row read ends up either in a source frame or in the quarantine table, so
rows_read = rows loaded + rows quarantined for every source: nothing is dropped silently.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from checks.headers import map_header
from checks.reading import is_blank, read_table
from checks.rows import QUARANTINED, parse_rows
from hecha.contract import PERSON_COLUMNS, SOURCES, Source
from hecha.dataset import QUARANTINE_COLUMNS, Dataset
from hecha.exceptions import HechaError, InputFileError, MissingSourceError
from hecha.summary import SourceCounts

log = logging.getLogger(__name__)

SUFFIXES = (".csv", ".xlsx")
_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class LoadedSource:
    """One source file after parsing: its frame, its quarantine lines and rows read."""

    frame: pd.DataFrame
    quarantine: pd.DataFrame
    rows_read: int


def find_source_file(folder: Path, source: str) -> Path | None:
    """`folder/<source>.csv` or `.xlsx` (any case of suffix); two candidates are an error."""
    found = sorted(p for p in folder.iterdir() if p.is_file() and p.stem == source and p.suffix.lower() in SUFFIXES)
    if len(found) > 1:
        names = "、".join(p.name for p in found)
        raise InputFileError(
            names, "同一数据源有多个文件，无法确定使用哪一个", "several files for one source; keep only one"
        )
    return found[0] if found else None


def load_dataset(folder: Path, county: str, period: str) -> Dataset:
    """Read every contract source in `folder`; required ones must exist, absent optional ones are listed."""
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
    for name, path in files.items():
        if path is None:
            dataset.absent.append(name)
            continue
        loaded = load_source(SOURCES[name], path)
        dataset.frames[name] = loaded.frame
        dataset.files[name] = path
        dataset.rows_read[name] = loaded.rows_read
        parts.append(loaded.quarantine)
        log.info("loaded %s from %s: %d rows read, %d loaded", name, path.name, loaded.rows_read, len(loaded.frame))
    non_empty = [p for p in parts if not p.empty]
    if non_empty:
        dataset.quarantine = pd.concat(non_empty, ignore_index=True)[QUARANTINE_COLUMNS]
    return dataset


def load_source(source: Source, path: Path) -> LoadedSource:
    """Read, map headers, set aside blank and over-long lines, then parse values by kind."""
    table = read_table(path)
    mapping = map_header(source, table.header, path.name)
    width = len(table.header)
    lines: list[dict[str, object]] = []
    usable: list[tuple[int, list[str]]] = []
    for number, fields in table.rows:
        if is_blank(fields):
            lines.append(_line(source, path, number, "", "", "空行 / blank line"))
        elif any(f.strip() for f in fields[width:]):
            extra = sum(1 for f in fields[width:] if f.strip())
            lines.append(
                _line(
                    source,
                    path,
                    number,
                    "",
                    "",
                    f"字段数多于表头（多 {extra} 个）/ more fields than the header ({extra} extra)",
                )
            )
        else:
            usable.append((number, (fields + [""] * width)[:width]))

    frame, value_lines = parse_rows(source, mapping, usable)
    for entry in value_lines:
        lines.append({"source": source.name, "file": path.name, **entry})
    quarantine = pd.DataFrame(lines, columns=QUARANTINE_COLUMNS)
    quarantine = quarantine.sort_values("row", kind="stable").reset_index(drop=True)
    return LoadedSource(frame, quarantine, len(table.rows))


def _line(source: Source, path: Path, row: int, column: str, value: str, reason: str) -> dict[str, object]:
    return {
        "source": source.name,
        "file": path.name,
        "row": row,
        "column": column,
        "value": value,
        "reason": reason,
        "action": QUARANTINED,
    }


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
        }
    return out
