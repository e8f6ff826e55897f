"""Finding the header row of a table and mapping it to the contract's canonical column names.

Clerks write headers their own way: in English or Chinese, in any order, with units or
notes in brackets (`发放金额（元）`, `注册资本(万元)`), stray and full-width spaces, line
breaks inside a cell, one or more title rows above, or a two-row header with merged cells.
All of these must map to one canonical name; what cannot be mapped is named, never guessed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from hecha.contract import PERSON_COLUMNS, Source
from hecha.exceptions import InputFileError

MAX_HEADER_ROW = 15  # the header is searched within the first rows of a sheet
_SPACES = re.compile(r"\s+")
_BRACKETS = re.compile(r"[()\[\]【】〔〕<>《》]")
_NOTES = re.compile(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】|〔[^〕]*〕")


def header_key(text: str) -> str:
    """Comparable form of a header: NFKC (full-width → ASCII), no spaces, line breaks or BOM, lower case."""
    text = unicodedata.normalize("NFKC", text.replace("\ufeff", ""))
    return _SPACES.sub("", text).lower()


def header_keys(text: str) -> list[str]:
    """The header as written, without its bracketed notes, and with the brackets dropped but their content kept."""
    key = header_key(text)
    out = [key, _NOTES.sub("", key), _BRACKETS.sub("", key)]
    return [k for i, k in enumerate(out) if k and k not in out[:i]]


def known_keys(source: Source) -> dict[str, str]:
    known: dict[str, str] = {}
    for column in source.columns:
        known[header_key(column.name)] = column.name
        known[header_key(column.zh)] = column.name
    return known


def must_have(source: Source) -> list[str]:
    """Columns a file must have in its header: the required ones, and the identity-number
    column of the roll and the household registry (its values may be empty, the column may not)."""
    names = [c.name for c in source.columns if c.required]
    if source.required and source.name in PERSON_COLUMNS:
        names.append(PERSON_COLUMNS[source.name][1])
    return names


def _canonical(cell: str, known: dict[str, str]) -> str | None:
    for key in header_keys(cell):
        if key in known:
            return known[key]
    return None


def _score(cells: list[str], known: dict[str, str]) -> int:
    return len({name for cell in cells if (name := _canonical(cell, known))})


@dataclass(frozen=True)
class Header:
    """Where a table's header is and what it says; data starts at `records[data_start]`."""

    rows: tuple[int, ...]  # row numbers of the header row(s) in the file
    cells: list[str]
    data_start: int
    score: int
    notes: list[str] = field(default_factory=list)


def locate_header(source: Source, records: list[tuple[int, list[str]]]) -> Header | None:
    """The row (or two rows, for merged headers) within the first rows that best matches the contract.

    A two-row header (merged group cells above, column names below) reads each column from the
    lower row where it has text, else from the upper one. None when no row names two columns.
    """
    known = known_keys(source)
    rows = records[:MAX_HEADER_ROW]
    single = [Header((number,), cells, i + 1, _score(cells, known)) for i, (number, cells) in enumerate(rows)]
    best: Header | None = None
    for i, candidate in enumerate(single):
        options = [candidate]
        if i + 1 < len(rows):
            cells, (below_number, below) = candidate.cells, rows[i + 1]
            width = max(len(cells), len(below))
            merged = [
                (below[p] if p < len(below) and below[p].strip() else (cells[p] if p < len(cells) else ""))
                for p in range(width)
            ]
            two = Header((candidate.rows[0], below_number), merged, i + 2, _score(merged, known))
            if two.score > single[i + 1].score:  # the upper row must add columns, not just sit above
                options.append(two)
        for option in options:
            if best is None or option.score > best.score:
                best = option
    if best is None or best.score < 2:
        return None
    notes = []
    first = records[0][0]
    if best.rows[0] > first:
        titles = [
            " ".join(c.strip() for c in cells if c.strip()) for _, cells in records[: best.data_start - len(best.rows)]
        ]
        shown = "；".join(t for t in titles if t)[:60]
        notes.append(
            f"表头在第 {best.rows[0]} 行，其上 {best.rows[0] - first} 行为标题（{shown}），未作为数据 / "
            f"header found in row {best.rows[0]}; {best.rows[0] - first} title rows above it skipped"
        )
    if len(best.rows) == 2:
        notes.append(
            f"表头为两行（第 {best.rows[0]}–{best.rows[1]} 行，含合并单元格），已合并读取 / "
            f"two-row header (rows {best.rows[0]}–{best.rows[1]}) read as one"
        )
    return Header(best.rows, best.cells, best.data_start, best.score, notes)


def map_header(source: Source, header: list[str], file_name: str) -> tuple[dict[int, str], list[str]]:
    """Column position → canonical name for known columns, or the cleaned header for extras; and warnings.

    A column given twice, or a column the file must have (`must_have`) that is missing, makes
    the file unusable: InputFileError names the columns, in Chinese and English. A column that
    looks like a contract column but does not map is a warning naming it.
    """
    while header and not header[-1].strip():  # workbooks pad rows to the sheet width
        header = header[:-1]
    known = known_keys(source)
    mapping: dict[int, str] = {}
    seen: dict[str, int] = {}
    unmapped: list[int] = []
    for position, text in enumerate(header):
        name = _canonical(text, known)
        if name is not None and name in seen:
            first = seen[name]
            zh = source.column(name).zh
            raise InputFileError(
                file_name,
                f"第 {first + 1} 列「{header[first].strip()}」与第 {position + 1} 列「{text.strip()}」"
                f"都对应「{zh}」({name})，请删除或改名其中一列",
                f"columns {first + 1} and {position + 1} both map to {name}; remove or rename one",
            )
        if name is None:
            unmapped.append(position)
            continue
        seen[name] = position
        mapping[position] = name

    warnings = []
    look_alikes: dict[str, int] = {}
    for position in unmapped:
        text = header[position]
        alike = _look_alike(text, known, set(seen))
        if alike:
            look_alikes[alike] = position
            zh = source.column(alike).zh
            warnings.append(
                f"第 {position + 1} 列「{text.strip()}」看起来像「{zh}」({alike})，但列名不符，未按该列读取；"
                f"如为同一列请改名为「{zh}」 / column {position + 1} '{text.strip()}' looks like {alike} "
                "but is not named so: not read as it"
            )
        mapping[position] = _extra_name(
            unicodedata.normalize("NFKC", text).strip() or f"column_{position + 1}", source, set(mapping.values())
        )

    missing = [name for name in must_have(source) if name not in seen]
    if missing:
        parts_zh, parts_en = [], []
        for name in missing:
            zh = source.column(name).zh
            hint = ""
            if name in look_alikes:
                hint = f"（第 {look_alikes[name] + 1} 列「{header[look_alikes[name]].strip()}」与之相近，如为同一列请改名）"
            parts_zh.append(f"「{zh}」({name}){hint}")
            parts_en.append(name)
        raise InputFileError(
            file_name,
            "表头缺少必需列" + "、".join(parts_zh),
            "the header lacks required column(s): " + ", ".join(parts_en),
        )
    return mapping, warnings


def _look_alike(text: str, known: dict[str, str], mapped: set[str]) -> str | None:
    """A contract column not yet mapped that this header resembles (e.g. 身份证号 for 身份证号码)."""
    best, best_score = None, 0.0
    for key in header_keys(text):
        if len(key) < 2:
            continue
        for candidate, name in known.items():
            if name in mapped or len(candidate) < 2:
                continue
            score = fuzz.ratio(key, candidate)
            if (key in candidate or candidate in key) and min(len(key), len(candidate)) >= 2:
                score = max(score, 85.0)
            if score >= 80 and score > best_score:
                best, best_score = name, score
    return best


def _extra_name(text: str, source: Source, used: set[str]) -> str:
    """An extra column's name that cannot collide with a canonical or derived column."""
    reserved = set(source.column_names) | {"_row"} | used
    for c in source.id_columns():
        reserved |= {f"{c}_raw", f"{c}_status"}
    name, n = text, 1
    while name in reserved:
        n += 1
        name = f"extra:{text}" if n == 2 else f"extra:{text}:{n}"
    return name
