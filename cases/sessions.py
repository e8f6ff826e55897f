"""Server-side login sessions and login throttling of the workspace.

The browser holds only a random token (inside the signed cookie); its SHA-256 is the key of a
`sessions` row. Logout ends that row; a password reset, a role change or disabling the account
ends every row of the user, so a copied cookie stops working at once. Sessions also end after
IDLE_MINUTES without a request and ABSOLUTE_HOURS after login.

Failed logins are counted per username (known or not, so the answer never tells which names
exist) and per client address; past a few free attempts each failure doubles the pause.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cases.schema import LoginThrottle, WebSession, utcnow

IDLE_MINUTES = 120
ABSOLUTE_HOURS = 12
TOUCH_SECONDS = 60  # write last_seen at most once a minute per session
FREE_ATTEMPTS = {"u": 5, "a": 20}  # failures allowed before pausing: per username, per address
BASE_DELAY_SECONDS = 30
MAX_DELAY_SECONDS = 3600
FORGET_AFTER = dt.timedelta(hours=24)  # a key with no failure for this long starts again


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(session: Session, username: str, client: str | None) -> tuple[str, str]:
    """A new session for `username`: (token for the cookie, CSRF token)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(WebSession(token_hash=_hash(token), username=username, client=(client or "")[:64], csrf=csrf))
    return token, csrf


def lookup(session: Session, token: str | None, now: dt.datetime | None = None) -> WebSession | None:
    """The live session of this token, or None (unknown, ended, idle too long, too old)."""
    if not token:
        return None
    now = now or utcnow()
    row = session.get(WebSession, _hash(token))
    if row is None or row.ended_at is not None:
        return None
    idle = now - row.last_seen > dt.timedelta(minutes=IDLE_MINUTES)
    old = now - row.created_at > dt.timedelta(hours=ABSOLUTE_HOURS)
    if idle or old:
        row.ended_at = now
        return None
    if (now - row.last_seen).total_seconds() > TOUCH_SECONDS:
        row.last_seen = now
    return row


def end(session: Session, token: str | None) -> None:
    if token:
        row = session.get(WebSession, _hash(token))
        if row is not None and row.ended_at is None:
            row.ended_at = utcnow()


def end_all(session: Session, username: str) -> int:
    """End every live session of the user; returns how many were ended."""
    result = session.execute(
        update(WebSession)
        .where(WebSession.username == username, WebSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)


def live_count(session: Session, username: str) -> int:
    rows = session.scalars(select(WebSession).where(WebSession.username == username, WebSession.ended_at.is_(None)))
    return len(list(rows))


def _keys(username: str, client: str | None) -> list[str]:
    keys = [f"u:{username[:64]}"]
    if client:
        keys.append(f"a:{client[:64]}")
    return keys


def blocked(session: Session, username: str, client: str | None, now: dt.datetime | None = None) -> bool:
    """Is a login for this username or from this address paused now?"""
    now = now or utcnow()
    for key in _keys(username, client):
        row = session.get(LoginThrottle, key)
        if row is not None and row.blocked_until is not None and row.blocked_until > now:
            return True
    return False


def failed(session: Session, username: str, client: str | None, now: dt.datetime | None = None) -> None:
    """Count a failure for the username and the address; past the free attempts, pause 30 s, 60 s, 120 s…"""
    now = now or utcnow()
    for key in _keys(username, client):
        row = session.get(LoginThrottle, key)
        if row is None:
            row = LoginThrottle(key=key, failures=0)
            session.add(row)
        if row.last_failure is not None and now - row.last_failure > FORGET_AFTER:
            row.failures = 0
        row.failures = (row.failures or 0) + 1
        row.last_failure = now
        over = row.failures - FREE_ATTEMPTS[key[0]]
        if over >= 0:
            delay = min(BASE_DELAY_SECONDS * 2**over, MAX_DELAY_SECONDS)
            row.blocked_until = now + dt.timedelta(seconds=delay)


def succeeded(session: Session, username: str) -> None:
    """A right password clears the username's count (the address keeps its count until it ages out)."""
    row = session.get(LoginThrottle, f"u:{username[:64]}")
    if row is not None:
        row.failures, row.blocked_until = 0, None
