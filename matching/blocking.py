"""Candidate pairs: which records are worth comparing at all.

Recall is decided here: a pair never blocked together can never link. Four
rules, unioned:

1. the same identity number (valid, upgraded 15→18, or the same invalid text);
2. an invalid number one digit away from the other side's number — MOD 11-2
   catches every single-digit typo, so the typo's one-digit corrections
   (idnumber.one_digit_corrections, at most 18) always contain the true number;
3. the same birth date and the same name sound (no number, or a bad one);
4. the same county and the same name sound, only for records with neither a
   number nor a birth date (cremation records that give an age).

Every rule is an equality join. The keys of all sources are coded once as
integers in one vocabulary (`source_keys`), so each source pair costs a few
sorted-array lookups rather than a hash merge of text columns; the pairs come
out as `recordlinkage.Index` with `Block` rules gives them (sorted by left,
then right position), which keeps everything downstream in the same order.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property

import numpy as np
import pandas as pd

from hecha import idnumber
from hecha.runs import run_starts

NONE = -1  # key of a record that takes no part in a rule
RULES = ("id", "birth_sound", "county_sound", "bare_county_sound")


class Keys:
    """One source's records as integer keys per rule (NONE: no part in it), and its one-digit corrections."""

    def __init__(self, keys: Mapping[str, np.ndarray], fix_pos: np.ndarray, fix_id: np.ndarray) -> None:
        self.keys = dict(keys)
        self.n = len(keys["id"])
        self.fix_pos = fix_pos  # position of a record with an invalid number, once per correction
        self.fix_id = fix_id  # the corrected number's "id" key

    @cached_property
    def sorted(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Per rule: positions with a key in key order (ties by position), and those keys."""
        out = {}
        for rule, key in self.keys.items():
            pos = np.flatnonzero(key != NONE)
            pos = pos[np.argsort(key[pos], kind="stable")]
            out[rule] = (pos, key[pos])
        return out


def _codes(columns: list[pd.Series]) -> list[np.ndarray]:
    """One integer code per distinct value across several columns (NONE for NA)."""
    sizes = [len(c) for c in columns]
    if not sum(sizes):
        return [np.zeros(0, dtype=np.int64) for _ in columns]
    joined = np.concatenate([c.to_numpy(dtype=object) for c in columns])
    codes = pd.factorize(joined, use_na_sentinel=True)[0].astype(np.int64)
    return np.split(codes, np.cumsum(sizes)[:-1])


def _corrections(people: pd.DataFrame) -> pd.DataFrame:
    """(position, corrected number) for every invalid 18-character number."""
    invalid = people["id_number"][people["id_status"] == "invalid"]
    bad = invalid[invalid.str.len() == 18]
    fixes = pd.Series({i: idnumber.one_digit_corrections(v) for i, v in bad.items()}, dtype="object")
    fixes = fixes.explode().dropna()
    return pd.DataFrame({"pos": fixes.index.to_numpy(dtype=np.int64), "key": fixes.to_numpy(dtype=object)})


def _nonempty(values: pd.Series) -> pd.Series:
    return values.where(values != "")


def source_keys(frames: Mapping[str, pd.DataFrame]) -> dict[str, Keys]:
    """Blocking keys of person frames (prepare.person_frame) in one vocabulary, so any two can be joined."""
    names = list(frames)
    fixes = [_corrections(frames[s]) for s in names]
    id_codes = _codes([frames[s]["id_key"] for s in names] + [pd.Series(f["key"]) for f in fixes])
    sounds = _codes([_nonempty(frames[s]["name_sound"]) for s in names])
    counties = _codes([_nonempty(frames[s]["county"]) for s in names])
    days = [frames[s]["birth_date"].to_numpy().astype("datetime64[D]").astype("int64") for s in names]
    known = [frames[s]["birth_date"].notna().to_numpy() for s in names]
    first_day = min((int(d[k].min()) for d, k in zip(days, known, strict=True) if k.any()), default=0)
    span = max((int(d[k].max()) for d, k in zip(days, known, strict=True) if k.any()), default=0) - first_day + 1
    n_sounds = max((int(c.max()) + 1 for c in sounds if len(c)), default=0)
    out = {}
    for i, s in enumerate(names):
        sound, county = sounds[i], counties[i]
        birth_sound = np.where(known[i] & (sound != NONE), sound * span + (days[i] - first_day), NONE)
        county_sound = np.where((county != NONE) & (sound != NONE), county * n_sounds + sound, NONE)
        bare = (id_codes[i] == NONE) & ~known[i]
        keys = {"id": id_codes[i], "birth_sound": birth_sound, "county_sound": county_sound,
                "bare_county_sound": np.where(bare, county_sound, NONE)}  # fmt: skip
        out[s] = Keys(keys, fixes[i]["pos"].to_numpy(dtype=np.int64), id_codes[len(names) + i])
    return out


def _join(left: np.ndarray, right: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Positions (i, j) with left[i] == right key of j, ordered by i then j (an inner merge's order)."""
    pos_r, key_r = right
    i = np.flatnonzero(left != NONE)
    lo = np.searchsorted(key_r, left[i], "left")
    count = np.searchsorted(key_r, left[i], "right") - lo
    starts = np.cumsum(count) - count
    j = pos_r[np.repeat(lo - starts, count) + np.arange(int(count.sum()))]
    return np.repeat(i, count), j


def _one_digit(a: Keys, b: Keys) -> tuple[np.ndarray, np.ndarray]:
    """Pairs where one side's invalid number corrects (one digit) to the other's number."""
    fa, jb = _join(a.fix_id, b.sorted["id"])
    fb, ja = _join(b.fix_id, a.sorted["id"])
    return np.concatenate([a.fix_pos[fa], ja]), np.concatenate([jb, b.fix_pos[fb]])


def _union(parts: list[np.ndarray]) -> np.ndarray:
    """Pair codes of all rules, as `MultiIndex.union` leaves them: sorted once two non-equal parts meet.

    Joins come out sorted, so a stable sort (timsort) of their concatenation is
    a merge of a few runs, much cheaper than the pairwise sorts of `np.union1d`.
    """
    filled = [part for part in parts if len(part)]
    if not filled or all(np.array_equal(filled[0], part) for part in filled[1:]):
        return filled[0] if filled else parts[0]
    joined = np.sort(np.concatenate(filled), kind="stable")
    return joined[run_starts(joined)]


def pairs_of(a: Keys, b: Keys | None = None) -> pd.MultiIndex:
    """Candidate (left position, right position) pairs of two sources' keys; `b=None` deduplicates `a`."""
    right = a if b is None else b
    joins = [
        _join(a.keys["id"], right.sorted["id"]),
        _one_digit(a, right),
        _join(a.keys["birth_sound"], right.sorted["birth_sound"]),
        _join(a.keys["bare_county_sound"], right.sorted["county_sound"]),
        _join(a.keys["county_sound"], right.sorted["bare_county_sound"]),
    ]
    width = max(right.n, 1)
    codes = _union([i.astype(np.int64) * width + j for i, j in joins])
    left_pos, right_pos = np.divmod(codes, width)
    if b is None:
        # Linking the frame with itself keeps the asymmetric county rule symmetric.
        keep = left_pos < right_pos
        left_pos, right_pos = left_pos[keep], right_pos[keep]
    levels = [pd.RangeIndex(a.n), pd.RangeIndex(right.n)]
    return pd.MultiIndex(levels=levels, codes=[left_pos, right_pos], verify_integrity=False)  # type: ignore[arg-type,list-item]


def candidate_pairs(left: pd.DataFrame, right: pd.DataFrame | None = None) -> pd.MultiIndex:
    """Candidate (left position, right position) pairs of person frames; `right=None` deduplicates `left`."""
    keys = source_keys({"left": left} if right is None else {"left": left, "right": right})
    return pairs_of(keys["left"], keys.get("right"))
