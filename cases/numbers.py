"""Short case numbers for the phone (`2026-10-000123`), shown beside the contract's `case_id`.

The number is the case's first month and its rank among the county's cases first found that
month, in order of creation. Cases are never deleted and a later run only adds later cases,
so a number never changes once given.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cases.schema import Case


def case_numbers(session: Session, case_ids: Iterable[str]) -> dict[str, str]:
    """case_id -> short number for the given cases."""
    wanted = sorted(set(case_ids))
    if not wanted:
        return {}
    rank = (
        func.row_number()
        .over(partition_by=(Case.county, Case.first_period), order_by=(Case.created_at, Case.case_id))
        .label("n")
    )
    pairs = select(Case.case_id, Case.first_period, Case.county, rank).subquery()
    counties = select(Case.county).where(Case.case_id.in_(wanted)).distinct()
    rows = session.execute(
        select(pairs.c.case_id, pairs.c.first_period, pairs.c.n).where(
            pairs.c.case_id.in_(wanted), pairs.c.county.in_(counties)
        )
    )
    return {cid: f"{period}-{int(n):06d}" for cid, period, n in rows}


def find_by_number(session: Session, number: str) -> str | None:
    """The case_id of a short number (as typed over the phone), or None."""
    period, _, seq = number.strip().rpartition("-")
    if len(period) != 7 or not seq.isdigit():
        return None
    rank = func.row_number().over(partition_by=(Case.county,), order_by=(Case.created_at, Case.case_id)).label("n")
    pairs = select(Case.case_id, rank).where(Case.first_period == period).subquery()
    found = session.scalars(select(pairs.c.case_id).where(pairs.c.n == int(seq[:9]))).all()
    return found[0] if len(found) == 1 else None
