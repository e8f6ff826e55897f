"""Engine, migrations, locks and sessions for the case store.

SQLite is the default (one file per installation); PostgreSQL is used where several
counties share a server. The web app and a monthly run may use the same SQLite file at
once, so every connection waits for locks (busy timeout) and the file runs in WAL mode,
which lets readers go on while a run writes.

Several runs may start at once (a city fans its counties out; an operator starts two
months): schema upgrades run under one lock and are skipped when current, the runs of
one county write one after the other (`lock_county`), and a writer that meets a busy
store retries with backoff until a deadline (`retrying`), then fails with a clear message.
Engines hide SQL parameters from error messages: they hold identity numbers.
"""

from __future__ import annotations

import hashlib
import logging
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from hecha import settings
from hecha.exceptions import HechaError
from hecha.privacy import scrub_error

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
BUSY_TIMEOUT_MS = 30_000
LOCK_TIMEOUT_S = 30  # one wait for a lock; `retrying` waits again until its deadline
RETRY_DEADLINE_S = 900.0  # a county's write of ~1M people takes minutes: wait that long, not for ever
RETRY_FIRST_S, RETRY_MAX_S = 0.2, 10.0  # backoff: doubling from 0.2 s, at most 10 s, with jitter
T = TypeVar("T")


class StoreBusyError(HechaError):
    """The case store stayed locked (or kept conflicting) past the retry deadline."""

    def __init__(self, what: tuple[str, str], attempts: int, seconds: float, last: str) -> None:
        super().__init__(
            f"案件库繁忙：{what[0]}重试 {attempts} 次（{seconds:.0f} 秒）后仍未完成，请稍后再运行 / "
            f"case store busy: {what[1]} gave up after {attempts} attempts in {seconds:.0f} s; run it again later "
            f"(last error: {last})"
        )


def make_engine(url: str | None = None) -> Engine:
    """An engine for `url`, else the default store (hecha.settings.default_db_url)."""
    url = settings.db_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, hide_parameters=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}, hide_parameters=True)
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Foreign keys are off by default in SQLite; WAL lets the web app read during a run."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def alembic_config() -> Config:
    """Alembic settings built in code, so no alembic.ini is needed where hecha is installed."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (head by default) once, however many processes call it at once.

    A current schema is left alone without taking any lock (a run must not wait for the
    web app to start); otherwise the upgrade runs under the migration lock, and a second
    caller waits for it and then finds nothing to do.
    """
    config = alembic_config()
    target = set(ScriptDirectory.from_config(config).get_heads()) if revision == "head" else {revision}

    def once() -> None:
        with engine.connect() as conn:
            if _revisions(conn) == target:
                return
        _upgrade_locked(engine, config, revision, target)

    retrying(once, ("数据库迁移", "schema upgrade"))


def _revisions(conn: Connection) -> set[str]:
    return set(MigrationContext.configure(conn).get_current_heads())


def _upgrade_locked(engine: Engine, config: Config, revision: str, target: set[str]) -> None:
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_S}s'"))
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key("hecha:migrations")})
        else:  # SQLite: the exclusive lock, taken before anything is read
            conn.exec_driver_sql("BEGIN EXCLUSIVE")
        if _revisions(conn) == target:
            log.info("case store schema already at %s", revision)
            return
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
    log.info("case store schema at %s (%s)", revision, engine.url.get_backend_name())


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for a PostgreSQL advisory lock."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def lock_county(session: Session, county: str) -> None:
    """Take the county's write lock for the rest of the transaction (call it first thing).

    PostgreSQL: a transaction-level advisory lock per county, so runs of other counties
    go on in parallel. SQLite: the database write lock (there is only one), taken by a
    write before any read, so the transaction never has to upgrade a stale read snapshot.
    Waiting is bounded (30 s); the caller's `retrying` waits again until its deadline.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_S}s'"))
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key(f"hecha:county:{county}")})
    else:
        session.execute(text("UPDATE runs SET status = status WHERE 1 = 0"))


def is_transient(exc: BaseException) -> bool:
    """Errors that a later attempt may not meet: locks, deadlocks, serialisation and version conflicts."""
    if isinstance(exc, StaleDataError):  # an inspector changed a case while the run wrote it
        return True
    if not isinstance(exc, DBAPIError):
        return False
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate in ("40001", "40P01", "55P03"):  # serialization failure, deadlock, lock not available
        return True
    message = str(exc.orig).lower()
    return "database is locked" in message or "database is busy" in message or "database table is locked" in message


def retrying(fn: Callable[[], T], what: tuple[str, str], deadline_s: float | None = None) -> T:
    """`fn()` again after transient store errors, with jittered exponential backoff, until a deadline.

    `fn` must be one whole transaction (it is run again from the start); `what` names it
    (Chinese, English) for the message.
    """
    deadline = RETRY_DEADLINE_S if deadline_s is None else deadline_s
    start, delay, attempts = time.monotonic(), RETRY_FIRST_S, 0
    while True:
        attempts += 1
        try:
            return fn()
        except Exception as exc:
            elapsed = time.monotonic() - start
            if not is_transient(exc):
                raise
            if elapsed + delay > deadline:
                raise StoreBusyError(what, attempts, elapsed, scrub_error(exc)) from None
            log.warning(
                "%s: store busy (%s), attempt %d, retrying in %.1f s", what[1], type(exc).__name__, attempts, delay
            )
            time.sleep(delay * random.uniform(0.5, 1.0))
            delay = min(delay * 2, RETRY_MAX_S)


def write(engine: Engine, fn: Callable[[Session], T], what: tuple[str, str]) -> T:
    """One retried unit of work: `fn(session)` in a transaction that commits or rolls back whole."""

    def attempt() -> T:
        with session_scope(engine) as session:
            return fn(session)

    return retrying(attempt, what)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any exception."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
