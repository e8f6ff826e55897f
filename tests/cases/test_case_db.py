"""cases.db: engines, migrations shipped in the package, sessions."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from cases.db import alembic_config, make_engine, session_scope, upgrade
from cases.schema import Base, Run


def test_migrated_schema_equals_metadata(engine: Engine) -> None:
    """It creates every table of cases.schema, and autogenerate finds nothing left to migrate."""
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
        tables = set(inspect(conn).get_table_names())
    assert diff == []
    assert set(Base.metadata.tables) | {"alembic_version"} == tables


def test_upgrade_twice_is_harmless(sqlite_engine: Engine) -> None:
    """It can be called on every start of the service."""
    upgrade(sqlite_engine)
    with sqlite_engine.connect() as conn:
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head


def test_sqlite_pragmas(sqlite_engine: Engine) -> None:
    """Foreign keys are enforced and the file is in WAL mode, so the web app can read during a run."""
    with sqlite_engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar_one() >= 1000
        with pytest.raises(Exception, match="FOREIGN KEY"):
            conn.execute(text("INSERT INTO case_people (case_id, id_hash, relation) VALUES ('nope', 'x', '')"))


def test_default_url_from_env_or_var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a URL it uses HECHA_DB, else hecha.db in HECHA_HOME, else in var/ under the working folder."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HECHA_DB", raising=False)
    monkeypatch.delenv("HECHA_HOME", raising=False)
    default = make_engine(None)
    assert default.url.database == str(tmp_path / "var" / "hecha.db")
    assert (tmp_path / "var").is_dir()
    monkeypatch.setenv("HECHA_HOME", str(tmp_path / "home"))
    assert make_engine(None).url.database == str(tmp_path / "home" / "hecha.db")
    monkeypatch.setenv("HECHA_DB", f"sqlite:///{tmp_path / 'other.db'}")
    assert make_engine(None).url.database == str(tmp_path / "other.db")


def test_session_scope_rolls_back(sqlite_engine: Engine) -> None:
    """An exception inside the scope leaves nothing written."""
    with pytest.raises(RuntimeError), session_scope(sqlite_engine) as session:
        session.add(Run(run_id="r1", county="429006", period="2026-10"))
        session.flush()
        raise RuntimeError("boom")
    with session_scope(sqlite_engine) as session:
        assert session.get(Run, "r1") is None
