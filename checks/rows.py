"""Turning numbered text rows into a typed source frame plus quarantine lines.

A row that cannot be used (a `required` value empty or unparseable) leaves the frame and
gets one `quarantined` line; a bad optional value becomes NA with a `kept_flagged` line.
Identity numbers are never a reason to quarantine: invalid or missing ones stay, flagged.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd

from checks.values import BadValue, parser_for
from hecha.contract import Column, Source
from hecha.idnumber import normalise
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


def parse_rows(
    source: Source, mapping: dict[int, str], rows: list[tuple[int, list[str]]]
) -> tuple[pd.DataFrame, list[dict[str, object]]]:
    """The typed frame of the usable rows and the quarantine lines (without source/file)."""
    texts = {name: [fields[pos].strip() for _, fields in rows] for pos, name in mapping.items()}
    empty = [""] * len(rows)
    values: dict[str, list[object]] = {}
    problems: list[Problem] = []
    for column in source.columns:
        column_texts = texts.get(column.name, empty)
        if column.kind == "id":
            continue  # identity numbers are normalised after the quarantine decision
        values[column.name], found = _parse_column(column, column_texts)
        problems.extend(found)

    quarantined = {i for i, column, _, bad in problems if column.required and bad.keep is None}
    keep = [i for i in range(len(rows)) if i not in quarantined]
    lines = _problem_lines(rows, problems, quarantined)

    frame = pd.DataFrame(index=range(len(keep)))
    for column in source.columns:
        if column.kind == "id":
            id_frame, id_lines = _id_columns(column, [texts.get(column.name, empty)[i] for i in keep], rows, keep)
            for name in id_frame:
                frame[name] = id_frame[name].to_numpy()
            if column.name in texts:  # a column the file does not have is not a data problem per row
                lines.extend(id_lines)
        else:
            frame[column.name] = _typed(column, [values[column.name][i] for i in keep])
    frame["_row"] = pd.Series([rows[i][0] for i in keep], dtype="int64")
    known = set(source.column_names)
    for name, column_texts in texts.items():
        if name not in known:
            frame[name] = pd.Series([column_texts[i] or None for i in keep], dtype="object")
    return frame, lines


def _parse_column(column: Column, texts: list[str]) -> tuple[list[object], list[Problem]]:
    """Parse each distinct text once (codes and dates repeat a lot in a county's files)."""
    parse: Callable[[str], object] = parser_for(column)
    cache: dict[str, object | BadValue] = {}
    out: list[object] = []
    problems: list[Problem] = []
    for i, text in enumerate(texts):
        if not text:
            out.append(None)
            if column.required:
                problems.append((i, column, text, EMPTY_REQUIRED))
            continue
        if text not in cache:
            try:
                cache[text] = parse(text)
            except BadValue as bad:
                cache[text] = bad
        result = cache[text]
        if isinstance(result, BadValue):
            out.append(result.keep)
            problems.append((i, column, text, result))
        else:
            out.append(result)
    return out, problems


def _problem_lines(
    rows: list[tuple[int, list[str]]], problems: list[Problem], quarantined: set[int]
) -> list[dict[str, object]]:
    """One `quarantined` line per removed row (naming any further problems), `kept_flagged` lines otherwise."""
    by_row: dict[int, list[Problem]] = {}
    for problem in problems:
        by_row.setdefault(problem[0], []).append(problem)
    lines: list[dict[str, object]] = []
    for i in sorted(by_row):
        found = by_row[i]
        if i in quarantined:
            blocking = [p for p in found if p[1].required and p[3].keep is None]
            _, column, text, bad = blocking[0]
            others = [p[1].name for p in found if p is not blocking[0]]
            reason = bad.reason
            if others:
                reason += f"（另有问题列 / also: {', '.join(others)}）"
            lines.append(_entry(rows[i][0], column, text, reason, QUARANTINED))
        else:
            lines.extend(_entry(rows[i][0], column, text, bad.reason, KEPT_FLAGGED) for _, column, text, bad in found)
    return lines


def _entry(row: int, column: Column, text: str, reason: str, action: str) -> dict[str, object]:
    value = mask_id(text) if column.kind == "id" else text
    return {"row": row, "column": column.name, "value": value, "reason": reason, "action": action}


def _id_columns(
    column: Column, texts: list[str], rows: list[tuple[int, list[str]]], keep: list[int]
) -> tuple[pd.DataFrame, list[dict[str, object]]]:
    """`<col>` normalised (None if missing), `<col>_raw` as given, `<col>_status`; flags for bad numbers."""
    cache: dict[str, tuple[str, str]] = {}
    normalised, statuses = [], []
    lines: list[dict[str, object]] = []
    for text, i in zip(texts, keep, strict=True):
        if text not in cache:
            cache[text] = normalise(text)
        number, status = cache[text]
        normalised.append(number or None)
        statuses.append(status)
        if status == "invalid" and _SCIENTIFIC.match(text):
            lines.append(_entry(rows[i][0], column, text, AS_NUMBER, KEPT_FLAGGED))
        elif status in ID_PROBLEMS:
            lines.append(_entry(rows[i][0], column, text, ID_PROBLEMS[status], KEPT_FLAGGED))
    frame = pd.DataFrame(
        {
            column.name: pd.Series(normalised, dtype="object"),
            f"{column.name}_raw": pd.Series([t or None for t in texts], dtype="object"),
            f"{column.name}_status": pd.Series(statuses, dtype="object"),
        }
    )
    return frame, lines


def _typed(column: Column, values: list[object]) -> pd.Series:
    """A column in the dtype docs/architecture.md promises for its kind."""
    if column.kind == "date":
        return pd.Series(pd.to_datetime(pd.Series(values, dtype="object")), dtype="datetime64[ns]")
    if column.kind in ("money", "number"):
        return pd.Series(values, dtype="float64")
    if column.kind in ("int", "disability_level"):
        return pd.Series(values, dtype="Int64")
    return pd.Series(values, dtype="object")
