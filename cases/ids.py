"""Stable case identifiers: the same finding about the same subject keeps its id across runs and months."""

from __future__ import annotations

from hecha.privacy import pseudonym


def case_id(county: str, finding: str, subject_key: str) -> str:
    return f"C{county}-" + pseudonym(county, finding, subject_key, length=12)
