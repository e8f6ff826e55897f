"""Favour-risk fixtures: one hand-made county per session (it is read-only)."""

from __future__ import annotations

import pytest
from favour_county import County, make_county


@pytest.fixture(scope="session")
def county() -> County:
    return make_county()
