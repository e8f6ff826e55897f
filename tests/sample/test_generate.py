"""The sample county generator: files, truth, noise, determinism, month over month."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pandas as pd
import pytest
from sample_rules import derive, truth_keys
from sampledata import HOUSEHOLDS, SEED, read_source, source_file

from hecha.contract import PERSON_COLUMNS, SOURCES
from hecha.findings import FINDINGS, HOUSEHOLD_LEVEL
from hecha.idnumber import clean, is_valid
from sample import build_county, generate_county

EXTRA = {"established_date", "立户日期", "phone", "联系电话", "area", "城乡", "min_age", "最低年龄"}


def test_every_source_present_with_contract_headers(october: Path) -> None:
    """It writes all 12 sources, each with every contract column, in English or Chinese."""
    for name, source in SOURCES.items():
        frame = read_source(source_file(october, name))
        english, chinese = set(source.column_names), {c.zh for c in source.columns}
        headers = set(frame.columns) - (EXTRA - english - chinese)
        assert headers in (english, chinese), name
        assert len(frame) > 0, name


def test_mixed_formats_and_encodings(october: Path) -> None:
    """It mixes xlsx, UTF-8 (with and without BOM) and a GBK file that is not UTF-8."""
    suffixes = {p.suffix for p in october.iterdir() if p.is_file()}
    assert suffixes == {".csv", ".xlsx"}
    deaths = (october / "deaths.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        deaths.decode("utf-8")
    assert "死亡日期" in deaths.decode("gbk")
    assert (october / "disability_registry.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_truth_is_complete_for_two_months() -> None:
    """Re-deriving every rule on the clean data gives exactly the planted truth."""
    for period in ("2026-10", "2026-11", "2027-04"):
        _world, snap = build_county("429006", period, HOUSEHOLDS, SEED)
        derived = derive(snap.frames, period)
        assert derived == truth_keys(snap.truth), period


def test_every_finding_code_planted(october: Path) -> None:
    """Every finding code of contract §2 is planted at least three times."""
    truth = pd.read_csv(october / "_truth" / "findings.csv", dtype=str, keep_default_na=False)
    counts = truth["finding"].value_counts()
    for code in FINDINGS:
        assert counts.get(code, 0) >= 3, code
    household = truth["finding"].isin(list(HOUSEHOLD_LEVEL))
    assert (truth.loc[household, "id_number"] == "").all()
    assert (truth.loc[~household, "id_number"] != "").all()
    missed = truth["finding"].isin(["MISSED_DISABILITY_CARE", "MISSED_ELDERLY_ALLOWANCE"])
    assert (truth.loc[missed, "household_id"] == "").all()
    poverty = read_source(source_file(october, "poverty_registry"))
    assert set(truth.loc[truth["finding"] == "MISSED_DIBAO", "household_id"]) <= set(poverty["户编号"])


def test_decoys_point_at_their_person(october: Path) -> None:
    """Each decoy row names a file row whose true person is the decoy's person."""
    decoys = pd.read_csv(october / "_truth" / "decoys.csv", dtype=str, keep_default_na=False)
    records = pd.read_csv(october / "_truth" / "records.csv", dtype=str, keep_default_na=False)
    key = dict(zip(zip(records["source"], records["row"], strict=True), records["person_key"], strict=True))
    wanted = {
        "homonym_death",
        "homonym_payroll",
        "exempt_vehicle",
        "one_home",
        "cancelled_business",
        "small_individual",
        "death_in_period",
        "cadre_kin_filed",
        "elderly_exact_min_age",
        "care_level_2",
        "family_one_account",
        "legit_recent_enrolment",
    }
    assert wanted <= set(decoys["kind"])
    for d in decoys.itertuples():
        assert key[(d.source, d.row)] == d.id_number, d


def test_records_cover_every_person_row(october: Path) -> None:
    """records.csv has one row per person-bearing file row, numbered from 2."""
    records = pd.read_csv(october / "_truth" / "records.csv", dtype=str, keep_default_na=False)
    for source in PERSON_COLUMNS:
        rows = records.loc[records["source"] == source, "row"].astype(int)
        frame = read_source(source_file(october, source))
        assert sorted(rows) == list(range(2, len(frame) + 2)), source
        assert records.loc[records["source"] == source, "person_key"].map(is_valid).all()


def test_noise_is_present(october: Path) -> None:
    """Legacy numbers, bad check digits, full-width and lower-case x, traditional names, no-ID cremations."""
    estate = read_source(source_file(october, "real_estate"))
    assert (estate["证件号码"].str.len() == 15).sum() > 0
    all_ids: list[str] = []
    all_names: list[str] = []
    for source, (name_col, id_col) in PERSON_COLUMNS.items():
        frame = read_source(source_file(october, source))
        src = SOURCES[source]
        cols = {c.name: c for c in src.columns}
        for col in (id_col,):
            header = col if col in frame else cols[col].zh
            all_ids += frame[header].tolist()
        header = name_col if name_col in frame else cols[name_col].zh
        all_names += frame[header].tolist()
    cleaned = [clean(x) for x in all_ids if x]
    assert sum(len(x) == 18 and not is_valid(x) for x in cleaned) > 0
    assert any(x.endswith("x") for x in all_ids)
    assert any(any("０" <= ch <= "９" for ch in x) for x in all_ids)
    assert any(ch in "張劉陳楊黃趙吳錢孫蘭華國軍偉麗紅" for n in all_names for ch in n)
    deaths = read_source(source_file(october, "deaths"))
    cremated = deaths[deaths["数据来源"] == "火化"]
    assert ((cremated["身份证号码"] == "") & (cremated["年龄"] != "")).any()


def test_deterministic_per_seed(tmp_path: Path, october: Path) -> None:
    """The same seed writes byte-identical files; another seed does not."""
    again = generate_county(tmp_path / "a", "429006", "2026-10", HOUSEHOLDS, SEED)
    names = sorted(p.name for p in october.iterdir() if p.is_file())
    _match, mismatch, errors = filecmp.cmpfiles(october, again, names, shallow=False)
    truth = sorted(p.name for p in (october / "_truth").iterdir())
    t_match, _, _ = filecmp.cmpfiles(october / "_truth", again / "_truth", truth, shallow=False)
    assert not mismatch and not errors and len(t_match) == 5
    other = generate_county(tmp_path / "b", "429006", "2026-10", HOUSEHOLDS, SEED + 1)
    assert (other / "roll.xlsx").read_bytes() != (october / "roll.xlsx").read_bytes()


def test_month_over_month(october: Path, november: Path) -> None:
    """November is October one month on: same people, most cases persist, a few are fixed."""
    reg = [read_source(source_file(f, "household_registry")) for f in (october, november)]
    ids = [set(r["户号"]) for r in reg]
    assert len(ids[0] & ids[1]) >= 0.98 * len(ids[0])
    oct_truth, nov_truth = (
        pd.read_csv(f / "_truth" / "findings.csv", dtype=str, keep_default_na=False) for f in (october, november)
    )
    keys = [set(zip(t["finding"], t["household_id"], t["id_number"], strict=True)) for t in (oct_truth, nov_truth)]
    assert keys[1] <= keys[0]
    assert 0.6 * len(keys[0]) <= len(keys[1]) < len(keys[0])
    fixed_dead = keys[0] - keys[1]
    dead_ids = {k[2] for k in fixed_dead if k[0] == "DECEASED_PAID"}
    assert dead_ids
    nov_records = pd.read_csv(november / "_truth" / "records.csv", dtype=str)
    assert not dead_ids & set(nov_records.loc[nov_records["source"] == "roll", "person_key"])


@pytest.mark.parametrize("seed", [12, 13])
def test_poverty_households_whose_members_all_left_are_not_planted(seed: int) -> None:
    """Seeds where a poverty hukou has no living member left still build, with a complete truth."""
    _world, snap = build_county("429006", "2026-10", 6000, seed)
    assert derive(snap.frames, "2026-10") == truth_keys(snap.truth)


def test_registry_repeats_numbers_as_counties_do(october: Path) -> None:
    """0.1-0.5% of the registry's numbers are listed twice, both kinds, exactly as the truth lists them."""
    reg = read_source(source_file(october, "household_registry"))
    numbers = reg["身份证号码"].map(clean)
    repeated = numbers[numbers.duplicated(keep=False)]
    share = repeated.nunique() / numbers.nunique()
    assert 0.001 <= share <= 0.005, share
    truth = pd.read_csv(october / "_truth" / "registry_repeats.csv", dtype=str, keep_default_na=False)
    assert set(truth["kind"]) == {"one_person", "shared_number"}
    assert sorted(truth["row"].astype(int)) == sorted(repeated.index + 2)
    records = pd.read_csv(october / "_truth" / "records.csv", dtype=str, keep_default_na=False)
    reg_keys = records[records["source"] == "household_registry"].set_index("row")["person_key"]
    for number, rows in truth.groupby("id_number"):
        persons = reg_keys.loc[rows["row"]].nunique()
        assert persons == (2 if rows["kind"].iloc[0] == "shared_number" else 1), number
        if rows["kind"].iloc[0] == "one_person":
            assert rows["hukou_id"].nunique() == 2, number


def test_some_roll_people_are_missing_from_the_registry(october: Path) -> None:
    """Roll people registered in another county (or deregistered dead) are on no registry row."""
    records = pd.read_csv(october / "_truth" / "records.csv", dtype=str, keep_default_na=False)
    on_roll = set(records.loc[records["source"] == "roll", "person_key"])
    listed = set(records.loc[records["source"] == "household_registry", "person_key"])
    assert len(on_roll - listed) >= 2
    decoys = pd.read_csv(october / "_truth" / "decoys.csv", dtype=str, keep_default_na=False)
    family = decoys[decoys["kind"] == "unregistered_family_account"]
    assert len(family) == 2 and family["id_number"].iloc[0] in on_roll - listed
