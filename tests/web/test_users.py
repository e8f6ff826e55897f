"""Account commands behind `hecha users ...`: validation, masking, disabling, password reset."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from cases.db import make_engine, session_scope, upgrade
from cases.schema import User
from cases.users import (
    MAX_FAILED_LOGINS,
    UserError,
    add_user,
    authenticate,
    can_see,
    disable_user,
    list_users,
    reset_password,
)


@pytest.fixture()
def engine(sqlite_url: str) -> Engine:
    eng = make_engine(sqlite_url)
    upgrade(eng)
    return eng


def test_add_user_validates_role_towns_and_password(engine: Engine) -> None:
    with pytest.raises(UserError, match="角色"):
        add_user(engine, "x", "long-enough-1", "boss", [])
    with pytest.raises(UserError, match="9 位"):
        add_user(engine, "x", "long-enough-1", "inspector", ["4290060"])
    with pytest.raises(UserError, match="至少须指定一个乡镇"):
        add_user(engine, "x", "long-enough-1", "inspector", [])
    with pytest.raises(UserError, match="密码"):
        add_user(engine, "x", "short", "admin", [])
    add_user(engine, "x", "long-enough-1", "admin", [])
    with pytest.raises(UserError, match="已存在"):
        add_user(engine, "x", "long-enough-1", "admin", [])


def test_list_users_masks_identity_and_hides_hash(engine: Engine) -> None:
    add_user(engine, "insp", "long-enough-1", "inspector", ["429006001"], "42900619850202002x")
    (row,) = list_users(engine)
    assert row["id_masked"] == "429006********002X" and "password_hash" not in row
    with session_scope(engine) as session:
        stored = session.get_one(User, "insp")
        assert stored.password_hash.startswith("$argon2") and "long-enough-1" not in stored.password_hash


def test_inspector_and_supervisor_accounts_need_a_valid_identity_number(engine: Engine) -> None:
    for role in ("inspector", "supervisor"):
        with pytest.raises(UserError, match="身份证号码"):
            add_user(engine, f"x-{role}", "long-enough-1", role, ["429006001"])
    with pytest.raises(UserError, match="无效"):
        add_user(engine, "x", "long-enough-1", "supervisor", [], "429006198501010000")
    add_user(engine, "sup", "long-enough-1", "supervisor", [], "42900619700404004X", full_name="周敏")
    (row,) = list_users(engine)
    assert row["role_zh"] == "县级审核人" and row["full_name"] == "周敏"


def test_reset_password_lifts_the_lock_and_disable_blocks_login(engine: Engine) -> None:
    add_user(engine, "insp", "long-enough-1", "inspector", ["429006001"], "42900619850202002X")
    with session_scope(engine) as session:
        for _ in range(MAX_FAILED_LOGINS):
            authenticate(session, "insp", "wrong-one-1")
        assert authenticate(session, "insp", "long-enough-1").reason == "locked"
        later = dt.datetime.now() + dt.timedelta(hours=2)
        assert authenticate(session, "insp", "long-enough-1", now=later).reason == "ok"
    reset_password(engine, "insp", "another-pass-2")
    with session_scope(engine) as session:
        assert authenticate(session, "insp", "long-enough-1").reason == "bad"
        assert authenticate(session, "insp", "another-pass-2").user is not None
    disable_user(engine, "insp")
    with session_scope(engine) as session:
        assert authenticate(session, "insp", "another-pass-2").reason == "disabled"
    with pytest.raises(UserError):
        disable_user(engine, "nobody")


def test_town_prefix_decides_what_an_inspector_sees() -> None:
    inspector = User(username="i", role="inspector", towns=["429006001"])
    assert can_see(inspector, "429006001201") and not can_see(inspector, "429006002201")
    assert can_see(User(username="a", role="auditor", towns=[]), "429006002201")
