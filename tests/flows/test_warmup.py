"""`hecha run` without a Prefect server: the CLI boots Prefect's temporary API itself and stops it at exit."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from flows import warmup
from sample import generate_county

ROOT = Path(__file__).resolve().parents[2]
COUNTY, PERIOD = "429006", "2026-10"
SERVER_APP = "prefect.server.api.server:create_app"


def _servers_of(home: Path) -> list[psutil.Process]:
    """Temporary Prefect servers whose PREFECT_HOME is under `home`."""
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        try:
            if SERVER_APP in (proc.info["cmdline"] or []) and str(home) in proc.environ().get("PREFECT_HOME", ""):
                found.append(proc)
        except psutil.Error:
            continue
    return found


def _tables(db: Path) -> set[str]:
    with sqlite3.connect(db) as con:
        return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_a_new_home_starts_from_a_copy_of_the_template(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    template = tmp_path / "template.db"
    with sqlite3.connect(template) as con:
        con.execute("CREATE TABLE flow_run (id TEXT)")
    monkeypatch.setattr(warmup, "template_path", lambda: template)
    monkeypatch.delenv("PREFECT_API_DATABASE_CONNECTION_URL", raising=False)
    monkeypatch.delenv("PREFECT_SERVER_DATABASE_CONNECTION_URL", raising=False)
    home = tmp_path / "home"
    home.mkdir()
    assert warmup.seed_home(home)
    assert _tables(home / "prefect.db") == {"flow_run"}


def test_a_home_with_a_database_keeps_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    template = tmp_path / "template.db"
    template.write_bytes(b"template")
    monkeypatch.setattr(warmup, "template_path", lambda: template)
    (tmp_path / "prefect.db").write_bytes(b"runs of earlier months")
    assert not warmup.seed_home(tmp_path)
    assert (tmp_path / "prefect.db").read_bytes() == b"runs of earlier months"


def test_a_configured_prefect_database_is_not_seeded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    template = tmp_path / "template.db"
    template.write_bytes(b"template")
    monkeypatch.setattr(warmup, "template_path", lambda: template)
    monkeypatch.setenv("PREFECT_API_DATABASE_CONNECTION_URL", "postgresql+asyncpg://prefect@db/prefect")
    home = tmp_path / "home"
    home.mkdir()
    assert not warmup.seed_home(home)
    assert not (home / "prefect.db").exists()


def test_no_template_means_prefect_migrates_as_before(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(warmup, "template_path", lambda: tmp_path / "absent.db")
    assert not warmup.seed_home(tmp_path)


def test_a_server_in_a_prefect_profile_is_left_to_prefect(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No temporary server is started, and PREFECT_API_URL is not set over the profile's."""
    (tmp_path / "profiles.toml").write_text(
        'active = "bureau"\n[profiles.bureau]\nPREFECT_API_URL = "http://10.0.0.5:4200/api"\n', encoding="utf-8"
    )
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path))
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.delitem(sys.modules, "prefect", raising=False)  # as in the CLI: Prefect not imported yet
    warmup.start_temporary_api()
    assert warmup._server is None and "PREFECT_API_URL" not in os.environ
    assert not (tmp_path / "prefect.db").exists()


def test_the_template_is_a_migrated_prefect_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What setup makes: Prefect's tables at its newest migration, in one file."""
    monkeypatch.setattr(warmup, "template_path", lambda: tmp_path / "share" / "prefect-x.db")
    made = warmup.make_template()
    assert made == tmp_path / "share" / "prefect-x.db"
    assert {"flow_run", "task_run", "alembic_version"} <= _tables(made)
    assert list(made.parent.iterdir()) == [made]  # no journal or partial file beside it


def test_hecha_run_as_a_command_boots_and_stops_its_own_temporary_api(tmp_path: Path) -> None:
    """A fresh home, no PREFECT_API_URL: the run succeeds, prints its last line, and leaves no server behind."""
    root, home = tmp_path / "in", tmp_path / "home"
    generate_county(root, COUNTY, PERIOD, households=400, seed=5)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "HECHA_"))}
    env |= {"HECHA_HOME": str(home), "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "flows.cli", "run", "--input", str(root), "--county", COUNTY, "--period", PERIOD]
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.rstrip().splitlines()[-1].startswith("运行目录 run folder:")  # flushed before the quick exit
    with sqlite3.connect(home / "hecha.db") as con:
        assert con.execute("SELECT status FROM runs").fetchall() == [("succeeded",)]
    with sqlite3.connect(home / "prefect" / "prefect.db") as con:  # the flow run went to this home's API
        names = [r[0] for r in con.execute("SELECT name FROM flow_run")]
    assert names == [f"hecha {COUNTY} {PERIOD}"]
    assert _servers_of(home) == []


class _Exited(Exception):
    pass


def _quick_exit(code: int) -> None:
    raise _Exited(code)


def test_the_command_exits_quickly_after_running_the_exit_handlers(monkeypatch: pytest.MonkeyPatch) -> None:
    from flows import cli

    ran: list[str] = []
    monkeypatch.setattr(cli, "main", lambda: 3)
    monkeypatch.setattr(cli.atexit, "_run_exitfuncs", lambda: ran.append("handlers"))
    monkeypatch.setattr(cli.os, "_exit", _quick_exit)
    monkeypatch.setattr(cli.sys, "gettrace", lambda: None)
    monkeypatch.setattr(cli.sys, "getprofile", lambda: None)
    with pytest.raises(_Exited, match="3"):
        cli.entry()
    assert ran == ["handlers"]


def test_under_a_profiler_or_coverage_the_command_exits_the_ordinary_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """So the tool still writes its results when the program ends."""
    from flows import cli

    monkeypatch.setattr(cli, "main", lambda: 0)
    monkeypatch.setattr(cli.os, "_exit", _quick_exit)
    monkeypatch.setattr(cli.sys, "gettrace", lambda: None)
    monkeypatch.setattr(cli.sys, "getprofile", lambda: print)  # any profile function
    with pytest.raises(SystemExit) as exited:
        cli.entry()
    assert exited.value.code == 0
