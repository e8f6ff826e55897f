"""The read floor: reading every input file of a county-month once with plain pandas.

Run on demand:  .venv/bin/python benchmarks/read_floor.py FOLDER

Issue 13 measures a run against this floor (a run must cost at most 15 times it), so the
pipeline benchmark imports `read_floor_seconds` and measures it in the same process and
run. The floor reads exactly the files ingestion would read (`find_source_file`), text
files with `pd.read_csv(dtype=str)` in their encoding, workbooks with `pd.read_excel`
(every sheet, as ingestion looks at every sheet) through calamine, the engine ingestion
uses. Detecting a text file's encoding is done before the clock starts: the floor is the
cost of reading, not of guessing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from checks.ingest import find_source_file
from checks.reading import WORKBOOK_SUFFIXES
from hecha.contract import SOURCES

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _encoding(data: bytes) -> str:
    """The encoding pandas needs for this text file (BOMs, UTF-16, else UTF-8 or GB18030)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def _plan(folder: Path) -> list[tuple[Path, str | None, str]]:
    """(file, encoding or None for a workbook, delimiter) for every source file of the folder."""
    out: list[tuple[Path, str | None, str]] = []
    for name in SOURCES:
        path = find_source_file(folder, name)
        if path is None:
            continue
        data = path.read_bytes()
        if data.startswith((_ZIP, _OLE)) or path.suffix.lower() in WORKBOOK_SUFFIXES:
            out.append((path, None, ""))
            continue
        encoding = _encoding(data)
        first = data.decode(encoding, errors="replace").split("\n", 1)[0]
        tabs = path.suffix.lower() in (".txt", ".tsv") or first.count("\t") > first.count(",")
        out.append((path, encoding, "\t" if tabs else ","))
    return out


def read_floor(folder: Path) -> list[tuple[str, float, int]]:
    """(file name, seconds, rows) for each source file read once with plain pandas."""
    timings = []
    for path, encoding, sep in _plan(Path(folder)):
        start = time.perf_counter()
        if encoding is None:
            sheets = pd.read_excel(path, sheet_name=None, dtype=str, engine="calamine")
            rows = sum(len(s) for s in sheets.values())
        else:
            rows = len(pd.read_csv(path, dtype=str, encoding=encoding, sep=sep))
        timings.append((path.name, time.perf_counter() - start, rows))
    return timings


def read_floor_seconds(folder: Path) -> float:
    """Seconds to read every input file of `folder` once with plain pandas (the read floor)."""
    return sum(seconds for _, seconds, _ in read_floor(folder))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("folder", type=Path)
    args = ap.parse_args()
    timings = read_floor(args.folder)
    print("| file | seconds | rows |\n|---|---|---|")
    for name, seconds, rows in timings:
        print(f"| {name} | {seconds:.2f} | {rows:,} |")
    print(f"| **read floor** | **{sum(s for _, s, _ in timings):.2f}** | {sum(r for _, _, r in timings):,} |")


if __name__ == "__main__":
    main()
