"""Writing sources the way counties send them: mixed encodings, formats, headers, dates.

Each source has a fixed format plan (below) so that every run of a seed is byte-identical;
the mix covers UTF-8, UTF-8 with BOM, GBK, GB18030 and .xlsx, Chinese and English
headers, shuffled column order and four date styles.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from hecha.contract import SOURCES

XLSX_MAX_ROWS = 20_000
EXTRA_HEADERS = {
    "established": ("established_date", "立户日期"),
    "phone": ("phone", "联系电话"),
    "area": ("area", "城乡"),
    "min_age": ("min_age", "最低年龄"),
}

# source -> (format, encoding, chinese headers, shuffled columns, date style; -1 = mixed per row)
PLAN: dict[str, tuple[str, str, bool, bool, int]] = {
    "roll": ("xlsx", "utf-8-sig", True, True, -1),
    "household_registry": ("csv", "gb18030", True, False, 2),
    "poverty_registry": ("xlsx", "utf-8-sig", True, True, 0),
    "deaths": ("csv", "gbk", True, False, -1),
    "disability_registry": ("csv", "utf-8-sig", False, False, 1),
    "real_estate": ("csv", "gbk", True, True, 3),
    "vehicles": ("csv", "utf-8", False, True, 0),
    "businesses": ("xlsx", "utf-8-sig", True, False, 0),
    "payroll": ("csv", "gb18030", True, True, 0),
    "cadres": ("xlsx", "utf-8-sig", True, False, 0),
    "cadre_kin_filings": ("csv", "utf-8-sig", True, False, 3),
    "standards": ("csv", "utf-8", False, False, 0),
}


def format_dates(values: pd.Series, style: np.ndarray) -> list[str]:
    """Dates in the contract's four styles; NaT becomes an empty cell."""
    d = pd.Series(pd.to_datetime(values).to_numpy(), dtype="datetime64[ns]")
    year = d.dt.year.astype("Int64").astype(str)
    month = d.dt.month.astype("Int64").astype(str)
    day = d.dt.day.astype("Int64").astype(str)
    styles = [
        d.dt.strftime("%Y-%m-%d"),
        year + "/" + month + "/" + day,
        d.dt.strftime("%Y%m%d"),
        year + "年" + month + "月" + day + "日",
    ]
    out = styles[0].copy()
    for k in (1, 2, 3):
        out = out.where(style != k, styles[k])
    return out.where(d.notna(), "").tolist()


def _text(frame: pd.DataFrame, source: str, style: int, rng: np.random.Generator) -> pd.DataFrame:
    """All cells as text, in the source's date style(s)."""
    out = pd.DataFrame(index=frame.index)
    kinds = {c.name: c.kind for c in SOURCES[source].columns}
    for col in frame.columns:
        if col.startswith("_"):
            continue
        values = frame[col]
        if kinds.get(col) == "date" or col == "established":
            styles = rng.integers(0, 4, len(frame)) if style < 0 else np.full(len(frame), style)
            out[col] = format_dates(values, styles)
        elif pd.api.types.is_float_dtype(values):
            out[col] = [("" if pd.isna(v) else f"{v:.2f}".rstrip("0").rstrip(".")) for v in values]
        else:
            out[col] = values.astype(object).where(values.notna(), "").astype(str)
    return out


def write_source(folder: Path, source: str, frame: pd.DataFrame, rng: np.random.Generator) -> Path:
    """Write one source; returns the file path. Row i of `frame` is file row i + 2."""
    fmt, encoding, chinese, shuffle, style = PLAN[source]
    text = _text(frame, source, style, rng)
    if shuffle:
        text = text[[text.columns[i] for i in rng.permutation(len(text.columns))]]
    headers = []
    for col in text.columns:
        if col in EXTRA_HEADERS and col not in SOURCES[source].column_names:
            headers.append(EXTRA_HEADERS[col][1 if chinese else 0])
        else:
            headers.append(SOURCES[source].column(col).zh if chinese else col)
    text.columns = headers
    if fmt == "xlsx" and len(text) <= XLSX_MAX_ROWS:
        path = folder / f"{source}.xlsx"
        _write_xlsx(path, text)
    else:
        path = folder / f"{source}.csv"
        with path.open("w", encoding=encoding, newline="") as fh:
            text.to_csv(fh, index=False, lineterminator="\r\n" if encoding.startswith("gb") else "\n")
    return path


def _write_xlsx(path: Path, text: pd.DataFrame) -> None:
    """xlsx with every cell as text (identity numbers must not become numbers) and a fixed
    creation date so the file is byte-identical across runs."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    book.set_properties({"created": dt.datetime(2020, 1, 1)})
    sheet = book.add_worksheet("Sheet1")
    sheet.write_row(0, 0, list(text.columns))
    for r, row in enumerate(text.itertuples(index=False), start=1):
        sheet.write_row(r, 0, [str(v) for v in row])
    book.close()
