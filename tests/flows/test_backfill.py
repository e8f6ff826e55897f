"""Backfill: past months of a county, one flow run each, in calendar order."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest
import sqlalchemy as sa

from flows.cli import main
from sample import generate_county

COUNTY = "429006"
MONTHS = ["2026-08", "2026-09", "2026-10"]


@pytest.mark.slow
def test_backfill_runs_three_months_in_order(
    prefect_harness: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`hecha backfill --from 2026-08 --to 2026-10` runs August, then September, then October, each succeeded."""
    root = tmp_path / "incoming"
    for month in MONTHS:
        generate_county(root, COUNTY, month, households=400, seed=21)
    monkeypatch.setenv("HECHA_HOME", str(tmp_path / "home"))
    db = f"sqlite:///{tmp_path / 'h.db'}"
    code = main(["backfill", "--input", str(root), "--county", COUNTY, "--from", MONTHS[0], "--to", MONTHS[-1],
                 "--db", db])  # fmt: skip
    assert code == 0
    assert "backfilled 3 months in order: 2026-08, 2026-09, 2026-10" in capsys.readouterr().out
    engine = sa.create_engine(db)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("select period, status, started_at, finished_at from runs order by started_at")
        ).all()
    engine.dispose()
    assert [r.period for r in rows] == MONTHS
    assert {r.status for r in rows} == {"succeeded"}
    for before, after in pairwise(rows):
        assert before.finished_at <= after.started_at, "a month starts only after the one before has finished"


def test_backfill_checks_every_month_before_it_starts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A missing month in the range is named before any month runs."""
    (tmp_path / COUNTY / "2026-08").mkdir(parents=True)
    (tmp_path / COUNTY / "2026-10").mkdir(parents=True)
    code = main(["backfill", "--input", str(tmp_path), "--county", COUNTY, "--from", "2026-08", "--to", "2026-10"])
    assert code == 2
    err = capsys.readouterr().err
    assert "2026-09" in err and "found: 2026-08、2026-10" in err
