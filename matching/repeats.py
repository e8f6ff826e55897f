"""Identity numbers the household registry (户籍人口) lists more than once.

A repeat is data, not an error (contract §1), and comes in two kinds:
* 一人多户 (`one_person`): one person still listed in a hukou they left — the
  rows agree on name (written form or sound: 張偉/张伟/张玮) and birth date;
* 重号 (`shared_number`): two different people issued one number — the rows
  disagree on name, birth date or sex.

Birth dates come from the registry's own 出生日期 column: every row of a
number decodes to the same date, so only the column can tell two people apart.
Linkage keys a shared number's rows by person (`person_keys`), so the number
alone never makes two people one.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from hecha.index import REPEAT_COLUMNS as INDEX_REPEAT_COLUMNS
from hecha.runs import run_starts
from matching.names import normalise_names

ONE_PERSON, SHARED_NUMBER = "one_person", "shared_number"
USABLE = ("valid", "upgraded")
REPEAT_COLUMNS = [c for c in INDEX_REPEAT_COLUMNS if c != "person_id"]  # person_id is added by linkage


def _same(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    """Two registry rows of one number describe one person (unknown fields do not disagree).

    A row is (name_norm, name_sound, birth_date, sex).
    """
    if a[0] != b[0] and a[1] != b[1]:
        return False
    return all(pd.isna(x) or pd.isna(y) or x == y for x, y in zip(a[2:], b[2:], strict=True))


def _persons(rows: list[tuple[Any, ...]]) -> list[int]:
    """Person number (0, 1, ...) per row of one identity number, in row order."""
    person: list[int] = []
    firsts: list[tuple[Any, ...]] = []
    for r in rows:
        for k, first in enumerate(firsts):
            if _same(first, r):
                person.append(k)
                break
        else:
            firsts.append(r)
            person.append(len(firsts) - 1)
    return person


def _numbered(ids: np.ndarray, rows: list[tuple[Any, ...]]) -> list[int]:
    """`_persons` of each run of one number (ids sorted), concatenated: a plain loop, no frame per number."""
    starts = run_starts(ids)
    ends = np.r_[starts[1:], len(ids)]
    out: list[int] = []
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        out.extend(_persons(rows[a:b]))
    return out


def registry_repeats(registry: pd.DataFrame) -> pd.DataFrame:
    """One row per registry row whose usable identity number appears on another row.

    `registry`: the household_registry frame from ingestion (id_number normalised,
    id_number_status, name, birth_date, sex, hukou_id, _row). `person` numbers the
    different people behind one number (all 0 for 一人多户).
    """
    if registry.empty or "id_number" not in registry:
        return pd.DataFrame(columns=REPEAT_COLUMNS)
    status = registry.get("id_number_status", pd.Series("valid", index=registry.index))
    ids = registry["id_number"].fillna("").astype(str)
    usable = status.isin(USABLE) & (ids != "")
    rep = registry[usable & ids.duplicated(keep=False)]
    if rep.empty:
        return pd.DataFrame(columns=REPEAT_COLUMNS)
    rep = rep.assign(id_number=ids[rep.index], **normalise_names(rep["name"]))
    missing = pd.Series(pd.NA, index=rep.index, dtype="object")
    born = pd.to_datetime(rep["birth_date"], errors="coerce") if "birth_date" in rep else missing
    sex = rep["sex"].where(rep["sex"].isin(["M", "F"])) if "sex" in rep else missing
    rep = rep.assign(birth_date=born, sex=sex).sort_values(["id_number", "_row"], kind="stable")
    number = rep["id_number"].to_numpy(dtype=object)
    person = _numbered(
        number, list(zip(rep["name_norm"], rep["name_sound"], rep["birth_date"], rep["sex"], strict=True))
    )
    kinds = pd.Series(person).groupby(number).transform("max").to_numpy() > 0
    return pd.DataFrame(
        {
            "id_number": number,
            "kind": np.where(kinds, SHARED_NUMBER, ONE_PERSON).astype(object),
            "person": np.asarray(person, dtype=np.int64),
            "row": rep["_row"].astype(int).to_numpy(),
            "hukou_id": rep["hukou_id"].astype(str).to_numpy() if "hukou_id" in rep else "",
            "name": rep["name"].astype(str).to_numpy(),
            "name_norm": rep["name_norm"].to_numpy(),
            "birth_date": rep["birth_date"].to_numpy(),
        }
    )[REPEAT_COLUMNS]


def person_keys(repeats: pd.DataFrame) -> pd.Series:
    """registry row -> identity key for rows of a shared number (重号): number#name#birth of the person.

    Stable across months while the repeat lasts (row order may change, a person's first listing does not).
    """
    shared = repeats[repeats["kind"] == SHARED_NUMBER]
    if shared.empty:
        return pd.Series(dtype=object)
    born = pd.to_datetime(shared["birth_date"], errors="coerce").dt.strftime("%Y%m%d").fillna("")
    who = shared["name_norm"].astype(str) + "#" + born
    keys = shared["id_number"] + "#" + who.groupby([shared["id_number"], shared["person"]]).transform("first")
    return pd.Series(keys.to_numpy(), index=shared["row"].to_numpy(), dtype=object)


def base_number(key: str) -> str:
    """The identity number inside a person key (drops a 重号 suffix)."""
    return key.split("#", 1)[0]
