"""Reading generated files back the way a careful user would (tests only)."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import openpyxl
import pandas as pd


def read_source(path: Path) -> pd.DataFrame:
    """A source file as text cells: xlsx first sheet, or CSV in UTF-8 (BOM) / GBK / GB18030."""
    if path.suffix == ".xlsx":
        sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
        rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        return pd.DataFrame(rows[1:], columns=rows[0])
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        return pd.read_csv(StringIO(text), dtype=str, keep_default_na=False)
    raise ValueError(path)


def source_file(folder: Path, source: str) -> Path:
    (path,) = [p for p in folder.iterdir() if p.stem == source]
    return path


HOUSEHOLDS = 400
SEED = 11
