"""Whole-column text operations for ingestion, each exactly what its Python string method does.

A county's household registry is a million lines: ingestion works on columns of text
(pyarrow string arrays) and touches single values in Python only where a value needs it:
the few cells with spaces around them, the distinct values of a coded column.
"""

from __future__ import annotations

import sys

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def strip(column: pa.Array) -> pa.Array:
    """`str.strip()` of every cell: only cells that start or end with whitespace are touched."""
    mask = edge_space(column)
    if not mask.any():
        return column
    stripped = [text.strip() for text in column.filter(pa.array(mask)).to_pylist()]
    return pc.replace_with_mask(column, pa.array(mask), pa.array(stripped, type=pa.string()))


# Every character str.strip() removes (str.isspace()), as UTF-8 bytes: one byte for ASCII, two
# (C2 85, C2 A0) or three (E1 9A 80, E2 80 80 …, E3 80 80) for the others.
_SPACE_CODES = [chr(c).encode() for c in range(sys.maxunicode + 1) if chr(c).isspace()]
_SPACE_BY_SIZE = {n: np.array([int.from_bytes(b, "big") for b in _SPACE_CODES if len(b) == n]) for n in (1, 2, 3)}
_FIRST_BYTES = np.array(sorted({b[0] for b in _SPACE_CODES}), dtype=np.uint8)
_LAST_BYTES = np.array(sorted({b[-1] for b in _SPACE_CODES}), dtype=np.uint8)


def edge_space(column: pa.Array) -> np.ndarray:
    """True where a cell starts or ends with a character str.strip() removes, read from the UTF-8 bytes."""
    size = len(column)
    data = column.buffers()[2]
    found = np.zeros(size, dtype=bool)
    if size == 0 or data is None or data.size == 0:
        return found
    offsets = np.frombuffer(column.buffers()[1], dtype=np.int32)[column.offset : column.offset + size + 1]
    raw = np.frombuffer(data, dtype=np.uint8)
    rows = np.flatnonzero(offsets[1:] > offsets[:-1])
    starts, ends = offsets[rows].astype(np.int64), offsets[rows + 1].astype(np.int64)
    found[rows] = _space_at(raw, starts, ends, True) | _space_at(raw, starts, ends, False)
    return found


def _space_at(raw: np.ndarray, starts: np.ndarray, ends: np.ndarray, first: bool) -> np.ndarray:
    """Whether the first (or last) character of each non-empty cell [start, end) of `raw` is a space."""
    found = np.zeros(len(starts), dtype=bool)
    edge = starts if first else ends - 1
    maybe = np.flatnonzero(np.isin(raw[edge], _FIRST_BYTES if first else _LAST_BYTES))  # few get a closer look
    starts, ends = starts[maybe], ends[maybe]
    for n, codes in _SPACE_BY_SIZE.items():
        begin = starts if first else ends - n  # where an n-byte character at that edge would begin
        ok = ends - starts >= n
        code = np.zeros(len(maybe), dtype=np.int64)
        for k in range(n):
            code = code * 256 + raw[np.where(ok, begin + k, 0)]
        found[maybe] |= ok & np.isin(code, codes)
    return found


def filled(column: pa.Array) -> np.ndarray:
    """True where the cell is not empty."""
    return pc.greater(pc.binary_length(column), 0).to_numpy(zero_copy_only=False)


def first_filled(columns: list[pa.Array], rows: int) -> pa.Array:
    """Each row's first non-empty cell, "" when there is none."""
    first = pa.repeat(pa.scalar("", pa.string()), rows)
    for column in reversed(columns):
        first = pc.if_else(pc.greater(pc.binary_length(column), 0), column, first)
    return first


def lower_in(column: pa.Array, words: tuple[str, ...]) -> np.ndarray:
    """`text.lower() in words` for lower-case ASCII or CJK words: no other character lower-cases
    into them, so lower-casing ASCII letters alone is the same test."""
    found = pc.is_in(pc.ascii_lower(column), value_set=pa.array(words, type=pa.string()))
    return found.to_numpy(zero_copy_only=False)


def objects(column: pa.Array) -> np.ndarray:
    """The cells as a numpy object array of str."""
    return column.to_numpy(zero_copy_only=False).astype(object, copy=False)


def encode(column: pa.Array) -> tuple[np.ndarray, list[str]]:
    """(code of each cell, distinct values): a coded column is parsed once per distinct value."""
    encoded = pc.dictionary_encode(column)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    return encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64), encoded.dictionary.to_pylist()
