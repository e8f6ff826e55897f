"""Stable case identifiers: the same finding about the same subject keeps its id across runs and months."""

from __future__ import annotations

from hecha import settings
from hecha.privacy import pseudonym


def case_id(county: str, finding: str, subject_key: str) -> str:
    return f"C{county}-" + pseudonym(county, finding, subject_key, length=12)


def id_hash(id_number: str) -> str:
    """Salted hash of an identity number; the workspace compares an inspector's own hash with case_people.

    The salt comes from env HECHA_ID_SALT so that hashes are useless outside one installation;
    it must stay the same for the life of the database.
    """
    return pseudonym("case_people", settings.id_salt(), str(id_number).strip().upper(), length=32)
