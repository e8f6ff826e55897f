"""Quality gates with Great Expectations: two real GX runs (one clean, one broken) shared per module."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from checkdata import ID_A, ID_B, ID_C, REGISTRY, ROLL, STANDARDS

from checks.expectations import run_checks
from checks.ingest import load_dataset
from checks.report import CheckReport
from hecha.dataset import Dataset
from hecha.exceptions import DataQualityError
from hecha.policy import ChecksPolicy


def _run(root: Path, **files: str) -> tuple[Dataset, CheckReport, Path]:
    folder = root / "in"
    folder.mkdir()
    for name, text in {"roll": ROLL, "household_registry": REGISTRY, "standards": STANDARDS, **files}.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    dataset = load_dataset(folder, "429006", "2026-10")
    out = root / "out"
    return dataset, run_checks(dataset, ChecksPolicy(), out), out


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[Dataset, CheckReport, Path]:
    return _run(tmp_path_factory.mktemp("clean"), deaths="姓名,身份证号码,死亡日期,数据来源\n赵四,,2026-09-30,火化\n")


BROKEN_ROLL = (
    ROLL
    + (
        f"2026-09,tekun,H002,王五,{ID_C},户主,429006101202,900,2024-07-15\n"  # wrong period: quarantined
        f"2026-10,tekun,H012,王五,{ID_C},户主,429006101202,900,2024-07-15\n"  # tekun paid twice
        f"2026-10,dibao_rural,H009,钱一,{ID_A[:-1]}0,户主,429006101209,50000,2027-01-01\n"  # bad id, huge amount
    )
)
BROKEN_REGISTRY = REGISTRY + f"K009,李梅,{ID_B},户主,女,2030-01-01,429006101209\n"  # same id twice, born later


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> tuple[Dataset, CheckReport, Path]:
    return _run(tmp_path_factory.mktemp("broken"), roll=BROKEN_ROLL, household_registry=BROKEN_REGISTRY)


def _status(report: CheckReport, source: str, expectation: str) -> str:
    return next(r.status for r in report.results if r.source == source and r.expectation == expectation)


def test_clean_county_passes(clean: tuple[Dataset, CheckReport, Path]) -> None:
    _, report, _ = clean
    assert report.ok and report.blocking_failures == [] and report.reason == ""
    report.raise_if_blocking()
    present = [r for r in report.results if r.source in ("roll", "household_registry", "standards", "deaths")]
    assert {r.status for r in present} == {"passed"}
    assert _status(report, "roll", "id_valid_share(id_number)") == "passed"
    assert _status(report, "roll", "quarantined_share") == "passed"


def test_absent_sources_not_run(clean: tuple[Dataset, CheckReport, Path]) -> None:
    """A check on a source that was not supplied is reported as not run, never as passed."""
    _, report, _ = clean
    vehicles = [r for r in report.results if r.source == "vehicles"]
    assert vehicles and {r.status for r in vehicles} == {"not_run"}
    assert report.counts["not_run"] == sum(r.status == "not_run" for r in report.results) > 0


def test_deaths_without_numbers_judged_only_on_numbers_given(clean: tuple[Dataset, CheckReport, Path]) -> None:
    """A cremation record without a number does not count against the deaths validity rate."""
    _, report, _ = clean
    assert _status(report, "deaths", "id_valid_share(id_number)") == "passed"


def test_summary_and_results_file(clean: tuple[Dataset, CheckReport, Path]) -> None:
    _, report, out = clean
    summary = report.to_summary()
    assert set(summary) == {"passed", "failed", "not_run", "blocking_failed", "details", "data_docs"}
    assert summary["failed"] == 0 and summary["passed"] > 20
    detail = summary["details"][0]
    assert set(detail) == {"source", "expectation", "status", "observed", "blocking"}
    json.dumps(summary, ensure_ascii=False)  # JSON-able as stored in runs.summary
    saved = json.loads((out / "checks.json").read_text(encoding="utf-8"))
    assert saved["ok"] is True and len(saved["results"]) == len(report.results)


def test_data_docs_written_offline(clean: tuple[Dataset, CheckReport, Path]) -> None:
    """Data Docs land in out/data_docs and load nothing from the network."""
    _, report, out = clean
    index = out / "data_docs" / "index.html"
    assert report.data_docs == index and index.is_file()
    pages = list((out / "data_docs").rglob("*.html"))
    assert len(pages) >= 4  # index + suites and validations
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert '<script src="http' not in html and 'rel="stylesheet" href="http' not in html
        assert 'href="https://cdn' not in html and 'src="https://' not in html


def test_blocking_failures_raise_with_reason(broken: tuple[Dataset, CheckReport, Path]) -> None:
    """Only an unusable source stops the run: here too few valid roll identity numbers (1 of 6) and
    too many roll rows set aside (1 of 6 of another period)."""
    dataset, report, _ = broken
    failed = {(r.source, r.expectation) for r in report.blocking_failures}
    assert failed == {("roll", "id_valid_share(id_number)"), ("roll", "quarantined_share")}
    assert not report.ok
    with pytest.raises(DataQualityError) as error:
        report.raise_if_blocking()
    message = str(error.value)
    assert "2 项阻断性数据质量检查未通过" in message and "2 blocking data-quality checks failed" in message
    assert "身份证号码有效率不低于 90%" in message
    wrong = dataset.quarantine[dataset.quarantine["column"] == "period"]
    assert list(wrong["row"]) == [5] and "不是本次核查期间 2026-10" in wrong["reason"].iloc[0]


def test_tolerances_warn_without_stopping(broken: tuple[Dataset, CheckReport, Path]) -> None:
    """An implausible amount and a repeated registry number are failed warnings, not gates."""
    _, report, _ = broken
    warned = {(r.source, r.expectation) for r in report.results if r.status == "failed" and not r.blocking}
    assert {("roll", "amount_range(amount)"), ("household_registry", "unique(id_number)")} <= warned
    assert _status(report, "roll", "period_matches(period)") == "passed"  # the row of 2026-09 was quarantined


def test_non_blocking_findings(broken: tuple[Dataset, CheckReport, Path]) -> None:
    """A person paid twice in one programme and dates after the period are reported, not blocking."""
    _, report, _ = broken
    duplicate = next(r for r in report.results if r.expectation == "unique(program,id_number)")
    assert duplicate.status == "failed" and not duplicate.blocking and duplicate.finding == "DUPLICATE_ENROLMENT"
    assert _status(report, "roll", "date_not_after_period(enrolled_date)") == "failed"
    assert _status(report, "household_registry", "date_not_after_period(birth_date)") == "failed"


def test_tolerated_failures(broken: tuple[Dataset, CheckReport, Path]) -> None:
    """policy.max_failed_expectations lets a county tolerate some blocking failures."""
    _, report, _ = broken
    tolerant = dataclasses.replace(report, max_failed_expectations=2)
    assert tolerant.ok
    tolerant.raise_if_blocking()


def test_no_raw_identity_numbers_in_outputs(broken: tuple[Dataset, CheckReport, Path]) -> None:
    """Results JSON and Data Docs never show a raw identity number (uniqueness failures included)."""
    _, _, out = broken
    texts = [(out / "checks.json").read_text(encoding="utf-8")]
    texts += [p.read_text(encoding="utf-8") for p in (out / "data_docs").rglob("*.html")]
    for number in (ID_A, ID_B, ID_C, ID_A[:-1] + "0"):
        assert not any(number in text for text in texts)


def test_roll_with_no_usable_rows_blocks(tmp_path: Path) -> None:
    """A roll whose every row is quarantined cannot pass vacuously."""
    _, report, _ = _run(
        tmp_path, roll="period,program,household_id,name,id_number,amount\n2026-10,低保金,H1,张三,,600\n"
    )
    failed = {r.expectation for r in report.blocking_failures if r.source == "roll"}
    assert failed == {"has_rows", "quarantined_share"}
