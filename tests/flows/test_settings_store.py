"""One settings resolver: every command without `--db` finds the store the run wrote."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import uvicorn

from flows.cli import main
from sample import generate_county

COUNTY, PERIOD = "429006", "2026-10"


def test_every_command_uses_the_store_of_hecha_home(
    prefect_harness: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`HECHA_HOME=/x hecha run`, then export, report, users and serve from another folder: one store."""
    home = tmp_path / "home"
    monkeypatch.setenv("HECHA_HOME", str(home))
    monkeypatch.delenv("HECHA_DB", raising=False)
    generate_county(tmp_path / "incoming", COUNTY, PERIOD, households=400, seed=3)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()

    monkeypatch.chdir(tmp_path / "a")
    assert main(["run", "--input", str(tmp_path / "incoming"), "--county", COUNTY, "--period", PERIOD]) == 0
    assert (home / "hecha.db").is_file()
    assert list((home / "runs" / COUNTY / PERIOD).iterdir())

    monkeypatch.chdir(tmp_path / "b")
    capsys.readouterr()
    assert main(["export", "--county", COUNTY, "--period", PERIOD, "--out", "cases.csv"]) == 0
    exported = int(capsys.readouterr().out.split("已导出 ")[1].split(" ")[0])
    assert exported > 0  # an empty store elsewhere would export nothing
    assert (tmp_path / "b" / "cases.xlsx").is_file()  # and the same rows for Excel, identity numbers as text
    assert main(["report", "monthly", "--county", COUNTY, "--period", PERIOD, "--out", "report"]) == 0
    assert main(["users", "add", "--username", "li", "--password", "pw-123456", "--role", "admin"]) == 0
    capsys.readouterr()
    assert main(["users", "list"]) == 0
    assert '"li"' in capsys.readouterr().out

    served: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: served.update(app=app))
    assert main(["serve", "--port", "8123"]) == 0
    assert served["app"].state.engine.url.database == str(home / "hecha.db")
    assert not (tmp_path / "a" / "var").exists() and not (tmp_path / "b" / "var").exists()
