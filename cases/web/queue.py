"""The review queue: filters, sorting, paging and counts, always within the user's towns.

Filters come from query parameters, so they are restricted to codes and numbers
(town, village, finding code, category, status, score range, program, assignee):
never a name or an identity number, which must not appear in URLs.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select, true
from sqlalchemy.orm import Session

from cases.schema import Case, User
from hecha.labels import STATUSES

PAGE_SIZE = 50
SORTS: dict[str, Any] = {
    "score": Case.score,
    "amount": Case.est_monthly_overpayment,
    "period": Case.last_period,
    "updated": Case.updated_at,
    "case": Case.case_id,
    "region": Case.region_code,
}


@dataclass
class QueueFilter:
    """The queue's query parameters, all optional; blanks mean "any"."""

    town: str = ""
    village: str = ""
    finding: str = ""
    category: str = ""
    status: str = ""
    score_min: float | None = None
    score_max: float | None = None
    program: str = ""
    assigned: str = ""
    sort: str = "score"
    desc: bool = True
    page: int = 1

    @classmethod
    def from_params(cls, params: Any) -> QueueFilter:
        """Parse request.query_params leniently: a bad number is ignored, not an error page."""
        out = cls()
        for f in fields(cls):
            raw = params.get(f.name)
            if raw is None or raw == "":
                continue
            if f.name in ("score_min", "score_max"):
                try:
                    setattr(out, f.name, float(raw))
                except ValueError:
                    continue
            elif f.name == "page":
                out.page = max(1, int(raw)) if str(raw).isdigit() else 1
            elif f.name == "desc":
                out.desc = raw not in ("0", "false")
            else:
                setattr(out, f.name, str(raw).strip()[:64])
        if out.sort not in SORTS:
            out.sort = "score"
        return out

    def params(self, **override: Any) -> dict[str, str]:
        """Non-empty parameters (for links to other pages and sorts of the same queue)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(override)
        result: dict[str, str] = {}
        for key, value in values.items():
            if value is None or value == "":
                continue
            result[key] = ("1" if value else "0") if isinstance(value, bool) else str(value)
        return result


def scope(user: User) -> ColumnElement[bool]:
    """Cases this user may see: an inspector's towns are region_code prefixes."""
    if user.role in ("admin", "auditor"):
        return true()
    towns = list(user.towns or [])
    if not towns:
        return false()
    return or_(*[Case.region_code.startswith(t, autoescape=True) for t in towns])


def _conditions(user: User, flt: QueueFilter, *, with_status: bool = True) -> list[ColumnElement[bool]]:
    cond: list[ColumnElement[bool]] = [scope(user)]
    if flt.town:
        cond.append(Case.region_code.startswith(flt.town, autoescape=True))
    if flt.village:
        cond.append(or_(Case.village == flt.village, Case.region_code == flt.village))
    if flt.finding:
        cond.append(Case.finding == flt.finding)
    if flt.category:
        cond.append(Case.category == flt.category)
    if with_status and flt.status:
        cond.append(Case.status == flt.status)
    if flt.score_min is not None:
        cond.append(Case.score >= flt.score_min)
    if flt.score_max is not None:
        cond.append(Case.score <= flt.score_max)
    if flt.program:
        cond.append(Case.program.contains(flt.program, autoescape=True))
    if flt.assigned == "-":
        cond.append(Case.assigned_to.is_(None))
    elif flt.assigned:
        cond.append(Case.assigned_to == flt.assigned)
    return cond


def person_condition(term: str) -> ColumnElement[bool]:
    """Search by a person (POST only): a full identity number matches exactly, anything else the name."""
    cleaned = term.strip().upper()
    if len(cleaned) >= 15 and cleaned[:-1].isdigit():
        return Case.id_number == cleaned
    return Case.name.contains(term.strip(), autoescape=True)


def query(user: User, flt: QueueFilter, person: str = "") -> Select[tuple[Case]]:
    """The filtered, sorted (unpaged) queue; `person` narrows it to a name or identity number."""
    column = SORTS[flt.sort]
    order = column.desc() if flt.desc else column.asc()
    cond = _conditions(user, flt)
    if person.strip():
        cond.append(person_condition(person))
    return select(Case).where(and_(*cond)).order_by(order, Case.case_id)


def page(session: Session, user: User, flt: QueueFilter, person: str = "") -> tuple[list[Case], int]:
    """One page of the queue and the total number of matching cases."""
    q = query(user, flt, person)
    total = session.scalar(select(func.count()).select_from(q.order_by(None).subquery())) or 0
    rows = session.scalars(q.limit(PAGE_SIZE).offset((flt.page - 1) * PAGE_SIZE)).all()
    return list(rows), int(total)


def status_counts(session: Session, user: User, flt: QueueFilter) -> dict[str, int]:
    """Counts per status under every filter except the status itself."""
    q = select(Case.status, func.count()).where(and_(*_conditions(user, flt, with_status=False))).group_by(Case.status)
    counts = {status: 0 for status in STATUSES}
    counts.update({status: int(n) for status, n in session.execute(q)})
    return counts


def options(session: Session, user: User) -> dict[str, list[Any]]:
    """Choices for the filter form, limited to what this user may see."""
    visible = scope(user)
    town_code = func.substr(Case.region_code, 1, 9)
    towns = session.execute(
        select(town_code, func.max(Case.town)).where(visible).group_by(town_code).order_by(town_code)
    ).all()
    villages = (
        session.execute(select(Case.village).where(visible, Case.village != "").distinct().order_by(Case.village))
        .scalars()
        .all()
    )
    findings = session.scalars(select(Case.finding).where(visible).distinct().order_by(Case.finding)).all()
    programs = session.scalars(
        select(Case.program).where(visible, Case.program != "").distinct().order_by(Case.program)
    ).all()
    assignees = session.scalars(
        select(Case.assigned_to).where(visible, Case.assigned_to.is_not(None)).distinct().order_by(Case.assigned_to)
    ).all()
    return {
        "towns": [(code, name or code) for code, name in towns],
        "villages": list(villages),
        "findings": list(findings),
        "programs": list(programs),
        "assignees": list(assignees),
    }
