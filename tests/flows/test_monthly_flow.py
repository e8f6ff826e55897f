"""End to end: the monthly flow on a generated county, through Prefect, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from flows.summary import format_summary
from hecha.contract import SOURCES
from hecha.exceptions import MissingSourceError
from models.favour.ranking import LIST_ENDS
from sample import generate_county

COUNTY, PERIOD, NEXT = "429006", "2026-10", "2026-11"
EXPORT_COLUMNS = [
    "case_id", "period", "region_code", "finding", "category", "program", "household_id",
    "id_number", "name", "score", "est_monthly_overpayment", "status", "evidence",
]  # fmt: skip


@pytest.fixture(scope="module")
def county_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("incoming")
    generate_county(root, COUNTY, PERIOD, households=400, seed=11)
    generate_county(root, COUNTY, NEXT, households=400, seed=11)
    return root


def _run(root: Path, db_url: str, out: Path, period: str = PERIOD) -> dict:
    from flows.monthly import monthly_reconciliation

    return monthly_reconciliation(str(root), COUNTY, period, db_url, None, str(out))


def _tables(db_url: str) -> dict[str, pd.DataFrame]:
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        out = {
            "cases": pd.read_sql("select * from cases order by case_id", conn).drop(columns=["updated_at"]),
            "events": pd.read_sql("select case_id, kind, period, from_status, to_status from case_events "
                                  "order by case_id, event_id", conn),
            "observations": pd.read_sql("select case_id, period, score, est_monthly_overpayment "
                                        "from case_observations order by case_id, period", conn),
        }  # fmt: skip
    engine.dispose()
    return out


def _export(db_url: str, path: Path, period: str = PERIOD) -> pd.DataFrame:
    from cases.db import make_engine
    from cases.export import export_cases

    export_cases(make_engine(db_url), COUNTY, period, path)
    assert path.read_bytes()[:3] == b"\xef\xbb\xbf", "export must carry a UTF-8 BOM for Excel"
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)


def test_run_export_and_rerun_are_idempotent(prefect_harness: None, county_root: Path, tmp_path: Path) -> None:
    """It runs the month, exports contract §3 cases, and a second run changes nothing."""
    db_url = f"sqlite:///{tmp_path / 'h.db'}"
    summary = _run(county_root, db_url, tmp_path / "runs")
    first = _export(db_url, tmp_path / "cases1.csv")
    assert list(first.columns) == EXPORT_COLUMNS
    assert len(first) > 0
    assert set(first["period"]) == {PERIOD}
    assert sum(summary["findings"].values()) == len(first)
    model = summary["favour"]["model"]  # how long the favour list is, and why, for the terminal and the report
    assert model["list_end"] in LIST_ENDS and f"名单 {model['flagged']} 户" in model["list_note_zh"]
    assert model["list_note_zh"] in format_summary(summary)
    before = _tables(db_url)

    _run(county_root, db_url, tmp_path / "runs")
    second = _export(db_url, tmp_path / "cases2.csv")
    after = _tables(db_url)
    pd.testing.assert_frame_equal(first, second)
    for name in before:
        pd.testing.assert_frame_equal(before[name], after[name], obj=name)


def test_carry_over_between_months(prefect_harness: None, county_root: Path, tmp_path: Path) -> None:
    """A finding seen again next month keeps its case id; one that disappears is resolved by data, not deleted."""
    db_url = f"sqlite:///{tmp_path / 'h.db'}"
    _run(county_root, db_url, tmp_path / "runs", PERIOD)
    october = set(_export(db_url, tmp_path / "oct.csv", PERIOD)["case_id"])
    _run(county_root, db_url, tmp_path / "runs", NEXT)
    november = set(_export(db_url, tmp_path / "nov.csv", NEXT)["case_id"])
    assert october & november, "persisting findings must keep their case ids"
    gone = october - november
    cases = _tables(db_url)["cases"].set_index("case_id")
    assert gone <= set(cases.index), "no case is ever deleted"
    assert (cases.loc[sorted(gone), "status"] == "resolved_by_data").all()


def _roll_as_text(folder: Path) -> pd.DataFrame:
    """The generated roll as text cells, whatever its format and encoding; the file is removed."""
    path = next(folder.glob("roll.*"))
    if path.suffix == ".xlsx":
        table = pd.read_excel(path, dtype=str, keep_default_na=False)
    else:
        raw = path.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    path.unlink()
    return table


def test_broken_roll_rows_are_quarantined_and_nothing_else_is_lost(
    prefect_harness: None, county_root: Path, tmp_path: Path
) -> None:
    """It completes with broken roll rows, reports each with its row number, and loads every other row."""
    import shutil

    root = tmp_path / "incoming"
    shutil.copytree(county_root / COUNTY / PERIOD, root / COUNTY / PERIOD, ignore=shutil.ignore_patterns("_truth"))
    folder = root / COUNTY / PERIOD
    roll = _roll_as_text(folder)
    spec = SOURCES["roll"]
    header = {c.name: (c.name if c.name in roll.columns else c.zh) for c in spec.columns}
    good = roll.iloc[0].to_dict()

    def bad(column: str, value: str) -> dict:
        return {**good, header[column]: value}

    broken = [
        bad("amount", "四百五"),  # non-numeric amount
        bad("enrolled_date", "2026-02-30"),  # impossible date (optional column: kept, flagged)
        bad("id_number", "ABC-NOT-AN-ID"),  # garbage id: kept and flagged, never dropped
        bad("name", ""),  # empty name
        bad("program", "发钱项目"),  # unknown program
    ]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(list(roll.columns))
    for rec in roll.to_dict(orient="records"):
        writer.writerow(rec.values())
    for rec in broken:
        writer.writerow(rec.values())
    buf.write("\n")  # a blank line
    writer.writerow([*good.values(), "多余字段"])  # a line with extra fields
    (folder / "roll.csv").write_text(buf.getvalue(), encoding="utf-8")

    summary = _run(root, f"sqlite:///{tmp_path / 'h.db'}", tmp_path / "runs")
    n = len(roll)
    quarantine = pd.read_csv(Path(summary["output_dir"]) / "quarantine.csv", encoding="utf-8-sig", dtype=str)
    q_roll = quarantine[(quarantine["source"] == "roll") & (quarantine["action"] == "quarantined")]
    # header is row 1, so data row i (0-based) is file row i + 2
    expected_rows = {n + 2, n + 5, n + 6, n + 7, n + 8}  # amount, empty name, unknown program, blank, extra fields
    assert set(q_roll["row"].astype(int)) == expected_rows
    flagged = quarantine[(quarantine["source"] == "roll") & (quarantine["action"] == "kept_flagged")]
    assert {n + 3, n + 4} <= set(flagged["row"].astype(int))
    src = summary["sources"]["roll"]
    assert src["rows_read"] == n + 7
    assert src["quarantined"] == 5
    assert src["rows_loaded"] == n + 2


def test_missing_roll_stops_the_run_naming_it(prefect_harness: None, tmp_path: Path) -> None:
    """A county-month without a roll fails with an error naming the source in Chinese and English."""
    root = tmp_path / "incoming"
    generate_county(root, COUNTY, PERIOD, households=400, seed=3)
    next((root / COUNTY / PERIOD).glob("roll.*")).unlink()
    with pytest.raises(MissingSourceError) as err:
        _run(root, f"sqlite:///{tmp_path / 'h.db'}", tmp_path / "runs")
    assert "救助发放名册" in str(err.value) and "roll" in str(err.value)


def test_run_on_postgresql(prefect_harness: None, county_root: Path, pg_url: str, tmp_path: Path) -> None:
    """The same month on PostgreSQL gives the same cases as on SQLite."""
    _run(county_root, pg_url, tmp_path / "runs")
    on_pg = _export(pg_url, tmp_path / "pg.csv")
    sqlite_url = f"sqlite:///{tmp_path / 'h.db'}"
    _run(county_root, sqlite_url, tmp_path / "runs")
    on_sqlite = _export(sqlite_url, tmp_path / "sqlite.csv")
    pd.testing.assert_frame_equal(on_pg.drop(columns=["evidence"]), on_sqlite.drop(columns=["evidence"]))


def test_several_counties_fan_out_over_the_task_runner(
    prefect_harness: None, county_root: Path, tmp_path: Path
) -> None:
    """A city-wide run reconciles each county on its own partition; no county's cases leak into another's."""
    from flows.monthly import reconcile_counties

    other = "429005"
    generate_county(county_root, other, PERIOD, households=400, seed=5)
    db_url = f"sqlite:///{tmp_path / 'city.db'}"
    results = reconcile_counties(str(county_root), [COUNTY, other], PERIOD, db_url)
    assert set(results) == {COUNTY, other}
    for county, outcome in results.items():
        assert outcome.state == "succeeded" and outcome.summary is not None
        summary = outcome.summary
        assert summary["county"] == county
        assert sum(summary["findings"].values()) > 0
    cases = _tables(db_url)["cases"]
    assert set(cases["county"]) == {COUNTY, other}
    assert cases.loc[cases["county"] == other, "region_code"].str.startswith(other).all()
