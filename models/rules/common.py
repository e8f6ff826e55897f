"""Small helpers shared by the rule families."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

import numpy as np
import pandas as pd

from hecha import idnumber
from models.rules.amounts import missing, text
from models.rules.context import RuleContext
from models.rules.evidence import Link

ROLL_FIELDS = ["period", "program", "household_id", "relation", "amount", "enrolled_date"]


def roll_for(ctx: RuleContext, code: str) -> pd.DataFrame:
    """This period's roll rows in the programs the rule judges."""
    roll = ctx.roll()
    programs = ctx.policy.rules.programs_for(code)
    return roll[roll["program"].isin(programs)] if programs else roll


def own_link(row: pd.Series | dict[str, Any]) -> Link:
    """The subject's own record: certain when its number is valid and is the person's number;
    otherwise as firm as the index's attachment of it (a corrected or missing number)."""
    number, resolved = text(row.get("id_number")), text(row.get("id_resolved"))
    if text(row.get("id_number_status")) in ("valid", "upgraded") and resolved in ("", number):
        return Link(1.0, False, {}, "")
    p = row.get("attach_probability")
    prob = 1.0 if missing(p) else float(p)  # type: ignore[arg-type]
    return Link(prob, prob < 1.0, {}, "身份证号无效或与关联结果不一致，经关联校正" if prob < 1.0 else "")


def numbers(amounts: Iterable[object]) -> np.ndarray:
    """Cells as numbers, blanks and non-numbers as 0 (`pd.to_numeric(..., errors="coerce").fillna(0.0)`)."""
    values = np.asarray(pd.to_numeric(np.asarray(list(amounts), dtype=object), errors="coerce"))
    return np.where(np.isnan(values), 0.0, values) if values.dtype.kind == "f" else values


def total(amounts: Iterable[object]) -> float:
    """What a finding's rows paid: the sum of their amounts, non-numbers as 0."""
    return float(numbers(amounts).sum())


def earliest(days: Iterable[object]) -> Any:
    """The earliest date among cells (NaT when none is a date), as `pd.to_datetime(...).min()` gives it."""
    values = list(days)
    if all(isinstance(d, pd.Timestamp) or missing(d) for d in values):
        known = [d for d in values if isinstance(d, pd.Timestamp) and not missing(d)]
        return min(known) if known else pd.NaT
    return pd.to_datetime(pd.Series(values, dtype=object), errors="coerce").min()


def rows_by(df: pd.DataFrame, key: str) -> list[tuple[Any, list[dict[str, Any]]]]:
    """(key, its rows as dicts in frame order) per non-missing key, in the order `groupby(key)` gives.

    For the few rows a rule's findings rest on: reading dicts is far cheaper than a frame per finding.
    """
    if df.empty:
        return []
    codes, keys = pd.factorize(df[key], sort=True)
    groups: list[list[dict[str, Any]]] = [[] for _ in range(len(keys))]
    rows = cast(list[dict[str, Any]], df.to_dict("records"))
    for code, row in zip(codes.tolist(), rows, strict=True):
        if code >= 0:
            groups[code].append(row)
    return list(zip(keys, groups, strict=True))


def by_key(rows: list[dict[str, Any]], key: str) -> list[tuple[Any, list[dict[str, Any]]]]:
    """A finding's rows per value of `key`, values sorted and blank ones left out (as `groupby(key)`)."""
    groups: dict[Any, list[dict[str, Any]]] = {}
    for r in rows:
        if not missing(r[key]):
            groups.setdefault(r[key], []).append(r)
    return [(k, groups[k]) for k in sorted(groups)]


def by_program(rows: list[dict[str, Any]]) -> list[tuple[Any, list[dict[str, Any]]]]:
    return by_key(rows, "program")


def programs_of(rows: list[dict[str, Any]]) -> str:
    """`dibao_rural,tekun`: the programs of a finding's rows, as text, sorted and comma-joined."""
    return ",".join(sorted({str(r["program"]) for r in rows}))


def household_totals(roll: pd.DataFrame) -> pd.Series:
    """household_id -> total paid this period over the given roll rows."""
    return pd.to_numeric(roll["amount"], errors="coerce").fillna(0.0).groupby(roll["household_id"]).sum()


def birth_of(row: pd.Series | dict[str, object]) -> pd.Timestamp | None:
    """Birth date from the person's corrected number, else the index's, else the row's own date."""
    return _birth(row.get("id_resolved"), row.get("id_number"), row.get("idx_birth_date"), row.get("birth_date"))


def births(df: pd.DataFrame) -> pd.Series:
    """Vectorised `birth_of`: the index's birth date, worked out again only where corrected or missing."""
    if "idx_birth_date" in df:
        out = pd.to_datetime(df["idx_birth_date"], errors="coerce")
    else:
        out = pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
    resolved = df["id_resolved"].fillna("").astype(str) if "id_resolved" in df else pd.Series("", index=df.index)
    number = df["id_number"].fillna("").astype(str) if "id_number" in df else pd.Series("", index=df.index)
    redo = (out.isna() | ((resolved != "") & (resolved != number))).to_numpy()
    if redo.any():
        out = out.copy()
        filled = _births_of(df[redo])
        out[redo] = pd.to_datetime(pd.Series(filled, index=df.index[redo], dtype=object), errors="coerce")
    return out


def births_in(ctx: RuleContext, source: str, df: pd.DataFrame) -> pd.Series:
    """`births(df)` for rows of `ctx.with_person(source)` (or a filter of it), worked out once per source."""
    every = ctx.memo(f"births:{source}", lambda: births(ctx.with_person(source)))
    return every.loc[df.index]


def _births_of(df: pd.DataFrame) -> list[pd.Timestamp | None]:
    """`birth_of` for each row of a (small) frame, reading columns rather than rows."""

    def column(name: str) -> list[object]:
        return df[name].tolist() if name in df else [None] * len(df)

    rows = zip(column("id_resolved"), column("id_number"), column("idx_birth_date"), column("birth_date"), strict=True)
    return [_birth(resolved, number, idx, own) for resolved, number, idx, own in rows]


def _birth(resolved: object, number: object, idx_birth: object, own_birth: object) -> pd.Timestamp | None:
    """One person's birth date: the corrected number's, else the index's, else the row's, else the number's."""
    resolved_text, number_text = text(resolved), text(number)
    if resolved_text and resolved_text != number_text:
        decoded = idnumber.decode(resolved_text)
        if decoded is not None:
            return pd.Timestamp(decoded.birth_date)
    for b in (idx_birth, own_birth):
        if not missing(b):
            return pd.Timestamp(b)  # type: ignore[arg-type]
    decoded = idnumber.decode(number_text)
    return pd.Timestamp(decoded.birth_date) if decoded is not None else None


def is_urban(region_code: object) -> bool:
    """Village codes 001-199 are urban communities (居委会), 200-399 rural villages (村委会)."""
    code = text(region_code)
    return len(code) == 12 and code[-3:].isdigit() and 1 <= int(code[-3:]) <= 199
