"""Case store tables (SQLAlchemy 2). Alembic migrations in cases/migrations mirror these.

A case is one finding about one person or household in one county, identified by
(county, finding, subject_key). It is observed in one or more county-months
(`case_observations`); every change of state is an appended `case_events` row, so
review history is never overwritten.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


# Case statuses (their labels: hecha.labels.STATUSES); open ones still need work.
OPEN_STATUSES = ("open", "in_review", "confirmed")
RUN_STATUSES = ("running", "succeeded", "failed", "abandoned")


class Run(Base):
    """One monthly run for one county-month (re-runs add rows; the latest succeeded wins).

    `succeeded` only once its outputs exist; a run whose process died is marked
    `abandoned` by the next run of its county (or `hecha db check`). `host` and `pid`
    say where it runs, `stage` how far it got, `stored_at` when its cases were committed.
    """

    __tablename__ = "runs"

    run_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    county: Mapped[str] = mapped_column(String(6), index=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16), default="running")  # RUN_STATUSES
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    policy: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    output_dir: Mapped[str | None] = mapped_column(Text)
    stage: Mapped[str | None] = mapped_column(String(32))
    host: Mapped[str | None] = mapped_column(String(255))
    pid: Mapped[int | None] = mapped_column(Integer)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    stored_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Case(Base):
    """The current state of one case; `version` guards against stale concurrent writes."""

    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("county", "finding", "subject_key", name="uq_case_subject"),
        Index("ix_cases_county_status", "county", "status"),
    )

    case_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    county: Mapped[str] = mapped_column(String(6))
    finding: Mapped[str] = mapped_column(String(32), index=True)
    category: Mapped[str] = mapped_column(String(8))
    subject_key: Mapped[str] = mapped_column(String(80))
    program: Mapped[str] = mapped_column(String(120), default="")
    household_id: Mapped[str] = mapped_column(String(64), default="")
    id_number: Mapped[str] = mapped_column(String(32), default="")
    name: Mapped[str] = mapped_column(String(64), default="")
    person_id: Mapped[str] = mapped_column(String(40), default="", index=True)
    region_code: Mapped[str] = mapped_column(String(12), default="", index=True)
    town: Mapped[str] = mapped_column(String(64), default="")
    village: Mapped[str] = mapped_column(String(64), default="")
    first_period: Mapped[str] = mapped_column(String(7))
    last_period: Mapped[str] = mapped_column(String(7))  # the latest period whose data showed it
    # The latest period whose run decided its status (found it, or resolved it): a run of
    # an older month adds its observation and history but leaves that status alone.
    status_period: Mapped[str] = mapped_column(String(7), server_default="")
    score: Mapped[float] = mapped_column(Float, default=0.0)
    est_monthly_overpayment: Mapped[float] = mapped_column(Float, default=0.0)
    est_cumulative_overpayment: Mapped[float | None] = mapped_column(Float)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="open")
    assigned_to: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it at class creation


class CaseObservation(Base):
    """What a run found for a case in one county-month (re-running a month replaces it)."""

    __tablename__ = "case_observations"

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id"), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    run_id: Mapped[str] = mapped_column(String(64))
    program: Mapped[str] = mapped_column(String(120), default="")
    score: Mapped[float] = mapped_column(Float, default=0.0)
    est_monthly_overpayment: Mapped[float] = mapped_column(Float, default=0.0)
    est_cumulative_overpayment: Mapped[float | None] = mapped_column(Float)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class CaseEvent(Base):
    """Append-only history: system transitions and every inspector action."""

    __tablename__ = "case_events"

    event_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))  # username, or "system"
    # created|seen_again|resolved_by_data|reopened|assigned|notified|response|decision|note
    kind: Mapped[str] = mapped_column(String(32))
    period: Mapped[str | None] = mapped_column(String(7))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class User(Base):
    """Accounts of the inspector workspace."""

    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(16))  # admin|supervisor|inspector|auditor
    towns: Mapped[list[str]] = mapped_column(JSON, default=list)  # 9-digit town codes (county+town)
    id_number: Mapped[str | None] = mapped_column(String(32))
    full_name: Mapped[str | None] = mapped_column(String(64))  # matched against the roll's 经办人 (handler)
    village_code: Mapped[str | None] = mapped_column(String(12))  # the inspector's own village (回避)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class AuditLog(Base):
    """Every login, view, unmasking, decision and export."""

    __tablename__ = "audit_log"

    audit_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    username: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    case_id: Mapped[str | None] = mapped_column(String(40))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    client: Mapped[str | None] = mapped_column(String(64))  # the client address of the request


class CasePerson(Base):
    """Salted hashes of the people a case is about (household, hukou, relatives).

    The workspace refuses a decision by an inspector whose own identity hash is here
    (conflict of interest); hashes, because the workspace never needs the numbers.
    """

    __tablename__ = "case_people"

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id"), primary_key=True)
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    relation: Mapped[str] = mapped_column(String(16), default="")

    __table_args__ = (Index("ix_case_people_id_hash", "id_hash"),)


class WebSession(Base):
    """A server-side login session; the cookie carries only a random token whose hash is the key.

    Ending a session (logout, password reset, role change, disable) sets `ended_at`, so a copied
    cookie stops working at once.
    """

    __tablename__ = "sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    client: Mapped[str | None] = mapped_column(String(64))
    csrf: Mapped[str] = mapped_column(String(64))


class LoginThrottle(Base):
    """Failed logins per username (`u:`) and per client address (`a:`), with an exponential pause."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(140), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    blocked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_failure: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Attachment(Base):
    """A file attached to a case (visit record, photo); the bytes live on disk, named by checksum."""

    __tablename__ = "attachments"

    attachment_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id"), index=True)
    uploaded_by: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
