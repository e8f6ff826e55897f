"""Fixture writing a county-month input folder to tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest
from checkdata import REGISTRY, ROLL, STANDARDS, WriteCounty


@pytest.fixture()
def write_county(tmp_path: Path) -> WriteCounty:
    """Write sources as files (name -> CSV text; None leaves the source out) and return the folder."""

    def write(encoding: str = "utf-8", **sources: str | None) -> Path:
        folder = tmp_path / "429006" / "2026-10"
        folder.mkdir(parents=True, exist_ok=True)
        files = {"roll": ROLL, "household_registry": REGISTRY, "standards": STANDARDS, **sources}
        for name, text in files.items():
            if text is not None:
                (folder / f"{name}.csv").write_bytes(text.encode(encoding))
        return folder

    return write
