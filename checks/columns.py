"""Whole-column text operations for ingestion, each exactly what its Python string method does.

A county's household registry is a million lines: ingestion works on columns of text
(pyarrow string arrays) and touches single values in Python only where a value needs it:
the few cells with spaces around them, the distinct values of a coded column.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def strip(column: pa.Array) -> pa.Array:
    """`str.strip()` of every cell: only cells that start or end with whitespace are touched."""
    if not len(column):
        return column
    first = pc.utf8_slice_codeunits(column, 0, 1)
    last = pc.utf8_slice_codeunits(column, -1)
    ends = set(pc.unique(first).to_pylist()) | set(pc.unique(last).to_pylist())
    spaces = pa.array([c for c in ends if c and c.isspace()], type=pa.string())  # what str.strip removes
    if not len(spaces):
        return column
    mask = pc.or_(pc.is_in(first, value_set=spaces), pc.is_in(last, value_set=spaces))
    stripped = [text.strip() for text in column.filter(mask).to_pylist()]
    return pc.replace_with_mask(column, mask, pa.array(stripped, type=pa.string()))


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
