"""One person frame per source: the columns linkage compares, in one shape.

Every source names its person columns differently (contract.PERSON_COLUMNS) and
carries different clues: an identity number, a birth date, an age at death, a
region code. Here each becomes the same set of columns so blocking and
comparison never look at a source's own layout.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from hecha import idnumber
from hecha.contract import PERSON_COLUMNS
from matching.distinct import ID_LENGTH, digits_value, id_chars, id_codes, lengths, per_distinct
from matching.names import normalise_names
from matching.regions import as_number, clean_codes

USABLE = ("valid", "upgraded")  # statuses whose number is a real GB 11643 number
PERSON_FRAME_COLUMNS = [
    "row", "name", "name_norm", "name_sound", "id_number", "id_status", "id_key", "id_head", "id_tail",
    "birth_date", "birth_lo", "birth_hi", "age", "death_source", "sex", "region_code", "address_norm",
    "address_digits", "id_person", "id_shared",
]  # fmt: skip
# Dropped from addresses before comparing: spaces and punctuation clerks add or omit.
_ADDRESS_NOISE = re.compile(r"[\s,，.。·、:：;；()（）\[\]【】\-—_#/]+")


def _ymd(text: pd.Series) -> pd.Series:
    return pd.to_datetime(text, format="%Y%m%d", errors="coerce")


_FIRST_DAY = np.datetime64(pd.Timestamp.min.ceil("D").date(), "D")
_LAST_DAY = np.datetime64(pd.Timestamp.max.floor("D").date(), "D")


def _days_before(dates: pd.Series, days: pd.Series) -> pd.Series:
    """The day `days` before each date; NaT where that leaves pandas' datetime range (1677–2262).

    Counted in whole days, so a death date near the range's edge or an absurd age
    gives an unknown birth range instead of an OverflowError.
    """
    day = pd.to_datetime(dates, errors="coerce").to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    back = np.clip(days.to_numpy(dtype=float), -1e6, 1e6).astype("int64").astype("timedelta64[D]")
    out = day - back
    inside = ~np.isnat(out) & (out >= _FIRST_DAY) & (out <= _LAST_DAY)
    return pd.Series(np.where(inside, out, np.datetime64("NaT", "D")).astype("datetime64[ns]"), index=dates.index)


def _births(
    ids: pd.Series, status: pd.Series, texts: np.ndarray, length: np.ndarray, chars: np.ndarray
) -> tuple[pd.Series, pd.Series]:
    """Birth date and sex from usable numbers; the date alone from an invalid 18-digit one.

    A one-digit typo usually leaves the birth digits intact, so the date of an
    invalid number is still a good blocking key (compared, never trusted alone).
    Dates are parsed once per distinct YYYYMMDD; text that is not eight ASCII
    digits (and sex from a number of another length) takes pandas' own path.
    """
    usable = status.isin(USABLE).to_numpy()
    full = length == ID_LENGTH
    ymd, all_digits = digits_value(chars[:, 6:14])
    born = np.full(len(ids), np.datetime64("NaT"), dtype="datetime64[ns]")
    fast = full & all_digits
    if fast.any():
        codes, days = pd.factorize(ymd[fast])
        born[fast] = _ymd(pd.Series([f"{d:08d}" for d in days], dtype=object)).to_numpy()[codes]
    slow = full & ~all_digits
    if slow.any():
        born[slow] = _ymd(pd.Series(texts[slow], dtype=object).str[6:14]).to_numpy()
    sex_digit = np.full(len(ids), np.nan)
    digit16 = chars[:, 16] - ord("0")
    fast = usable & full & (digit16 >= 0) & (digit16 <= 9)
    sex_digit[fast] = digit16[fast]
    slow = usable & ~fast
    if slow.any():
        sex_digit[slow] = pd.to_numeric(pd.Series(texts[slow], dtype=object).str[16], errors="coerce").to_numpy(float)
    sex_digit_s = pd.Series(sex_digit, index=ids.index)
    sex = pd.Series(np.where(sex_digit_s % 2 == 1, "M", "F"), index=ids.index).where(sex_digit_s.notna())
    return pd.Series(born, index=ids.index), sex


def _address_form(text: pd.Series) -> pd.Series:
    raw = text.astype("object").where(text.notna(), "").astype(str)
    return raw.map(lambda a: _ADDRESS_NOISE.sub("", unicodedata.normalize("NFKC", a)))


def normalise_addresses(text: pd.Series) -> pd.Series:
    """One written form per home address: NFKC (full-width digits), no spaces or punctuation; "" if none.

    Normalised once per distinct address (a village has few hundred).
    """
    return per_distinct(text, _address_form)


def _house_numbers(address: pd.Series) -> pd.Series:
    """The digit groups of a normalised address (3组12号 → "3 12")."""
    return address.str.replace(r"\D+", " ", regex=True).str.strip()


def person_frame(frame: pd.DataFrame, source: str, county: str = "") -> pd.DataFrame:
    """Comparable person columns for one source frame (index = position, `row` = file row)."""
    name_col, id_col = PERSON_COLUMNS[source]
    n = len(frame)
    idx = pd.RangeIndex(n)

    def col(name: str) -> pd.Series:
        if name in frame.columns:
            return frame[name].reset_index(drop=True)
        return pd.Series(np.full(n, pd.NA, dtype=object), index=idx, dtype="object")

    def numbers(name: str) -> pd.Series:  # what to_numeric makes of an absent column, without parsing it
        if name in frame.columns or not n:
            return pd.to_numeric(col(name), errors="coerce")
        return pd.Series(np.full(n, np.nan), index=idx)

    def dates(name: str) -> pd.Series:
        if name in frame.columns or not n:
            return pd.to_datetime(col(name), errors="coerce")
        return pd.Series(np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"), index=idx)

    ids = col(id_col).fillna("").astype(str)
    status_col = f"{id_col}_status"
    if status_col in frame.columns:
        status = col(status_col).fillna("missing").astype(str)
    else:  # frames built without ingestion: normalise here
        norm = idnumber.normalise_series(ids)
        ids, status = norm["id_number"].astype(str), norm["status"].astype(str)

    names = normalise_names(col(name_col))
    texts = ids.to_numpy(dtype=object)
    length = lengths(texts)
    chars = id_chars(texts, length)
    id_birth, id_sex = _births(ids, status, texts, length, chars)
    id_head, id_tail = id_codes(chars, length)
    given_birth = dates("birth_date")
    usable = status.isin(USABLE)
    birth = id_birth.where(usable, given_birth.fillna(id_birth))

    # Age only (cremation records): born between (death - age - 1y, death - age].
    age = numbers("age")
    death = dates("death_date")
    age_days = (age.where(np.isfinite(age)).fillna(0) * 365.2425).round()
    from_age = birth.isna() & age.notna() & death.notna()
    birth_hi = birth.where(~from_age, _days_before(death, age_days))
    birth_lo = birth.where(~from_age, _days_before(death, age_days + 366))

    sex = id_sex.where(usable & id_sex.notna(), col("sex").where(col("sex").isin(["M", "F"])))
    region = per_distinct(col("region_code"), clean_codes)
    address = normalise_addresses(col("address"))
    out = pd.DataFrame(
        {
            "row": col("_row").to_numpy() if "_row" in frame.columns else np.arange(2, n + 2),
            "name": col(name_col).astype("object"),
            "name_norm": names["name_norm"].to_numpy(),
            "name_sound": names["name_sound"].to_numpy(),
            "id_number": ids.to_numpy(),
            "id_status": status.to_numpy(),
            "id_key": ids.where(ids != "").to_numpy(),
            "id_head": id_head,  # the number as integers (distinct.id_codes), for comparing digits
            "id_tail": id_tail,
            "birth_date": birth.to_numpy(),
            "birth_lo": birth_lo.to_numpy(),
            "birth_hi": birth_hi.to_numpy(),
            "age": age.to_numpy(),
            "death_source": col("source").to_numpy() if source == "deaths" else None,
            "sex": sex.to_numpy(),
            "region_code": region.to_numpy(),
            # home address (roll, household registry, deaths); a property's 坐落 is not where its owner lives
            "address_norm": address.to_numpy(),
            "address_digits": per_distinct(address, _house_numbers).to_numpy(),
        },
        index=idx,
    )
    # who the number says this is: the usable number, "" without one (a 重号 marks it, see mark_shared)
    out["id_person"] = out["id_number"].where(out["id_status"].isin(USABLE), "")
    out["id_shared"] = False
    out["region_num"] = per_distinct(out["region_code"], _region_number).to_numpy()
    out["county"] = per_distinct(out["region_code"], lambda codes: codes.str[:6].fillna(county or "")).to_numpy()
    return out


def _region_number(codes: pd.Series) -> pd.Series:
    return pd.Series(as_number(codes), index=codes.index)


def mark_shared(frames: dict[str, pd.DataFrame], keys: pd.Series) -> dict[str, pd.DataFrame]:
    """Person frames in which a number two registry people share (重号) identifies no one by itself.

    `keys`: household-registry row -> that row's person key (repeats.person_keys).
    Every record carrying such a number is `id_shared` (an exact number match is
    then no evidence); registry rows keep their person key, records elsewhere
    keep no identity key, so linkage decides by name, birth and place whose they are.
    """
    if keys.empty:
        return frames
    shared = set(keys.str.split("#", n=1).str[0])
    out = {}
    for source, f in frames.items():
        hit = f["id_person"].isin(shared)
        if not hit.any():
            out[source] = f
            continue
        f = f.copy()
        f["id_shared"] = hit.to_numpy()
        if source == "household_registry":
            f["id_person"] = f["row"].map(keys).where(hit, f["id_person"]).fillna(f["id_person"])
        else:
            f.loc[hit, "id_person"] = ""
        out[source] = f
    return out
