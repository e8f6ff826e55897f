"""Accounts of the inspector workspace: roles, towns, argon2 passwords, login throttling.

Roles (labels: hecha.labels.ROLES): admin (county administrator, all towns, assigns work),
supervisor (county reviewer, all towns, approves adverse measures), inspector (only the
9-digit county+town codes given, matched against a case's region_code prefix), auditor
(read-only, all towns). Inspectors and supervisors must give their identity number, and
may give their name and home village, so the workspace can make them recuse (回避).
Resetting a password, changing a role or disabling an account ends the user's sessions.
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

from cases import sessions
from cases.db import session_scope
from cases.schema import User, utcnow
from hecha.exceptions import HechaError
from hecha.idnumber import clean, is_valid
from hecha.labels import ROLES
from hecha.privacy import mask_id

log = logging.getLogger(__name__)

MIN_PASSWORD = 8
MAX_FAILED_LOGINS = sessions.FREE_ATTEMPTS["u"]
NEEDS_ID_NUMBER = ("inspector", "supervisor")
_TOWN = re.compile(r"^\d{9}$")
_VILLAGE = re.compile(r"^\d{12}$")
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


def _check_id_number(role: str, id_number: str | None) -> str | None:
    number = clean(id_number or "") or None
    if number is None and role in NEEDS_ID_NUMBER:
        raise UserError(
            f"{ROLES[role]}账号须填写本人身份证号码（用于回避） / {role} accounts need their identity number"
        )
    if number is not None and not is_valid(number):
        raise UserError("身份证号码无效 / invalid identity number")
    return number


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise UserError(f"角色须为 {'/'.join(ROLES)} / role must be one of {list(ROLES)}")


def add_user(
    engine: Engine,
    username: str,
    password: str,
    role: str,
    towns: list[str],
    id_number: str | None = None,
    *,
    full_name: str | None = None,
    village_code: str | None = None,
) -> None:
    """Create an account; towns only restrict inspectors (the county roles see all)."""
    _check_role(role)
    if not username or len(username) > 64:
        raise UserError("用户名不能为空且不超过 64 字符 / username must be 1-64 characters")
    _check_password(password)
    clean_towns = _check_towns(role, towns)
    number = _check_id_number(role, id_number)
    if village_code and not _VILLAGE.match(village_code):
        raise UserError("本人所在村须为 12 位行政区划代码 / village code must be 12 digits")
    with session_scope(engine) as session:
        if session.get(User, username) is not None:
            raise UserError(f"用户 {username} 已存在 / user {username} already exists")
        session.add(
            User(
                username=username,
                password_hash=_hasher.hash(password),
                role=role,
                towns=clean_towns,
                id_number=number,
                full_name=(full_name or "").strip() or None,
                village_code=village_code or None,
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
                "role_zh": ROLES.get(u.role, u.role),
                "full_name": u.full_name or "",
                "village_code": u.village_code or "",
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


def disable_user(engine: Engine, username: str) -> int:
    """Disable an account and end its sessions; its history and audit trail stay."""
    with session_scope(engine) as session:
        _get(session, username).active = False
        return sessions.end_all(session, username)


def reset_password(engine: Engine, username: str, password: str) -> int:
    """Set a new password, lift any login pause and end every session of the user."""
    _check_password(password)
    with session_scope(engine) as session:
        user = _get(session, username)
        user.password_hash = _hasher.hash(password)
        user.failed_logins = 0
        user.locked_until = None
        sessions.succeeded(session, username)
        return sessions.end_all(session, username)


def change_role(engine: Engine, username: str, role: str, towns: list[str] | None = None) -> int:
    """Give the account another role (and towns); its sessions end, so the new rights apply at once."""
    _check_role(role)
    with session_scope(engine) as session:
        user = _get(session, username)
        clean_towns = _check_towns(role, towns if towns is not None else list(user.towns or []))
        _check_id_number(role, user.id_number)
        user.role, user.towns = role, clean_towns
        return sessions.end_all(session, username)


def authenticate(
    session: Session, username: str, password: str, now: dt.datetime | None = None, client: str | None = None
) -> LoginResult:
    """Check a password, unless the username or the client address is paused after failures.

    A paused login is refused even with the right password, so guessing cannot go on; unknown
    usernames are counted and paused like real ones, so the answer never reveals an account.
    """
    now = now or utcnow()
    if sessions.blocked(session, username, client, now):
        _hasher.hash(password)  # same cost either way
        return LoginResult(None, "locked")
    user = session.get(User, username)
    ok = False
    if user is None:
        _hasher.hash(password)  # same cost as a real check, so timing does not reveal accounts
    else:
        try:
            ok = _hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            ok = False
    if not ok or user is None:
        sessions.failed(session, username, client, now)
        return LoginResult(None, "bad")
    if not user.active:
        return LoginResult(None, "disabled")
    sessions.succeeded(session, username)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return LoginResult(user, "ok")


def can_see(user: User, region_code: str) -> bool:
    """Admins and auditors see every case; an inspector only cases in their towns."""
    if user.role in ("admin", "supervisor", "auditor"):
        return True
    return any(region_code.startswith(town) for town in (user.towns or []))
