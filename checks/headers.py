"""Mapping a file's header row to the contract's canonical column names.

Exports name columns in English or Chinese, in any order, sometimes with stray spaces or
full-width characters (（）, Ａ); all of these must map to one canonical name.
"""

from __future__ import annotations

import re
import unicodedata

from hecha.contract import Source
from hecha.exceptions import InputFileError

_SPACES = re.compile(r"\s+")


def header_key(text: str) -> str:
    """Comparable form of a header: NFKC (full-width → ASCII), no spaces or BOM, lower case."""
    text = unicodedata.normalize("NFKC", text.replace("\ufeff", ""))
    return _SPACES.sub("", text).lower()


def map_header(source: Source, header: list[str], file_name: str) -> dict[int, str]:
    """Column position → canonical name for known columns, or the cleaned header for extras.

    A missing `required` column makes the whole file unusable: InputFileError names it
    in Chinese and English.
    """
    known: dict[str, str] = {}
    for column in source.columns:
        known[header_key(column.name)] = column.name
        known[header_key(column.zh)] = column.name

    mapping: dict[int, str] = {}
    used: set[str] = set()
    for position, text in enumerate(header):
        name = known.get(header_key(text))
        if name is None or name in used:
            # Unknown (or repeated) column: kept under its own header, never used by rules.
            name = _extra_name(unicodedata.normalize("NFKC", text).strip() or f"column_{position + 1}", source, used)
        used.add(name)
        mapping[position] = name

    for column in source.columns:
        if column.required and column.name not in used:
            raise InputFileError(
                file_name,
                f"表头缺少必需列「{column.zh}」({column.name})",
                f"the header lacks required column '{column.name}' ({column.zh})",
            )
    return mapping


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
