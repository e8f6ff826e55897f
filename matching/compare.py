"""Comparison vectors: for each candidate pair, one agreement level per field.

Levels are small integers (0 = closest agreement, -1 = NULL: a side lacks the
field, which the classifier treats as no evidence either way). They are
`recordlinkage` compare features, so `rl.Compare` does the row alignment, and
they are vectorised with numpy / rapidfuzz `cpdist` (recordlinkage's own string
methods call jellyfish once per pair and score Chinese names poorly). A level
depends only on the two records' values, so text fields are compared once per
distinct pair of values and taken back to every pair (`PER_DISTINCT`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import recordlinkage as rl
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein, Postfix
from recordlinkage.base import BaseCompareFeature

from matching import regions
from matching.distinct import (
    NOT_18,
    differing_characters,
    distinct_pairs,
    id_chars,
    id_codes,
    involved,
    lengths,
    value_codes,
)

NULL = -1
# Each comparison is NULL where it does not apply, so its m and u are estimated
# only on pairs where it does: an age range (cremation record) is compared by
# "age", never diluted into "birth"; a town-level code by "town", not "region".
FIELDS = ("id", "name", "birth", "age", "sex", "region", "town", "address")
LEVELS: dict[str, tuple[str, ...]] = {
    "id": ("exact", "upgraded_equal", "one_digit", "other"),
    "name": ("exact", "same_sound", "similar", "other"),
    "birth": ("exact", "close", "other"),  # both sides know the date
    "age": ("consistent", "other"),  # one side knows only an age at death
    "sex": ("agree", "disagree"),
    "region": ("same_village", "same_town", "same_county", "other"),  # both village-level codes
    "town": ("same_town", "same_county", "other"),  # a town-level code (village digits 000)
    "address": ("same", "contains", "similar", "other"),  # both sides give a home address
}
NAME_SIMILAR = 0.6  # normalised Levenshtein similarity: one character in three differs
AGE_SLACK_DAYS = 366  # reported ages may be nominal (虚岁) or off by a birthday
ADDRESS_MIN = 6  # characters the shorter address needs before "contains" counts (not just "X镇")
ADDRESS_SIMILAR = 0.75  # normalised Levenshtein similarity, and only with the same house and group numbers
CHUNK = 1_000_000  # pairs compared at a time: bounds memory at ~1M-row scale
# Fields compared as text run once per distinct pair of values: rapidfuzz and
# object equality cost more per pair than finding the distinct pairs (hashing
# integer codes), and pairs repeat texts (at 1M people the cremation rule's 2M
# pairs hold some 5,500 pairs of names). Integer and date fields take a few
# array operations per pair, less than that hashing, so they run on every pair.
PER_DISTINCT = frozenset({"name", "sex", "address"})
PER_DISTINCT_MIN = 200_000  # pairs: fewer take milliseconds to compare, about what finding their distinct values costs


def _digits(ids: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(n, 18) character codes of 18-character numbers (other lengths: zero rows), and the lengths."""
    text = ids.fillna("").astype(str).to_numpy(dtype=object)
    length = lengths(text)
    return id_chars(text, length), length


class IdLevel(BaseCompareFeature):
    """exact / 15-digit upgrade equal / one digit apart / other; NULL unless both have 18 characters.

    Equal numbers that two registry people share (重号, `id_shared`) are NULL too: the
    number says only "one of them", so name, birth and place must say which.
    Numbers are compared as the integers of `distinct.id_codes`; the rare one
    that is no 17 digits and a check character is compared as text.
    """

    def _compute_vectorized(
        self,
        id_l: pd.Series,
        st_l: pd.Series,
        sh_l: pd.Series,
        head_l: pd.Series,
        tail_l: pd.Series,
        id_r: pd.Series,
        st_r: pd.Series,
        sh_r: pd.Series,
        head_r: pd.Series,
        tail_r: pd.Series,
    ) -> np.ndarray:
        hl, tl, hr, tr = (s.to_numpy(dtype=np.int64) for s in (head_l, tail_l, head_r, tail_r))
        coded = (hl >= 0) & (hr >= 0)
        diff = np.zeros(len(hl), dtype=np.int64)
        diff[coded] = differing_characters(hl[coded], tl[coded], hr[coded], tr[coded])
        full = (hl != NOT_18) & (hr != NOT_18)
        text = np.flatnonzero(full & ~coded)
        if len(text):
            (chars_l, _), (chars_r, _) = _digits(id_l.iloc[text]), _digits(id_r.iloc[text])
            diff[text] = (chars_l != chars_r).sum(axis=1)
        out = np.full(len(diff), 3, dtype=np.int8)
        out[diff == 1] = 2
        upgraded = (st_l.to_numpy() == "upgraded") | (st_r.to_numpy() == "upgraded")
        out[(diff == 0) & upgraded] = 1
        out[(diff == 0) & ~upgraded] = 0
        out[~full] = NULL
        shared = sh_l.fillna(False).to_numpy(dtype=bool) | sh_r.fillna(False).to_numpy(dtype=bool)
        out[shared & (diff == 0)] = NULL
        return out


class NameLevel(BaseCompareFeature):
    """Same written form / same sound / similar characters / other."""

    def _compute_vectorized(
        self, norm_l: pd.Series, sound_l: pd.Series, norm_r: pd.Series, sound_r: pd.Series
    ) -> np.ndarray:
        a, b = norm_l.to_numpy(dtype=object), norm_r.to_numpy(dtype=object)
        sim = process.cpdist(a, b, scorer=Levenshtein.normalized_similarity, workers=1)
        out = np.full(len(a), 3, dtype=np.int8)
        out[sim >= NAME_SIMILAR] = 2
        out[sound_l.to_numpy() == sound_r.to_numpy()] = 1
        out[a == b] = 0
        out[(a == "") | (b == "")] = NULL
        return out


def _dates(values: pd.Series) -> np.ndarray:
    """datetime64[ns] values (numpy's NaT compares unequal to everything, as pandas' does)."""
    if values.dtype == "datetime64[ns]":
        return values.to_numpy()
    return pd.DatetimeIndex(values).to_numpy()


def _birth_parts(*cols: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    lo_a, hi_a, lo_b, hi_b = (_dates(s) for s in cols)
    known = ~(np.isnat(lo_a) | np.isnat(lo_b))
    point = (lo_a == hi_a) & (lo_b == hi_b)
    return lo_a, hi_a, lo_b, hi_b, known, point


def _calendar(dates: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month and day of datetime64[ns] values by integer arithmetic (Hinnant's civil_from_days).

    pandas' .year/.month/.day and numpy's calendar units convert date by date;
    this is a few array operations. NaT gives nonsense, for callers to mask.
    """
    z = dates.view(np.int64) // 86_400_000_000_000 + 719_468  # days since 0000-03-01
    era = z // 146_097
    doe = z - era * 146_097
    yoe = (doe - doe // 1_460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    return yoe + era * 400 + (month <= 2), month, day


class BirthLevel(BaseCompareFeature):
    """Same date / one of year, month, day differs / other; NULL unless both dates are known."""

    def _compute_vectorized(self, lo_l: pd.Series, hi_l: pd.Series, lo_r: pd.Series, hi_r: pd.Series) -> np.ndarray:
        lo_a, _, lo_b, _, known, point = _birth_parts(lo_l, hi_l, lo_r, hi_r)
        same_parts = sum(
            (a == b).astype(int) for a, b in zip(_calendar(lo_a), _calendar(lo_b), strict=True)
        )  # NaT gives nonsense here, NULL below
        out = np.full(len(lo_a), 2, dtype=np.int8)
        out[same_parts == 2] = 1
        out[lo_a == lo_b] = 0
        out[~(known & point)] = NULL
        return out


def _days(dates: np.ndarray) -> np.ndarray:
    """Days since 1970 as floats (NaN where unknown): arithmetic on them cannot overflow.

    A one-digit typo turns 1978 into 1678, a year from the edge of pandas'
    nanosecond range, where subtracting a timedelta raises OverflowError.
    """
    days = dates.astype("datetime64[D]").astype("int64").astype(float)
    days[np.isnat(dates)] = np.nan
    return days


class AgeLevel(BaseCompareFeature):
    """Birth date (or range) inside the age-at-death range, give or take a year; NULL unless one side is a range."""

    def _compute_vectorized(self, lo_l: pd.Series, hi_l: pd.Series, lo_r: pd.Series, hi_r: pd.Series) -> np.ndarray:
        lo_a, hi_a, lo_b, hi_b, known, point = _birth_parts(lo_l, hi_l, lo_r, hi_r)
        la, ha, lb, hb = (_days(d) for d in (lo_a, hi_a, lo_b, hi_b))
        slack = AGE_SLACK_DAYS
        with np.errstate(invalid="ignore"):
            overlap = (la - slack <= hb) & (lb - slack <= ha)
        out = np.where(overlap, 0, 1).astype(np.int8)
        out[~known | point] = NULL
        return out


class SexLevel(BaseCompareFeature):
    def _compute_vectorized(self, sex_l: pd.Series, sex_r: pd.Series) -> np.ndarray:
        a, b = sex_l.to_numpy(dtype=object), sex_r.to_numpy(dtype=object)
        out = np.where(a == b, 0, 1).astype(np.int8)
        out[pd.isna(a) | pd.isna(b)] = NULL
        return out


class RegionLevel(BaseCompareFeature):
    def _compute_vectorized(self, reg_l: pd.Series, reg_r: pd.Series) -> np.ndarray:
        return regions.region_level(reg_l.to_numpy(), reg_r.to_numpy())


class TownLevel(BaseCompareFeature):
    def _compute_vectorized(self, reg_l: pd.Series, reg_r: pd.Series) -> np.ndarray:
        return regions.town_level(reg_l.to_numpy(), reg_r.to_numpy())


class AddressLevel(BaseCompareFeature):
    """Same normalised address / one ends with the other (a prefix left out) / similar / other.

    3组12号 and 3组13号 differ in one character and are two neighbours' homes, so
    "similar" (和湾社区 vs 和湾村, a word dropped) also needs the same numbers in
    the same order; "contains" is a whole tail (天门市张港镇… vs 张港镇…).
    """

    def _compute_vectorized(
        self, addr_l: pd.Series, num_l: pd.Series, addr_r: pd.Series, num_r: pd.Series
    ) -> np.ndarray:
        a, b = addr_l.to_numpy(dtype=object), addr_r.to_numpy(dtype=object)
        out = np.full(len(a), 3, dtype=np.int8)
        empty = (a == "") | (b == "") | pd.isna(a) | pd.isna(b)
        same = (a == b) & ~empty
        rest = np.flatnonzero(~same & ~empty)
        if len(rest):
            ra, rb = a[rest], b[rest]
            nums = num_l.to_numpy(dtype=object)[rest]
            same_numbers = np.flatnonzero((nums == num_r.to_numpy(dtype=object)[rest]) & (nums != ""))  # 3组12号
            if len(same_numbers):
                sim = process.cpdist(
                    ra[same_numbers], rb[same_numbers], scorer=Levenshtein.normalized_similarity, workers=1
                )
                out[rest[same_numbers[sim >= ADDRESS_SIMILAR]]] = 2
            out[rest[_tails(ra, rb)]] = 1
        out[same] = 0
        out[empty] = NULL
        return out


def _tails(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Mask: one address ends with the other, and the shorter has ADDRESS_MIN characters or more."""
    if "\x00" in "".join(a) or "\x00" in "".join(b):  # numpy's fixed-width text drops trailing NULs: keep its answer
        sa, sb = a.astype(str), b.astype(str)
        short = np.minimum(np.char.str_len(sa), np.char.str_len(sb)) >= ADDRESS_MIN
        return np.asarray(short & (np.char.endswith(sa, sb) | np.char.endswith(sb, sa)))
    shorter = np.minimum(lengths(a), lengths(b))
    suffix = process.cpdist(a, b, scorer=Postfix.similarity, workers=1)  # characters the two end with in common
    return np.asarray((shorter >= ADDRESS_MIN) & (suffix == shorter))


def _with_shared(people: pd.DataFrame) -> pd.DataFrame:
    """Frames built before 重号 marking (or by hand in tests) share no number; numbers coded if they are not."""
    if "id_shared" not in people.columns:
        people = people.assign(id_shared=False)
    if "id_head" not in people.columns:
        text = people["id_number"].fillna("").astype(str).to_numpy(dtype=object)
        length = lengths(text)
        head, tail = id_codes(id_chars(text, length), length)
        people = people.assign(id_head=head, id_tail=tail)
    return people


# label, feature, columns read on each side
_FEATURES: tuple[tuple[str, type[BaseCompareFeature], tuple[str, ...]], ...] = (
    ("id", IdLevel, ("id_number", "id_status", "id_shared", "id_head", "id_tail")),
    ("name", NameLevel, ("name_norm", "name_sound")),
    ("birth", BirthLevel, ("birth_lo", "birth_hi")),
    ("age", AgeLevel, ("birth_lo", "birth_hi")),
    ("sex", SexLevel, ("sex",)),
    ("region", RegionLevel, ("region_num",)),
    ("town", TownLevel, ("region_num",)),
    ("address", AddressLevel, ("address_norm", "address_digits")),
)


def _comparer() -> rl.Compare:
    """The features as a `recordlinkage.Compare` (what `compare` computes, for use with recordlinkage)."""
    cmp = rl.Compare()
    for label, feature, cols in _FEATURES:
        columns = list(cols) if len(cols) > 1 else cols[0]
        cmp.add(feature(columns, columns, label=label))
    return cmp


def _side(people: pd.DataFrame, positions: np.ndarray, columns: tuple[str, ...]) -> dict[str, pd.Series]:
    """The pairs' values of each column (numpy columns taken as arrays: pandas' take costs more here)."""
    out = {}
    for c in columns:
        col = people[c]
        if isinstance(col.dtype, np.dtype):
            out[c] = pd.Series(col.to_numpy()[positions], dtype=col.dtype)
        else:
            out[c] = col.iloc[positions].reset_index(drop=True)
    return out


def _levels(
    feature: type[BaseCompareFeature],
    cols: tuple[str, ...],
    left: pd.DataFrame,
    pos_l: np.ndarray,
    right: pd.DataFrame,
    pos_r: np.ndarray,
) -> np.ndarray:
    """One feature's levels of the pairs at these positions, CHUNK pairs at a time (bounds memory)."""
    out = np.empty(len(pos_l), dtype=np.int8)
    for i in range(0, len(pos_l), CHUNK):
        a, b = _side(left, pos_l[i : i + CHUNK], cols), _side(right, pos_r[i : i + CHUNK], cols)
        out[i : i + CHUNK] = feature(list(cols), list(cols))._compute_vectorized(
            *(a[c] for c in cols), *(b[c] for c in cols)
        )
    return out


def _distinct(
    cols: tuple[str, ...],
    left: pd.DataFrame,
    at_l: tuple[np.ndarray, np.ndarray],
    right: pd.DataFrame,
    at_r: tuple[np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """(first, inverse) of the pairs' values in `cols`: a pair of each distinct combination, each pair's one."""
    (rows_l, index_l), (rows_r, index_r) = at_l, at_r
    code_l = value_codes([left[c].to_numpy()[rows_l] for c in cols])[index_l]
    code_r = value_codes([right[c].to_numpy()[rows_r] for c in cols])[index_r]
    return distinct_pairs(code_l, code_r)


def compare(pairs: pd.MultiIndex, left: pd.DataFrame, right: pd.DataFrame) -> pd.DataFrame:
    """Level per field (int8) for each pair; text fields once per distinct pair of values (PER_DISTINCT).

    The features are recordlinkage compare features, called on the pairs'
    columns taken by position: `rl.Compare` would index every column by label
    and assemble a frame per feature, which costs more than the comparisons.
    """
    left, right = _with_shared(left), _with_shared(right)
    if len(pairs) == 0:
        return pd.DataFrame({f: pd.Series(dtype=np.int8) for f in FIELDS}, index=pairs)
    pos_l = left.index.get_indexer(pairs.get_level_values(0))
    pos_r = right.index.get_indexer(pairs.get_level_values(1))
    deduplicate = len(pairs) >= PER_DISTINCT_MIN
    if deduplicate:
        at_l, at_r = involved(pos_l, len(left)), involved(pos_r, len(right))
    out = {}
    for label, feature, cols in _FEATURES:
        if deduplicate and label in PER_DISTINCT:
            first, inverse = _distinct(cols, left, at_l, right, at_r)
            out[label] = _levels(feature, cols, left, pos_l[first], right, pos_r[first])[inverse]
        else:
            out[label] = _levels(feature, cols, left, pos_l, right, pos_r)
    return pd.DataFrame(out, index=pairs)
