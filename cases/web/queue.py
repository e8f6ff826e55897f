"""The review queue: filters, sorting, paging and counts, always within the user's towns.

Filters come from query parameters, so they are restricted to codes and numbers
(town, village, finding code, category, status, score range, program, assignee):
never a name or an identity number, which must not appear in URLs.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, cast, exists, false, func, not_, or_, select, true
from sqlalchemy.orm import Session

from cases import dueprocess
from cases.ids import id_hash
from cases.schema import OPEN_STATUSES, Case, CaseEvent, CasePerson, User
from hecha.labels import STATUSES

PAGE_SIZE = 50
PAGE_SIZES = (20, 50, 100, 200)
MAX_PAGE = 1_000_000  # a page number beyond any real queue (a huge one is clamped, never an error)
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
    mine: bool = False
    due: str = ""  # "" | due (deadline running) | overdue (deadline passed, nothing proposed) | proposed
    sort: str = "score"
    desc: bool = True
    page: int = 1
    size: int = PAGE_SIZE
    due_cases: frozenset[str] | None = None  # filled by the route for the `due` views, never a parameter

    @classmethod
    def from_params(cls, params: Any) -> QueueFilter:
        """Parse request.query_params leniently: a bad number is ignored, not an error page."""
        out = cls()
        for f in fields(cls):
            raw = None if f.name == "due_cases" else params.get(f.name)
            if raw is None or raw == "":
                continue
            if f.name in ("score_min", "score_max"):
                try:
                    setattr(out, f.name, float(raw))
                except ValueError:
                    continue
            elif f.name == "page":
                out.page = min(MAX_PAGE, max(1, int(raw[:8]))) if str(raw).isdigit() else 1
            elif f.name == "size":
                out.size = int(raw) if str(raw).isdigit() and int(raw[:4]) in PAGE_SIZES else PAGE_SIZE
            elif f.name in ("desc", "mine"):
                setattr(out, f.name, raw not in ("0", "false"))
            else:
                setattr(out, f.name, str(raw).strip()[:64])
        if out.sort not in SORTS:
            out.sort = "score"
        if out.due not in ("", "due", "overdue", "proposed"):
            out.due = ""
        return out

    def params(self, **override: Any) -> dict[str, str]:
        """Non-empty parameters (for links to other pages and sorts of the same queue)."""
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "due_cases"}
        values.update(override)
        result: dict[str, str] = {}
        for key, value in values.items():
            if value is None or value == "" or (key == "mine" and not value) or (key == "size" and value == PAGE_SIZE):
                continue
            result[key] = ("1" if value else "0") if isinstance(value, bool) else str(value)
        return result


def scope(user: User) -> ColumnElement[bool]:
    """Cases this user may see: an inspector's towns (region_code prefixes), minus the cases the
    inspector must recuse from, which they never see (own or kin's household, own village, own 经办)."""
    if user.role in ("admin", "supervisor", "auditor"):
        return true()
    towns = list(user.towns or [])
    if not towns:
        return false()
    return and_(or_(*[Case.region_code.startswith(t, autoescape=True) for t in towns]), not_(recused(user)))


def recused(user: User) -> ColumnElement[bool]:
    """The cases this user has a conflict of interest in (SQL twin of cases.workflow.conflict_of_interest)."""
    cond: list[ColumnElement[bool]] = []
    if user.id_number:
        own = id_hash(user.id_number)
        cond.append(exists().where(CasePerson.case_id == Case.case_id, CasePerson.id_hash == own))
    if user.village_code:
        cond.append(Case.region_code == user.village_code)
    if user.full_name:
        # evidence JSON is stored as json.dumps text (ASCII-escaped) on SQLite and PostgreSQL alike
        needle = '"handler": ' + json.dumps(user.full_name)
        cond.append(cast(Case.evidence, String).contains(needle, autoescape=True))
    return or_(*cond) if cond else false()


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
    if flt.mine:
        cond.append(Case.assigned_to == user.username)
    if flt.due:
        cond.append(Case.case_id.in_(sorted(flt.due_cases or ())))
    return cond


def due_views(session: Session, user: User, today: dt.date) -> dict[str, set[str]]:
    """Open cases this user sees, by due-process view: deadline running, overdue, awaiting approval."""
    kinds = ("notified", "response", "proposed", "rejected", "decision")
    rows = session.execute(
        select(CaseEvent.case_id, CaseEvent.kind, CaseEvent.actor, CaseEvent.payload)
        .join(Case, Case.case_id == CaseEvent.case_id)
        .where(scope(user), Case.status.in_(OPEN_STATUSES), CaseEvent.kind.in_(kinds))
        .order_by(CaseEvent.event_id)
    )
    events: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
    for cid, kind, actor, payload in rows:
        events.setdefault(cid, []).append((kind, actor, payload or {}))
    views: dict[str, set[str]] = {"due": set(), "overdue": set(), "proposed": set()}
    for cid, evs in events.items():
        dp = dueprocess.state(evs, today)
        if dp.stage == "proposed":
            views["proposed"].add(cid)
        elif dp.overdue(today):
            views["overdue"].add(cid)
        elif dp.stage == "notified":
            views["due"].add(cid)
    return views


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
    pages = max(1, -(-int(total) // flt.size))
    flt.page = min(flt.page, pages)
    rows = session.scalars(q.limit(flt.size).offset((flt.page - 1) * flt.size)).all()
    return list(rows), int(total)


def page_links(page: int, pages: int) -> list[int | None]:
    """Numbered pages around the current one, first and last always shown; None is a gap (…)."""
    wanted = {1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)}
    out: list[int | None] = []
    for n in sorted(wanted):
        if out and out[-1] is not None and n - int(out[-1] or 0) > 1:
            out.append(None)
        out.append(n)
    return out


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
