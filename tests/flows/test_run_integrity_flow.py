"""The monthly flow's run record: never `succeeded` without its outputs; errors stored scrubbed;
a NUL byte and a 10,000-character name run on PostgreSQL as on SQLite."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa

from sample import generate_county

COUNTY, PERIOD = "429006", "2026-10"
ID18 = re.compile(r"(?<![\d.])\d{17}[\dXx](?!\d)")  # not the decimals of a float
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def county_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("incoming")
    generate_county(root, COUNTY, PERIOD, households=400, seed=4)
    return root


def _run(root: Path, db_url: str, out: Path) -> dict[str, Any]:
    from flows.monthly import monthly_reconciliation

    return monthly_reconciliation(str(root), COUNTY, PERIOD, db_url, None, str(out))


def _runs(db_url: str) -> list[dict[str, Any]]:
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(sa.text("SELECT * FROM runs ORDER BY started_at")).mappings()]
    engine.dispose()
    return rows


@pytest.mark.parametrize("broken", ["raises", "writes_nothing"])
def test_a_run_whose_outputs_fail_is_not_succeeded(
    prefect_harness: None, county_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, broken: str
) -> None:
    """The report fails (or claims files it never wrote): the run is `failed` at stage report, error scrubbed."""
    import flows.monthly

    number = "42900619500101001X"

    def report(engine: Any, county: str, period: str, out_dir: Path, run_id: str | None = None) -> dict[str, Path]:
        if broken == "raises":
            raise RuntimeError(f"report could not render the row of {number}")
        return {"html": out_dir / "monthly.html"}

    monkeypatch.setattr(flows.monthly, "write_monthly_report", report)
    db_url = f"sqlite:///{tmp_path / 'h.db'}"
    with pytest.raises(Exception, match=r"report could not render|outputs missing"):
        _run(county_root, db_url, tmp_path / "runs")
    (run,) = _runs(db_url)
    assert (run["status"], run["stage"]) == ("failed", "report")  # it got as far as the report
    assert run["stored_at"] is not None  # the cases were stored; the run still did not succeed
    summary = str(run["summary"])
    assert not ID18.search(summary)
    if broken == "raises":
        assert "429006********001X" in summary
    assert (Path(run["output_dir"]) / "cases.csv").is_file()


def _roll_with_names(src: Path, dst: Path, names: dict[int, str]) -> None:
    """Copy a generated county-month, the roll rewritten as UTF-8 CSV with some names replaced."""
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("_truth"))
    path = next(dst.glob("roll.*"))
    if path.suffix == ".xlsx":
        roll = pd.read_excel(path, dtype=str, keep_default_na=False)
    else:
        raw = path.read_bytes()
        text = next(t for t in (_decode(raw, e) for e in ("utf-8-sig", "gb18030")) if t is not None)
        roll = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    name_col = "name" if "name" in roll.columns else "姓名"
    for row, name in names.items():
        roll.loc[row, name_col] = name
    path.unlink()
    roll.to_csv(dst / "roll.csv", index=False, encoding="utf-8")


def _decode(raw: bytes, encoding: str) -> str | None:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        return None


def test_a_nul_byte_and_a_10000_character_name_run_on_postgresql_as_on_sqlite(
    prefect_harness: None, county_root: Path, pg_url: str, tmp_path: Path
) -> None:
    """Both stores succeed and export the same cases; no NUL reaches the store."""
    from cases.db import make_engine
    from cases.export import export_cases

    root = tmp_path / "incoming"
    _roll_with_names(county_root / COUNTY / PERIOD, root / COUNTY / PERIOD, {0: "张\x00三", 1: "李" * 10_000})
    exports = {}
    for label, url in (("pg", pg_url), ("sqlite", f"sqlite:///{tmp_path / 'h.db'}")):
        _run(root, url, tmp_path / "runs")
        assert [r["status"] for r in _runs(url)] == ["succeeded"]
        export_cases(make_engine(url), COUNTY, PERIOD, tmp_path / f"{label}.csv")
        exports[label] = pd.read_csv(tmp_path / f"{label}.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert len(exports["pg"]) > 0
    pd.testing.assert_frame_equal(
        exports["pg"].drop(columns=["evidence"]), exports["sqlite"].drop(columns=["evidence"])
    )
    assert not any("\x00" in v for v in exports["pg"].to_numpy().ravel())
