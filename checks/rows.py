"""Turning numbered text rows into a typed source frame plus quarantine lines.

A row that cannot be used (a `required` value empty or unparseable) leaves the frame and
gets one `quarantined` line; a bad optional value becomes NA with a `kept_flagged` line.
Identity numbers are never a reason to quarantine: invalid or missing ones stay, flagged.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa

from checks import columns as cols
from checks.values import BadValue, parse_dates, parser_for
from hecha.contract import Column, Source
from hecha.idnumber import normalise_many
from hecha.privacy import mask_id

QUARANTINED = "quarantined"
KEPT_FLAGGED = "kept_flagged"
EMPTY_REQUIRED = BadValue("必填项为空", "required value is empty")
ID_PROBLEMS = {
    "invalid": "身份证号码无效（格式、出生日期或校验位错误），保留并标记 / invalid identity number, kept and flagged",
    "missing": "身份证号码为空，保留并标记 / identity number missing, kept and flagged",
}

# Excel shows a long number as 4.29006E+17: the cell was a number and its last digits are gone.
_SCIENTIFIC = re.compile(r"^\s*\d(?:\.\d+)?\s*[eE]\s*\+?\s*\d+\s*$")
AS_NUMBER = (
    "身份证号码被 Excel 存成了数字（科学计数法），后几位已丢失，保留并标记为无效；导出时请先把该列设为“文本”格式 / "
    "identity number stored by Excel as a number (scientific notation): digits lost, kept as invalid; "
    "format the column as Text before exporting"
)

Problem = tuple[int, Column, str, BadValue]  # (position in rows, column, text, problem)
_VERBATIM = ("text", "name")  # kinds whose parser returns the text itself and never fails


def parse_rows(
    source: Source, texts: dict[str, pa.Array], numbers: np.ndarray
) -> tuple[pd.DataFrame, list[dict[str, object]]]:
    """The typed frame of the usable rows and the quarantine lines (without source/file).

    `texts` holds the stripped text of each mapped column (canonical or extra name), one cell
    per row; `numbers` the rows' numbers in the file.
    """
    size = len(numbers)
    parsed: dict[str, tuple[np.ndarray, pd.Series | None]] = {}
    problems: list[Problem] = []
    for column in source.columns:
        if column.kind == "id":
            continue  # identity numbers are normalised after the quarantine decision
        parsed[column.name], found = _parse_column(column, texts.get(column.name), size)
        problems.extend(found)

    quarantined = {i for i, column, _, bad in problems if column.required and bad.keep is None}
    keep = np.ones(size, dtype=bool)
    keep[list(quarantined)] = False
    lines = _problem_lines(numbers, problems, quarantined)

    out: dict[str, object] = {}
    for column in source.columns:
        if column.kind == "id":
            given = texts.get(column.name)
            kept = cols.objects(given.filter(keep)) if given is not None else np.full(int(keep.sum()), "", object)
            id_frame, id_lines = _id_columns(column, kept, numbers[keep])
            out.update(id_frame)
            if given is not None:  # a column the file does not have is not a data problem per row
                lines.extend(id_lines)
        else:
            codes, typed = parsed[column.name]
            if typed is None:  # verbatim text: codes are the texts themselves
                kept = codes[keep]
                out[column.name] = pd.Series(_none_if_empty(kept), dtype="object")
            else:
                out[column.name] = typed.iloc[codes[keep]].reset_index(drop=True)
    out["_row"] = pd.Series(numbers[keep], dtype="int64")
    known = set(source.column_names)
    for name, column_texts in texts.items():
        if name not in known:
            kept = cols.objects(column_texts.filter(keep))
            out[name] = pd.Series(_none_if_empty(kept), dtype="object")
    frame = pd.DataFrame(out, index=pd.RangeIndex(int(keep.sum())))
    return frame, lines


def _parse_column(
    column: Column, texts: pa.Array | None, size: int
) -> tuple[tuple[np.ndarray, pd.Series | None], list[Problem]]:
    """Parse each distinct text once (codes and dates repeat a lot in a county's files).

    Returns (codes into the typed distinct values, the typed distinct values) and the problems;
    for verbatim text the "codes" are the texts and there are no typed values.
    """
    if texts is None:
        texts = pa.repeat(pa.scalar("", pa.string()), size)
    if column.kind in _VERBATIM:
        values = cols.objects(texts)
        empty = np.flatnonzero(values == "") if column.required else np.empty(0, dtype=np.int64)
        return (values, None), [(int(i), column, "", EMPTY_REQUIRED) for i in empty]
    codes, uniques = cols.encode(texts)
    typed, bad = parse_dates(uniques) if column.kind == "date" else _parse_distinct(column, uniques)
    if column.required:
        bad.update((k, EMPTY_REQUIRED) for k, text in enumerate(uniques) if not text)
    problems: list[Problem] = []
    if bad:
        for i in np.flatnonzero(np.isin(codes, list(bad))):
            k = int(codes[i])
            problems.append((int(i), column, uniques[k], bad[k]))
    return (codes, typed), problems


def _parse_distinct(column: Column, uniques: list[str]) -> tuple[pd.Series, dict[int, BadValue]]:
    """Each distinct text parsed, as the column's typed values, and the problems by position."""
    parse: Callable[[str], object] = parser_for(column)
    results: list[object] = []
    bad: dict[int, BadValue] = {}
    for k, text in enumerate(uniques):
        if not text:
            results.append(None)
            continue
        try:
            results.append(parse(text))
        except BadValue as problem:
            results.append(problem.keep)
            bad[k] = problem
    return _typed(column, results), bad


def _problem_lines(numbers: np.ndarray, problems: list[Problem], quarantined: set[int]) -> list[dict[str, object]]:
    """One `quarantined` line per removed row (naming any further problems), `kept_flagged` lines otherwise."""
    by_row: dict[int, list[Problem]] = {}
    for problem in problems:
        by_row.setdefault(problem[0], []).append(problem)
    lines: list[dict[str, object]] = []
    for i in sorted(by_row):
        found = by_row[i]
        row = int(numbers[i])
        if i in quarantined:
            blocking = [p for p in found if p[1].required and p[3].keep is None]
            _, column, text, bad = blocking[0]
            others = [p[1].name for p in found if p is not blocking[0]]
            reason = bad.reason
            if others:
                reason += f"（另有问题列 / also: {', '.join(others)}）"
            lines.append(_entry(row, column, text, reason, QUARANTINED))
        else:
            lines.extend(_entry(row, column, text, bad.reason, KEPT_FLAGGED) for _, column, text, bad in found)
    return lines


def _entry(row: int, column: Column, text: str, reason: str, action: str) -> dict[str, object]:
    value = mask_id(text) if column.kind == "id" else text
    return {"row": row, "column": column.name, "value": value, "reason": reason, "action": action}


def _id_columns(
    column: Column, texts: np.ndarray, numbers: np.ndarray
) -> tuple[dict[str, pd.Series], list[dict[str, object]]]:
    """`<col>` normalised (None if missing), `<col>_raw` as given, `<col>_status`; flags for bad numbers."""
    normalised, statuses = normalise_many(texts)
    lines: list[dict[str, object]] = []
    for i in np.flatnonzero((statuses == "invalid") | (statuses == "missing")):
        text, status = texts[i], statuses[i]
        if status == "invalid" and _SCIENTIFIC.match(text):
            lines.append(_entry(int(numbers[i]), column, text, AS_NUMBER, KEPT_FLAGGED))
        else:
            lines.append(_entry(int(numbers[i]), column, text, ID_PROBLEMS[status], KEPT_FLAGGED))
    frame = {
        column.name: pd.Series(_none_if_empty(normalised), dtype="object"),
        f"{column.name}_raw": pd.Series(_none_if_empty(texts), dtype="object"),
        f"{column.name}_status": pd.Series(statuses, dtype="object"),
    }
    return frame, lines


def _none_if_empty(values: np.ndarray) -> np.ndarray:
    out = values.copy()
    out[values == ""] = None
    return out


def _typed(column: Column, values: list[object]) -> pd.Series:
    """A column in the dtype docs/architecture.md promises for its kind (dates: values.parse_dates)."""
    if column.kind in ("money", "number"):
        return pd.Series(values, dtype="float64")
    if column.kind in ("int", "disability_level"):
        return pd.Series(values, dtype="Int64")
    return pd.Series(values, dtype="object")
