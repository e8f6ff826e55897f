"""A county whose registry lists 0.1-0.5% of its numbers twice: the month runs, reports them, loses nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from flows.summary import format_summary
from hecha.findings import HOUSEHOLD_LEVEL, RULE_CODES
from hecha.privacy import mask_id
from sample import generate_county

COUNTY, PERIOD = "429006", "2026-10"


@pytest.fixture(scope="module")
def run(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path, Path]:
    from flows.monthly import monthly_reconciliation

    root = tmp_path_factory.mktemp("repeats")
    folder = generate_county(root / "incoming", COUNTY, PERIOD, households=400, seed=11)
    out = root / "runs"
    summary = monthly_reconciliation(str(root / "incoming"), COUNTY, PERIOD, f"sqlite:///{root / 'h.db'}", None,
                                     str(out))  # fmt: skip
    return summary, folder, Path(summary["output_dir"])


def _truth(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / "_truth" / name, dtype=str, keep_default_na=False)


@pytest.mark.slow
def test_summary_reports_the_repeats_by_kind(run: tuple[dict, Path, Path]) -> None:
    """The summary counts the repeated numbers by kind as planted, lists them masked, and prints them."""
    summary, folder, _ = run
    truth = _truth(folder, "registry_repeats.csv").drop_duplicates("id_number")
    repeats = summary["registry_repeats"]
    assert repeats["by_kind"] == truth["kind"].value_counts().to_dict()
    assert 0.001 <= repeats["share"] <= 0.005
    assert {r["id_masked"] for r in repeats["listed"]} == {mask_id(n) for n in truth["id_number"]}
    shared = [r for r in repeats["listed"] if r["kind"] == "shared_number"]
    assert shared and all(r["persons"] == 2 for r in shared)
    assert all(r["persons"] == 1 for r in repeats["listed"] if r["kind"] == "one_person")
    text = format_summary(summary)
    assert "一人多户" in text and "重号" in text
    dumped = json.dumps(summary, ensure_ascii=False) + text
    assert not any(n in dumped for n in truth["id_number"]), "a raw identity number in the summary"


@pytest.mark.slow
def test_the_monthly_report_lists_them_masked(run: tuple[dict, Path, Path]) -> None:
    """The report's data-quality part lists the repeats for the public-security bureau, masked."""
    _, folder, out_dir = run
    (html,) = (out_dir / "report").glob("*.html")
    page = html.read_text(encoding="utf-8")
    truth = _truth(folder, "registry_repeats.csv")
    assert "户籍重复身份证号" in page and "请公安户籍部门核实" in page
    assert all(mask_id(n) in page for n in truth["id_number"])
    assert not any(n in page for n in truth["id_number"])


@pytest.mark.slow
def test_no_planted_finding_is_lost(run: tuple[dict, Path, Path]) -> None:
    """Every planted finding of every rule code is found (recall 1.0, as without repeats), and the
    unregistered mother paid into her family's account is no SHARED_ACCOUNT."""
    _, folder, out_dir = run
    cases = pd.read_csv(out_dir / "cases.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    records = _truth(folder, "records.csv").set_index(["source", "row"])["person_key"]

    def key(c: pd.Series) -> str:
        if c["finding"] in HOUSEHOLD_LEVEL:
            return str(c["household_id"])
        first = json.loads(c["evidence"])["records"][0]
        return str(records.get((first["source"], str(first["row"])), c["id_number"]))

    found = set(zip(cases["finding"], cases.apply(key, axis=1), strict=True))
    truth = _truth(folder, "findings.csv")
    truth = truth[truth["finding"].isin(RULE_CODES)]
    planted = truth["household_id"].where(truth["finding"].isin(list(HOUSEHOLD_LEVEL)), truth["id_number"])
    want = set(zip(truth["finding"], planted, strict=True))
    for code in sorted(set(truth["finding"])):
        lost = {k for c, k in want if c == code} - {k for c, k in found if c == code}
        assert not lost, (code, lost)
    decoys = _truth(folder, "decoys.csv")
    family = decoys[decoys["kind"] == "unregistered_family_account"]
    assert len(family) and not {("SHARED_ACCOUNT", h) for h in family["household_id"]} & found
    extra = {k for c, k in found if c == "SHARED_ACCOUNT"} - {k for c, k in want if c == "SHARED_ACCOUNT"}
    assert not extra, extra
