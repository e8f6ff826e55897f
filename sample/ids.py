"""Vectorised GB 11643 numbers for synthetic people (area = the county)."""

from __future__ import annotations

import numpy as np

from hecha.idnumber import CHECK_CHARS, WEIGHTS


def check_chars(first17: np.ndarray) -> np.ndarray:
    """MOD 11-2 check characters for an array of 17-digit strings."""
    digits = np.frombuffer("".join(first17).encode("ascii"), dtype=np.uint8).reshape(-1, 17) - 48
    total = (digits.astype(np.int64) * np.array(WEIGHTS)).sum(axis=1) % 11
    return np.array(list(CHECK_CHARS))[total]


def make_ids(rng: np.random.Generator, county: str, birth: np.ndarray, sex: np.ndarray) -> np.ndarray:
    """Unique 18-character numbers: county area, birth date, sequence with sex parity, check."""
    n = len(birth)
    ymd = np.datetime_as_string(birth.astype("datetime64[D]"), unit="D")
    ymd = np.char.replace(ymd.astype(str), "-", "")
    parity = (sex == "M").astype(np.int64)
    seq = rng.integers(0, 500, size=n) * 2 + parity
    for _ in range(50):  # redraw the rare collisions of (birth date, sequence)
        key = np.char.add(ymd, np.char.zfill(seq.astype(str), 3))
        _, first = np.unique(key, return_index=True)
        dup = np.ones(n, dtype=bool)
        dup[first] = False
        if not dup.any():
            break
        seq[dup] = rng.integers(0, 500, size=int(dup.sum())) * 2 + parity[dup]
    first17 = np.char.add(np.char.add(county, ymd), np.char.zfill(seq.astype(str), 3))
    return np.char.add(first17, check_chars(first17)).astype(object)


def to_legacy15(number: str) -> str:
    """The legacy 15-digit form of an 18-digit number of someone born in the 1900s."""
    return number[:6] + number[8:17]
