"""Source rows read one at a time for evidence, as dicts, without a pandas Series per row."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


class RowLookup:
    """Rows of one source frame by `_row`, read as dicts for evidence without building a Series per row."""

    def __init__(self, df: pd.DataFrame) -> None:
        self._rows = pd.Index(df["_row"].to_numpy())
        self._columns = [str(c) for c in df.columns]
        self._names = set(self._columns)
        self._df = df
        self._values: dict[str, Any] = {}

    def get(self, row: int, columns: list[str] | None = None) -> dict[str, Any] | None:
        try:
            pos = self._rows.get_loc(row)
        except KeyError:
            return None
        if isinstance(pos, slice):  # duplicate _row values should not happen; take the first
            pos = pos.start
        elif not isinstance(pos, int):
            pos = int(np.flatnonzero(pos)[0])
        wanted = self._columns if columns is None else [c for c in columns if c in self._names]
        return {c: self._column(c)[pos] for c in wanted}

    def _column(self, name: str) -> Any:
        if name not in self._values:
            self._values[name] = self._df[name].to_numpy()
        return self._values[name]
