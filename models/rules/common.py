"""Small helpers shared by the rule families."""

from __future__ import annotations

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


def own_link(row: pd.Series) -> Link:
    """The subject's own record: certain when its number is valid and is the person's number;
    otherwise as firm as the index's attachment of it (a corrected or missing number)."""
    number, resolved = text(row.get("id_number")), text(row.get("id_resolved"))
    if text(row.get("id_number_status")) in ("valid", "upgraded") and resolved in ("", number):
        return Link(1.0, False, {}, "")
    p = row.get("attach_probability")
    prob = 1.0 if missing(p) else float(p)  # type: ignore[arg-type]
    return Link(prob, prob < 1.0, {}, "身份证号无效或与关联结果不一致，经关联校正" if prob < 1.0 else "")


def amount_of(rows: pd.DataFrame) -> float:
    return float(pd.to_numeric(rows["amount"], errors="coerce").fillna(0.0).sum())


def household_totals(roll: pd.DataFrame) -> pd.Series:
    """household_id -> total paid this period over the given roll rows."""
    return pd.to_numeric(roll["amount"], errors="coerce").fillna(0.0).groupby(roll["household_id"]).sum()


def _corrected(row: pd.Series) -> bool:
    """The index corrected this row's number (it was invalid or differs from the person's number)."""
    resolved = text(row.get("id_resolved"))
    return bool(resolved) and resolved != text(row.get("id_number"))


def birth_of(row: pd.Series) -> pd.Timestamp | None:
    """Birth date from the person's corrected number, else the index's, else the row's own date."""
    columns = ("id_resolved",) if _corrected(row) else ()
    for col in columns:
        decoded = idnumber.decode(text(row.get(col)))
        if decoded is not None:
            return pd.Timestamp(decoded.birth_date)
    for col in ("idx_birth_date", "birth_date"):
        b = row.get(col)
        if not missing(b):
            return pd.Timestamp(b)  # type: ignore[arg-type]
    decoded = idnumber.decode(text(row.get("id_number")))
    return pd.Timestamp(decoded.birth_date) if decoded is not None else None


def births(df: pd.DataFrame) -> pd.Series:
    """Vectorised `birth_of`: the index's birth date, worked out row by row only where corrected or missing."""
    if "idx_birth_date" in df:
        out = pd.to_datetime(df["idx_birth_date"], errors="coerce")
    else:
        out = pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
    resolved = df["id_resolved"].fillna("").astype(str) if "id_resolved" in df else pd.Series("", index=df.index)
    number = df["id_number"].fillna("").astype(str) if "id_number" in df else pd.Series("", index=df.index)
    redo = out.isna() | ((resolved != "") & (resolved != number))
    if redo.any():
        out = out.copy()
        filled = [birth_of(r) for _, r in df[redo].iterrows()]
        out[redo] = pd.to_datetime(pd.Series(filled, index=df.index[redo], dtype=object), errors="coerce")
    return out


def is_urban(region_code: object) -> bool:
    """Village codes 001-199 are urban communities (居委会), 200-399 rural villages (村委会)."""
    code = text(region_code)
    return len(code) == 12 and code[-3:].isdigit() and 1 <= int(code[-3:]) <= 199
