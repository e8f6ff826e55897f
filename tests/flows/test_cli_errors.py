"""The CLI prints errors without a person's numbers, and `hecha db check` on an empty store."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

import flows.cli as cli
from hecha.exceptions import HechaError

NUMBER, PHONE = "42900619500101001X", "13812345678"


@pytest.mark.parametrize(("error", "code"), [(HechaError, 2), (RuntimeError, 1)])
def test_errors_are_printed_scrubbed(
    error: type[Exception], code: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Expected and unexpected errors alike: masked numbers, one bilingual line, the right exit code."""

    def broken(args: argparse.Namespace) -> int:
        raise error(f"row of {NUMBER}, phone {PHONE}")

    monkeypatch.setattr(cli, "_policy", broken)  # build_parser binds the module's _policy when main calls it
    assert cli.main(["policy"]) == code
    err = capsys.readouterr().err
    assert "错误 error:" in err and "429006********001X" in err and "138****5678" in err
    assert not re.search(r"\d{17}[\dX]", err) and PHONE not in err


def test_db_check_on_a_new_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """It migrates the store and reports that no run was abandoned."""
    assert cli.main(["db", "check", "--db", f"sqlite:///{tmp_path / 'h.db'}"]) == 0
    assert "0 dead run(s)" in capsys.readouterr().out
