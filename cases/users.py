"""Accounts of the inspector workspace: roles, towns, argon2 passwords, login throttling.

Roles: admin (county administrator, all towns, assigns work), inspector (only the
9-digit county+town codes given, matched against a case's region_code prefix),
auditor (read-only, all towns). An account's identity number is kept so the
workspace can refuse decisions about the inspector's own household (回避).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from cases.db import session_scope
from cases.schema import User, utcnow
from hecha.exceptions import HechaError
from hecha.privacy import mask_id

log = logging.getLogger(__name__)

ROLES: dict[str, str] = {"admin": "县级管理员", "inspector": "乡镇核查员", "auditor": "审计员"}
MIN_PASSWORD = 8
MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15
_TOWN = re.compile(r"^\d{9}$")
_hasher = PasswordHasher()


class UserError(HechaError):
    """An account command that cannot be carried out (unknown user, bad role, weak password)."""


@dataclass(frozen=True)
class LoginResult:
    """Outcome of one login attempt; `reason` is ok|bad|locked|disabled."""

    user: User | None
    reason: str


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"密码至少 {MIN_PASSWORD} 位 / password must have at least {MIN_PASSWORD} characters")


def _check_towns(role: str, towns: list[str]) -> list[str]:
    bad = [t for t in towns if not _TOWN.match(t)]
    if bad:
        raise UserError(f"乡镇代码须为 9 位数字（县6位+乡镇3位）：{bad} / town codes must be 9 digits")
    if role == "inspector" and not towns:
        raise UserError("核查员至少须指定一个乡镇 / an inspector needs at least one town")
    return sorted(set(towns))


def add_user(
    engine: Engine,
    username: str,
    password: str,
    role: str,
    towns: list[str],
    id_number: str | None = None,
) -> None:
    """Create an account; towns only restrict inspectors (admins and auditors see all)."""
    if role not in ROLES:
        raise UserError(f"角色须为 {'/'.join(ROLES)} / role must be one of {list(ROLES)}")
    if not username or len(username) > 64:
        raise UserError("用户名不能为空且不超过 64 字符 / username must be 1-64 characters")
    _check_password(password)
    clean_towns = _check_towns(role, towns)
    with session_scope(engine) as session:
        if session.get(User, username) is not None:
            raise UserError(f"用户 {username} 已存在 / user {username} already exists")
        session.add(
            User(
                username=username,
                password_hash=_hasher.hash(password),
                role=role,
                towns=clean_towns,
                id_number=(id_number or "").strip().upper() or None,
                active=True,
                failed_logins=0,
            )
        )
    log.info("account created (role %s)", role)


def list_users(engine: Engine) -> list[dict[str, Any]]:
    """Accounts for display: identity numbers masked, never the password hash."""
    with session_scope(engine) as session:
        users = session.scalars(select(User).order_by(User.username)).all()
        return [
            {
                "username": u.username,
                "role": u.role,
                "towns": list(u.towns or []),
                "active": u.active,
                "locked_until": u.locked_until,
                "id_masked": mask_id(u.id_number or ""),
            }
            for u in users
        ]


def _get(session: Session, username: str) -> User:
    user = session.get(User, username)
    if user is None:
        raise UserError(f"无此用户 {username} / no such user {username}")
    return user


def disable_user(engine: Engine, username: str) -> None:
    """Disable an account; its history and audit trail stay."""
    with session_scope(engine) as session:
        _get(session, username).active = False


def reset_password(engine: Engine, username: str, password: str) -> None:
    """Set a new password and lift any login lock."""
    _check_password(password)
    with session_scope(engine) as session:
        user = _get(session, username)
        user.password_hash = _hasher.hash(password)
        user.failed_logins = 0
        user.locked_until = None


def authenticate(session: Session, username: str, password: str, now: dt.datetime | None = None) -> LoginResult:
    """Check a password; after MAX_FAILED_LOGINS failures the account locks for LOCK_MINUTES.

    A locked account is refused even with the right password, so guessing cannot go on.
    """
    now = now or utcnow()
    user = session.get(User, username)
    if user is None:
        _hasher.hash(password)  # same cost as a real check, so timing does not reveal accounts
        return LoginResult(None, "bad")
    if not user.active:
        return LoginResult(None, "disabled")
    if user.locked_until is not None and user.locked_until > now:
        return LoginResult(None, "locked")
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + dt.timedelta(minutes=LOCK_MINUTES)
            user.failed_logins = 0
            return LoginResult(None, "locked")
        return LoginResult(None, "bad")
    user.failed_logins = 0
    user.locked_until = None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return LoginResult(user, "ok")


def can_see(user: User, region_code: str) -> bool:
    """Admins and auditors see every case; an inspector only cases in their towns."""
    if user.role in ("admin", "auditor"):
        return True
    return any(region_code.startswith(town) for town in (user.towns or []))
