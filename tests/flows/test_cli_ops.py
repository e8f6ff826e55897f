"""The command line as an operator meets it: help, fast clear errors, passwords, aligned tables."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pytest
from rich.cells import cell_len

from flows import cli
from flows.cli import main
from flows.errors import scrub
from flows.summary import format_summary

ID_NUMBER = "42010519491231002X"


def _subparsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                found.append(child)
                found.extend(_subparsers(child))
    return found


def test_every_option_has_help_and_an_example() -> None:
    """Each option of each command says what it is and shows an example; each command shows example lines."""
    commands = _subparsers(cli.build_parser())
    assert len(commands) >= 18
    for command in commands:
        assert "例 examples:" in (command.epilog or ""), command.prog
        for action in command._actions:
            if isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
                continue
            assert action.help and "例 e.g." in action.help, f"{command.prog} {action.dest}"


@pytest.fixture()
def no_flow(monkeypatch: pytest.MonkeyPatch) -> None:
    """Validation must refuse before the run command is even called (so before Prefect starts)."""

    def never(args: argparse.Namespace) -> int:
        raise AssertionError("the run started despite a bad argument")

    monkeypatch.setattr(cli, "_run", never)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--county", "42900"], "--county must be a 6-digit county code"),
        (["--period", "2026-13"], "--period must be YYYY-MM"),
        (["--db", "postgres://hecha:secret@db/hecha"], "unusable database URL"),
        (["--county", "429005"], "no folder for county 429005"),
        (["--policy", "missing.yaml"], "the policy file does not exist"),
    ],
)
def test_bad_arguments_fail_fast_in_one_line(
    no_flow: None, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], expected: str
) -> None:
    """A wrong county, month, database URL, input folder or policy file: exit 2, one line, no traceback."""
    (tmp_path / "429006" / "2026-10").mkdir(parents=True)
    base = {"--input": str(tmp_path), "--county": "429006", "--period": "2026-10"}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        base[flag] = value if flag != "--policy" else str(tmp_path / value)
    argv = ["run"] + [x for pair in base.items() for x in pair]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Traceback" not in err
    assert expected in err and err.startswith("错误 error: ")
    assert "secret" not in err


def test_policy_errors_name_the_file_and_the_key_and_mask_identity_numbers(
    no_flow: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bad YAML names the line; a wrong value names its key; an identity number in the file is never echoed raw."""
    (tmp_path / "429006" / "2026-10").mkdir(parents=True)
    run = ["run", "--input", str(tmp_path), "--county", "429006", "--period", "2026-10", "--policy"]
    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text("checks:\n  max_quarantined_share: [0.1\n", encoding="utf-8")
    assert main([*run, str(bad_yaml)]) == 2
    err = capsys.readouterr().err
    assert "YAML 格式错误第 3 行" in err and "invalid YAML at line 3" in err and "Traceback" not in err

    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(f"checks:\n  min_id_valid_share: '{ID_NUMBER}x'\n", encoding="utf-8")
    assert main([*run, str(wrong)]) == 2
    err = capsys.readouterr().err
    assert "checks.min_id_valid_share" in err and "invalid policy value" in err
    assert ID_NUMBER not in err and "420105" in err  # the value shown masked


def test_debug_shows_the_traceback(no_flow: None, tmp_path: Path) -> None:
    """With --debug the error is raised, traceback and all."""
    with pytest.raises(Exception, match="6-digit"):
        main(["--debug", "run", "--input", str(tmp_path), "--county", "x", "--period", "2026-10"])


def test_scrub_masks_identity_numbers_only() -> None:
    assert scrub(f"行 12：{ID_NUMBER} 重复") == "行 12：420105********002X 重复"
    assert scrub("county 429006, 12345678901234567890 rows") == "county 429006, 12345678901234567890 rows"


def test_password_from_stdin_never_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--password-stdin` reads the password; without it and without a terminal the command says how."""
    db = f"sqlite:///{tmp_path / 'h.db'}"
    monkeypatch.setattr("sys.stdin", io.StringIO("pw-123456-long\n"))
    assert main(["users", "add", "--username", "li", "--role", "admin", "--password-stdin", "--db", db]) == 0
    from sqlalchemy.orm import Session

    from cases.db import make_engine
    from cases.users import authenticate

    with Session(make_engine(db)) as session:
        assert authenticate(session, "li", "pw-123456-long").reason == "ok"
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["users", "add", "--username", "wang", "--role", "admin", "--db", db]) == 2
    assert "--password-stdin" in capsys.readouterr().err


def test_chinese_columns_align_by_display_width() -> None:
    """Source names of 4 and 11 Chinese characters still line up their counts in a terminal."""
    summary = {
        "run_id": "r", "county": "429006", "period": "2026-10", "absent_sources": [], "linkage": {},
        "findings": {}, "rules_not_run": {}, "checks": {"passed": 1, "failed": 0, "not_run": 0},
        "sources": {
            name: {"rows_read": 10, "quarantined": 0, "flagged": 0, "id_valid_share": 1.0}
            for name in ("roll", "cadre_kin_filings", "standards")
        },
    }  # fmt: skip
    lines = [line for line in format_summary(summary).splitlines() if "读取" in line]  # type: ignore[arg-type]
    columns = {cell_len(line[: line.index("读取")]) for line in lines}
    assert len(lines) == 3 and len(columns) == 1
