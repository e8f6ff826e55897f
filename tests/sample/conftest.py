"""One small generated county per session (two months), shared by the sample tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from sampledata import HOUSEHOLDS, SEED

from sample import generate_county


@pytest.fixture(scope="session")
def county_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sample")
    generate_county(root, "429006", "2026-10", HOUSEHOLDS, SEED)
    generate_county(root, "429006", "2026-11", HOUSEHOLDS, SEED)
    return root


@pytest.fixture(scope="session")
def october(county_root: Path) -> Path:
    return county_root / "429006" / "2026-10"


@pytest.fixture(scope="session")
def november(county_root: Path) -> Path:
    return county_root / "429006" / "2026-11"
