"""The command line as a user meets it: the demo, clear errors, the policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.cli import main


def test_demo_builds_runs_exports_and_reports(
    prefect_harness: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`hecha demo` generates the sample county, runs the month on SQLite, exports cases and says where."""
    assert main(["demo", "--dir", str(tmp_path / "demo"), "--households", "400"]) == 0
    out = capsys.readouterr().out
    assert "结果位置" in out
    csvs = list((tmp_path / "demo" / "runs").rglob("cases.csv"))
    assert len(csvs) == 1 and csvs[0].stat().st_size > 0
    assert (tmp_path / "demo" / "hecha.db").exists()


def test_bad_period_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A malformed period is refused before anything runs, in Chinese and English."""
    with pytest.raises(Exception, match="YYYY-MM"):
        from hecha.settings import RunSettings

        RunSettings(input_root=tmp_path, county="429006", period="2026-13")


def test_policy_show_prints_the_effective_policy(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A county override changes only what it names."""
    override = tmp_path / "county.yaml"
    override.write_text("linkage:\n  default_threshold: 0.95\n", encoding="utf-8")
    assert main(["policy", "--policy", str(override)]) == 0
    out = capsys.readouterr().out
    assert "default_threshold: 0.95" in out
    assert "weak_link_below: 0.97" in out


def test_offline_runtime_creates_prefect_home_in_a_fresh_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fresh clone has no var/: Prefect's home is created with its parents, or the flow cannot start."""
    from hecha.settings import configure_offline_runtime

    monkeypatch.delenv("PREFECT_HOME", raising=False)
    monkeypatch.setenv("HECHA_HOME", str(tmp_path / "fresh" / "var"))
    configure_offline_runtime()
    assert (tmp_path / "fresh" / "var" / "prefect").is_dir()
