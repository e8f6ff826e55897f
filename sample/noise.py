"""Realistic noise on a copy of the clean frames: what real exports look like.

At most one kind of noise per row (a wrong digit *or* a typo'd name, not both), so
every noisy record stays linkable in principle. Rates scale with `noise`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from opencc import OpenCC

from hecha.contract import PERSON_COLUMNS, PROGRAMS
from sample.ids import to_legacy15
from sample.names import HOMOPHONES, MINORITY_SEPARATORS

_S2T = OpenCC("s2t")
_FULLWIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
_LEVEL_ZH = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}
_GBK_SEPARATORS = ("·", ".", "")

# source -> (share of rows with id noise, share with name noise)
RATES = {
    "roll": (0.04, 0.03),
    "household_registry": (0.004, 0.004),
    "poverty_registry": (0.03, 0.03),
    "deaths": (0.04, 0.04),
    "disability_registry": (0.03, 0.03),
    "real_estate": (0.03, 0.03),
    "vehicles": (0.03, 0.03),
    "businesses": (0.03, 0.03),
    "payroll": (0.03, 0.03),
    "cadres": (0.02, 0.02),
    "cadre_kin_filings": (0.02, 0.02),
}


def _wrong_digit(number: str, r: float) -> str:
    pos = int(r * 17) % 17
    digit = (int(number[pos]) + 1 + int(r * 1000) % 9) % 10
    return number[:pos] + str(digit) + number[pos + 1 :]


def noisy_id(number: str, kind: int, r: float) -> str:
    """kind: 0 wrong digit, 1 legacy 15 digits (born 1900s), 2 full-width, 3 spaces."""
    if kind == 1 and number[6:8] == "19":
        return to_legacy15(number)
    if kind == 2:
        return number.translate(_FULLWIDTH)
    if kind == 3:
        return number[:6] + " " + number[6:14] + " " + number[14:]
    return _wrong_digit(number, r)


def noisy_name(name: str, kind: int) -> str:
    """kind: 0 traditional characters, 1 same-sound typo in the given name, 2 a stray space."""
    if kind == 0:
        trad = _S2T.convert(name)
        if trad != name:
            return trad
    if kind <= 1 and name[-1] in HOMOPHONES:
        return name[:-1] + HOMOPHONES[name[-1]]
    return name[0] + " " + name[1:] if len(name) > 1 else name


def add_noise(
    source: str, frame: pd.DataFrame, rng: np.random.Generator, noise: float, gbk: bool, protected: set[int]
) -> pd.DataFrame:
    """A noisy copy of one source; rows of `protected` people (decoys) are left exact."""
    out = frame.copy()
    n = len(out)
    if source in PERSON_COLUMNS and n:
        name_col, id_col = PERSON_COLUMNS[source]
        id_rate, name_rate = RATES[source]
        u, r, kinds = rng.random(n), rng.random(n), rng.integers(0, 4, n)
        keep = out["_pid"].isin(list(protected)).to_numpy()
        if "_repeat" in out:  # a repeated registry number stays exact on every row (the truth lists them)
            keep |= out["id_number"].isin(out.loc[out["_repeat"] != "", "id_number"]).to_numpy()
        legacy = 0.0
        if source == "real_estate":
            legacy = min(0.9, 0.3 * noise)
        ids = out[id_col].astype(str).to_numpy().copy()
        names = out[name_col].astype(str).to_numpy().copy()
        id_rows = (u < id_rate * noise) & ~keep
        leg_rows = (u >= id_rate * noise) & (u < id_rate * noise + legacy) & ~keep
        name_rows = (u >= 1 - name_rate * noise) & ~keep & ~id_rows & ~leg_rows
        for i in np.flatnonzero(id_rows):
            ids[i] = noisy_id(ids[i], int(kinds[i]), float(r[i]))
        for i in np.flatnonzero(leg_rows):
            if ids[i][6:8] == "19":
                ids[i] = to_legacy15(ids[i])
        for i in np.flatnonzero(name_rows):
            names[i] = noisy_name(names[i], int(kinds[i]) % 3)
        lower = (np.char.endswith(ids.astype(str), "X")) & (r < 0.5 * min(noise, 1.0))
        for i in np.flatnonzero(lower):
            ids[i] = ids[i][:-1] + "x"
        separators = _GBK_SEPARATORS if gbk else MINORITY_SEPARATORS
        for i in np.flatnonzero(np.char.find(names.astype(str), "·") >= 0):
            if noise > 0:
                names[i] = names[i].replace("·", separators[int(r[i] * 1000) % len(separators)])
        out[id_col], out[name_col] = ids, names
    if source == "deaths" and n:
        no_id = (out["source"] == "火化").to_numpy() & (rng.random(n) < 0.65 * min(noise, 1.0))
        no_id &= ~out["_pid"].isin(list(protected)).to_numpy()
        out.loc[no_id, "id_number"] = ""
        out.loc[no_id, "birth_date"] = pd.NaT
    if source == "roll" and n:
        coded = rng.random(n) < 0.3
        out["program"] = np.where(coded, out["program"], out["program"].map(PROGRAMS))
    if "sex" in out and n:
        out["sex"] = out["sex"].map({"M": "男", "F": "女"})
    if source in ("disability_registry", "poverty_registry") and n:
        zh = rng.random(n) < 0.3
        levels = out["disability_level"].astype(int)
        out["disability_level"] = np.where(zh & (levels > 0), levels.map(_LEVEL_ZH).fillna("0"), levels.astype(str))
    return out
