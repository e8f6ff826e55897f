"""The loaded input of one county-month: what ingestion hands to every later stage."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from hecha import idnumber
from hecha.contract import OPTIONAL_SOURCES, SOURCES

QUARANTINE_COLUMNS = ["source", "file", "row", "column", "value", "reason", "action"]


@dataclass
class Dataset:
    """Normalised source frames of one county-month plus what was set aside.

    `frames[source]` has every canonical column of the contract (absent optional
    columns as NA), `_row` (the row number in the file, header = 1) and for each
    identity column `<col>` also `<col>_raw` (as given) and `<col>_status`
    (valid | upgraded | invalid | missing, see hecha.idnumber).
    """

    county: str
    period: str  # YYYY-MM
    folder: Path
    frames: dict[str, pd.DataFrame]
    files: dict[str, Path] = field(default_factory=dict)
    rows_read: dict[str, int] = field(default_factory=dict)  # data rows in the file, incl. quarantined
    quarantine: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=QUARANTINE_COLUMNS))
    absent: list[str] = field(default_factory=list)  # optional sources not supplied
    # source -> what reading it took and warnings for the clerk (中文 / English)
    notes: dict[str, list[str]] = field(default_factory=dict)
    unreadable: dict[str, str] = field(default_factory=dict)  # optional source -> why its file could not be used

    @property
    def period_start(self) -> pd.Timestamp:
        return pd.Timestamp(f"{self.period}-01")

    def has(self, source: str) -> bool:
        return source in self.frames

    def quarantined_counts(self) -> dict[str, int]:
        q = self.quarantine[self.quarantine["action"] == "quarantined"]
        return {str(k): int(v) for k, v in q.groupby("source").size().items()}


def from_frames(frames: dict[str, pd.DataFrame], county: str, period: str, folder: Path = Path(".")) -> Dataset:
    """A Dataset from frames that already hold typed values (tests, benchmarks, other loaders).

    Does what ingestion does after parsing: every contract column present, identity
    columns normalised with `<col>_raw` and `<col>_status`, dates as datetime64,
    `_row` numbered as in a file whose header is row 1.
    """
    out = {}
    for source, frame in frames.items():
        df = frame.copy()
        for col in SOURCES[source].column_names:
            if col not in df.columns:
                df[col] = pd.NA
        for col in SOURCES[source].id_columns():
            norm = idnumber.normalise_series(df[col])
            df[f"{col}_raw"] = df[col]
            df[col] = norm["id_number"]
            df[f"{col}_status"] = norm["status"]
        for column in SOURCES[source].columns:
            if column.kind == "date":
                df[column.name] = pd.to_datetime(df[column.name], errors="coerce")
        df["_row"] = range(2, len(df) + 2)
        out[source] = df
    absent = [s for s in OPTIONAL_SOURCES if s not in out]
    return Dataset(county=county, period=period, folder=folder, frames=out, absent=absent)
