"""Masking and pseudonymisation of personal data (PIPL).

Lists, reports, logs and exports of evidence show identity numbers and phones
masked; stable keys (person ids, case ids) are hashes, never raw numbers.
"""

from __future__ import annotations

import hashlib

import pandas as pd


def mask_id(number: object) -> str:
    """42010519491231002X -> 420105********002X; short or empty values stay short."""
    text = "" if number is None or (isinstance(number, float) and number != number) else str(number)
    if len(text) >= 15:
        return text[:6] + "*" * (len(text) - 10) + text[-4:]
    if len(text) > 4:
        return "*" * (len(text) - 4) + text[-4:]
    return "*" * len(text)


def mask_phone(phone: object) -> str:
    """13812345678 -> 138****5678."""
    text = "" if phone is None or (isinstance(phone, float) and phone != phone) else str(phone)
    if len(text) >= 7:
        return text[:3] + "*" * (len(text) - 7) + text[-4:]
    return "*" * len(text)


def mask_name(name: object) -> str:
    """张三丰 -> 张**: for public notices and anonymised typical cases."""
    text = "" if name is None or (isinstance(name, float) and name != name) else str(name)
    return text[:1] + "*" * (len(text) - 1) if text else ""


def mask_account(account: object) -> str:
    """Bank accounts keep their last four digits."""
    text = "" if account is None or (isinstance(account, float) and account != account) else str(account)
    return "*" * max(len(text) - 4, 0) + text[-4:]


def pseudonym(*parts: object, prefix: str = "", length: int = 16) -> str:
    """A stable, non-reversible-by-eye key from parts (used for person and case ids)."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()
    return prefix + digest[:length]


def mask_id_series(values: pd.Series) -> pd.Series:
    return values.map(mask_id)
