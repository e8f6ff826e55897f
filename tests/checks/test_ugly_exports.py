"""A corpus of ugly exports, one per shape that county systems and clerks really produce.

Each test re-saves or damages one file of a clean generated county and asserts what a clerk
should get: the same data (hence the same findings) as the clean file, or a clear error that
names the file, the row and the column; and, for every source, rows read = loaded + quarantined.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from ugly import (
    COUNTY,
    PERIOD,
    Table,
    assert_every_row_accounted,
    assert_same_frames,
    fresh_folder,
    tables_of,
    write_csv,
    write_plain,
    write_xls,
    write_xlsx,
)

from checks.ingest import load_dataset, source_summary
from hecha.dataset import Dataset
from hecha.exceptions import HechaError, InputFileError
from hecha.policy import load_policy
from matching.resolve import resolve
from models.rules import run_rules
from sample import generate_county

Findings = set[tuple[str, str]]


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Table], Dataset, Findings]:
    """The clean baseline: a generated county re-saved as plain UTF-8 CSVs, loaded, linked and judged once."""
    root = tmp_path_factory.mktemp("ugly")
    generated = generate_county(root / "generated", COUNTY, PERIOD, households=400, seed=5)
    tables = tables_of(generated)
    for table in tables.values():  # ・ and • have no GBK code: GBK exports write · between minority-name parts
        table.rows = [[cell.replace("\u30fb", "·").replace("\u2022", "·") for cell in row] for row in table.rows]
    base = root / "base"
    base.mkdir()
    write_plain(base, tables)
    clean = load_dataset(base, COUNTY, PERIOD)
    return base, tables, clean, findings_of(clean)


def findings_of(dataset: Dataset) -> Findings:
    policy = load_policy()
    result = run_rules(dataset, resolve(dataset, policy.linkage), policy)
    return set(zip(result.findings["finding"], result.findings["subject_key"], strict=True))


Case = tuple[Path, dict[str, Table], Dataset, Findings]


def reload(county: Case, tmp_path: Path, damage: Callable[[Path, dict[str, Table]], None]) -> Dataset:
    base, tables, _, _ = county
    folder = fresh_folder(base, tmp_path)
    damage(folder, {name: t.copy() for name, t in tables.items()})
    dataset = load_dataset(folder, COUNTY, PERIOD)
    assert_every_row_accounted(dataset)
    return dataset


def same_as_clean(county: Case, tmp_path: Path, damage: Callable[[Path, dict[str, Table]], None]) -> Dataset:
    dataset = reload(county, tmp_path, damage)
    assert_same_frames(dataset, county[2])
    return dataset


def replace(folder: Path, source: str, write: Callable[[Path], None], suffix: str = ".csv") -> None:
    (folder / f"{source}.csv").unlink()
    write(folder / f"{source}{suffix}")


def notes(dataset: Dataset, source: str) -> str:
    return "\n".join(dataset.notes.get(source, []))


def flagged(dataset: Dataset, source: str) -> pd.DataFrame:
    q = dataset.quarantine
    return q[(q["source"] == source) & (q["action"] == "kept_flagged")]


def quarantined(dataset: Dataset, source: str) -> pd.DataFrame:
    q = dataset.quarantine
    return q[(q["source"] == source) & (q["action"] == "quarantined")]


# --- headers as clerks write them ---------------------------------------------------------


def test_units_in_full_width_brackets(county: Case, tmp_path: Path) -> None:
    """`发放金额（元）` is the contract's 发放金额."""

    def damage(folder: Path, t: dict[str, Table]) -> None:
        t["roll"].header[t["roll"].col("amount")] = "发放金额（元）"
        write_csv(folder / "roll.csv", t["roll"])

    same_as_clean(county, tmp_path, damage)


def test_registered_capital_with_unit_in_brackets_keeps_business_findings(county: Case, tmp_path: Path) -> None:
    """`注册资本（万元）` and `注册资本(万元)` are 注册资本万元: BUSINESS_OWNED findings do not vanish."""
    for i, header in enumerate(("注册资本（万元）", "注册资本(万元)")):

        def damage(folder: Path, t: dict[str, Table], header: str = header) -> None:
            t["businesses"].header[t["businesses"].col("registered_capital")] = header
            write_csv(folder / "businesses.csv", t["businesses"])

        dataset = same_as_clean(county, tmp_path / str(i), damage)
        assert findings_of(dataset) == county[3]
    assert any(code == "BUSINESS_OWNED" for code, _ in county[3])


def test_stray_and_full_width_spaces_in_headers(county: Case, tmp_path: Path) -> None:
    def damage(folder: Path, t: dict[str, Table]) -> None:
        roll = t["roll"]
        roll.header[roll.col("name")] = " 姓 名 "
        roll.header[roll.col("household_id")] = "家庭\u3000编号"
        write_csv(folder / "roll.csv", roll)

    same_as_clean(county, tmp_path, damage)


def test_line_break_inside_a_header_cell(county: Case, tmp_path: Path) -> None:
    def damage(folder: Path, t: dict[str, Table]) -> None:
        roll = t["roll"]
        roll.header[roll.col("per_capita_income")] = "家庭月人均\n收入"
        write_csv(folder / "roll.csv", roll)

    same_as_clean(county, tmp_path, damage)


def test_english_headers_in_any_case_and_order(county: Case, tmp_path: Path) -> None:
    def damage(folder: Path, t: dict[str, Table]) -> None:
        reg = t["household_registry"]
        zh_to_en = {c.zh: c.name for c in __import__("hecha.contract").contract.SOURCES["household_registry"].columns}
        reg.header = [zh_to_en.get(h, h).upper() for h in reg.header]
        order = list(reversed(range(len(reg.header))))
        reg.header = [reg.header[i] for i in order]
        reg.rows = [[row[i] for i in order] for row in reg.rows]
        write_csv(folder / "household_registry.csv", reg)

    same_as_clean(county, tmp_path, damage)


def test_extra_columns_are_kept_and_ignored(county: Case, tmp_path: Path) -> None:
    def damage(folder: Path, t: dict[str, Table]) -> None:
        roll = t["roll"]
        roll.header = ["序号", *roll.header, "备注"]
        roll.rows = [[str(i + 1), *row, "无"] for i, row in enumerate(roll.rows)]
        write_csv(folder / "roll.csv", roll)

    dataset = same_as_clean(county, tmp_path, damage)
    assert "序号" in dataset.frames["roll"].columns


def test_look_alike_column_is_a_warning_naming_it(county: Case, tmp_path: Path) -> None:
    """`身份证号` is not the contract's 身份证号码: not read as it, and the clerk is told which column."""

    def damage(folder: Path, t: dict[str, Table]) -> None:
        deaths = t["deaths"]
        deaths.header[deaths.col("id_number")] = "身份证号"
        write_csv(folder / "deaths.csv", deaths)

    dataset = reload(county, tmp_path, damage)
    text = notes(dataset, "deaths")
    assert "身份证号" in text and "身份证号码" in text and "id_number" in text
    assert dataset.frames["deaths"]["id_number"].isna().all()


def test_look_alike_of_a_required_identity_column_is_named_in_the_error(county: Case, tmp_path: Path) -> None:
    def damage(folder: Path, t: dict[str, Table]) -> None:
        roll = t["roll"]
        roll.header[roll.col("id_number")] = "身份证号"
        write_csv(folder / "roll.csv", roll)

    with pytest.raises(InputFileError) as error:
        reload(county, tmp_path, damage)
    message = str(error.value)
    assert "roll.csv" in message and "身份证号码" in message and "「身份证号」与之相近" in message
    assert "0%" not in message


def test_a_duplicated_column_names_both_places(county: Case, tmp_path: Path) -> None:
    def damage(folder: Path, t: dict[str, Table]) -> None:
        roll = t["roll"]
        roll.header.append("姓 名")
        for row in roll.rows:
            row.append(row[roll.col("name")])
        write_csv(folder / "roll.csv", roll)

    with pytest.raises(InputFileError) as error:
        reload(county, tmp_path, damage)
    message = str(error.value)
    first = county[1]["roll"].col("name") + 1
    assert (
        "roll.csv" in message
        and f"第 {first} 列" in message
        and f"第 {len(county[1]['roll'].header) + 1} 列" in message
    )


def test_a_missing_required_column_is_named(county: Case, tmp_path: Path) -> None:
    def damage(folder: Path, t: dict[str, Table]) -> None:
        roll = t["roll"]
        i = roll.col("amount")
        roll.header.pop(i)
        for row in roll.rows:
            row.pop(i)
        write_csv(folder / "roll.csv", roll)

    with pytest.raises(InputFileError, match=r"roll\.csv.*发放金额.*amount"):
        reload(county, tmp_path, damage)


def test_a_roll_without_its_identity_column_is_named_not_zero_percent_valid(county: Case, tmp_path: Path) -> None:
    def damage(folder: Path, t: dict[str, Table]) -> None:
        roll = t["roll"]
        i = roll.col("id_number")
        roll.header.pop(i)
        for row in roll.rows:
            row.pop(i)
        write_csv(folder / "roll.csv", roll)

    with pytest.raises(InputFileError, match=r"roll\.csv.*身份证号码.*id_number"):
        reload(county, tmp_path, damage)


# --- files as offices save them ------------------------------------------------------------


def test_legacy_xls(county: Case, tmp_path: Path) -> None:
    same_as_clean(county, tmp_path, lambda f, t: replace(f, "roll", lambda p: write_xls(p, t["roll"]), ".xls"))


def test_excel_unicode_text_utf16_tabs(county: Case, tmp_path: Path) -> None:
    """Excel's "Unicode text": UTF-16 with BOM, tab-separated, CRLF, saved as .txt."""

    def damage(folder: Path, t: dict[str, Table]) -> None:
        replace(
            folder,
            "household_registry",
            lambda p: write_csv(p, t["household_registry"], "utf-16", "\t", newline="\r\n"),
            ".txt",
        )

    same_as_clean(county, tmp_path, damage)


def test_tsv_in_utf8(county: Case, tmp_path: Path) -> None:
    same_as_clean(
        county, tmp_path, lambda f, t: replace(f, "roll", lambda p: write_csv(p, t["roll"], "utf-8", "\t"), ".tsv")
    )


def test_csv_separated_by_tabs(county: Case, tmp_path: Path) -> None:
    same_as_clean(county, tmp_path, lambda f, t: write_csv(f / "deaths.csv", t["deaths"], delimiter="\t"))


def test_title_rows_above_the_header_in_a_workbook(county: Case, tmp_path: Path) -> None:
    def damage(folder: Path, t: dict[str, Table]) -> None:
        titles = ["天门市2026年10月社会救助资金发放名册", "填报单位：天门市民政局　单位：元"]
        replace(folder, "roll", lambda p: write_xlsx(p, t["roll"], titles=titles), ".xlsx")

    dataset = same_as_clean(county, tmp_path, damage)
    assert "表头在第 3 行" in notes(dataset, "roll") and "天门市2026年10月" in notes(dataset, "roll")
    assert int(dataset.frames["roll"]["_row"].iloc[0]) == 4  # row numbers stay those of the sheet


def test_title_row_above_the_header_in_a_csv(county: Case, tmp_path: Path) -> None:
    same_as_clean(
        county, tmp_path, lambda f, t: write_csv(f / "payroll.csv", t["payroll"], above=[["财政供养人员名单"]])
    )


def test_two_row_header_with_merged_group_cells(county: Case, tmp_path: Path) -> None:
    """Column names merged down over two rows on the left, a group cell (发放信息) over sub-columns on the right."""

    def damage(folder: Path, t: dict[str, Table]) -> None:
        roll = t["roll"]
        k = len(roll.header) // 2
        upper = roll.header[:k] + ["发放信息"] + [""] * (len(roll.header) - k - 1)
        lower = [""] * k + roll.header[k:]
        replace(folder, "roll", lambda p: write_xlsx(p, Table(lower, roll.rows), group_row=upper), ".xlsx")

    dataset = same_as_clean(county, tmp_path, damage)
    assert "两行" in notes(dataset, "roll")


def test_data_on_a_later_sheet(county: Case, tmp_path: Path) -> None:
    def damage(folder: Path, t: dict[str, Table]) -> None:
        replace(folder, "cadres", lambda p: write_xlsx(p, t["cadres"], sheets_before=["说明", "汇总"]), ".xlsx")

    dataset = same_as_clean(county, tmp_path, damage)
    assert "工作表「名册」" in notes(dataset, "cadres") and "第 3 个" in notes(dataset, "cadres")


def test_xlsx_renamed_csv_is_read_and_named(county: Case, tmp_path: Path) -> None:
    def damage(folder: Path, t: dict[str, Table]) -> None:
        write_xlsx(folder / "vehicles.csv", t["vehicles"])

    dataset = same_as_clean(county, tmp_path, damage)
    assert "实为 Excel 工作簿" in notes(dataset, "vehicles")


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig"])
def test_chinese_encodings(county: Case, tmp_path: Path, encoding: str) -> None:
    same_as_clean(county, tmp_path, lambda f, t: write_csv(f / "roll.csv", t["roll"], encoding))


def test_mixed_encodings_name_the_line(county: Case, tmp_path: Path) -> None:
    """A GBK file with two lines appended in UTF-8 by another tool: both read, both named."""

    def damage(folder: Path, t: dict[str, Table]) -> None:
        reg = t["household_registry"]
        head = Table(reg.header, reg.rows[:-2])
        write_csv(folder / "household_registry.csv", head, "gbk")
        tail = Table(reg.header, reg.rows[-2:])
        with (folder / "household_registry.csv").open("ab") as fh:
            fh.write("\n".join(",".join(r) for r in tail.rows).encode("utf-8") + b"\n")

    dataset = same_as_clean(county, tmp_path, damage)
    n = len(county[1]["household_registry"].rows)
    lines = flagged(dataset, "household_registry")
    assert sorted(lines.loc[lines["reason"].str.contains("编码"), "row"]) == [n, n + 1]


def test_nul_and_control_characters_are_stripped_and_flagged(county: Case, tmp_path: Path) -> None:
    def damage(folder: Path, t: dict[str, Table]) -> None:
        roll = t["roll"]
        name = roll.col("name")
        roll.rows[0][name] = roll.rows[0][name][0] + "\x00" + roll.rows[0][name][1:]
        roll.rows[1][name] = roll.rows[1][name] + "\x07\u200b"
        write_csv(folder / "roll.csv", roll)

    dataset = same_as_clean(county, tmp_path, damage)
    lines = flagged(dataset, "roll")
    control = lines[lines["reason"].str.contains("控制字符")]
    assert list(control["row"]) == [2, 3] and set(control["column"]) == {"name"}
    assert not dataset.frames["roll"]["name"].str.contains("\x00").any()


def test_a_stray_quote_does_not_swallow_lines(county: Case, tmp_path: Path) -> None:
    """`"张三,…` opens a quoted field that would swallow the following lines; each line is read on its own."""

    def damage(folder: Path, t: dict[str, Table]) -> None:
        write_csv(folder / "roll.csv", t["roll"])
        path = folder / "roll.csv"
        lines = path.read_text(encoding="utf-8").split("\n")
        for i in (3, 9):  # data lines 3 and 9 (file lines 4 and 10) get a stray opening quote
            cells = lines[i].split(",")
            cells[1] = '"' + cells[1]
            lines[i] = ",".join(cells)
        path.write_text("\n".join(lines), encoding="utf-8")

    dataset = same_as_clean(county, tmp_path, damage)
    data_lines = len(county[1]["roll"].rows)
    assert dataset.rows_read["roll"] == data_lines  # counted by physical data lines
    stray = flagged(dataset, "roll")
    stray = stray[stray["reason"].str.contains("引号")]
    assert set(stray["row"]) >= {4, 10}
    assert list(dataset.frames["roll"]["_row"]) == list(range(2, data_lines + 2))  # no row number shifted


def test_every_field_quoted_and_crlf(county: Case, tmp_path: Path) -> None:
    same_as_clean(
        county, tmp_path, lambda f, t: write_csv(f / "roll.csv", t["roll"], newline="\r\n", quoting=csv.QUOTE_ALL)
    )


def test_blank_lines_inside_are_quarantined_and_counted(county: Case, tmp_path: Path) -> None:
    def damage(folder: Path, t: dict[str, Table]) -> None:
        roll = t["roll"]
        roll.rows.insert(5, [""] * len(roll.header))
        write_csv(folder / "roll.csv", roll)

    dataset = same_as_clean(county, tmp_path, damage)
    assert list(quarantined(dataset, "roll")["row"]) == [7]


def test_totals_row_at_the_foot_is_not_data(county: Case, tmp_path: Path) -> None:
    def damage(folder: Path, t: dict[str, Table]) -> None:
        roll = t["roll"]
        total = [""] * len(roll.header)
        total[0] = "合计"
        total[roll.col("amount")] = "99999"
        roll.rows.append(total)
        write_csv(folder / "roll.csv", roll)

    dataset = same_as_clean(county, tmp_path, damage)
    q = quarantined(dataset, "roll")
    assert len(q) == 1 and "合计行" in q["reason"].iloc[0]


def test_formatted_empty_rows_after_the_data_are_not_rows(county: Case, tmp_path: Path) -> None:
    def damage(folder: Path, t: dict[str, Table]) -> None:
        reg = t["poverty_registry"]
        reg.rows += [[""] * len(reg.header)] * 5
        replace(folder, "poverty_registry", lambda p: write_xlsx(p, reg), ".xlsx")

    dataset = same_as_clean(county, tmp_path, damage)
    assert dataset.rows_read["poverty_registry"] == len(county[1]["poverty_registry"].rows)


# --- values as Excel leaves them -------------------------------------------------------------


def test_excel_date_serials_in_dates_and_the_period(county: Case, tmp_path: Path) -> None:
    def damage(folder: Path, t: dict[str, Table]) -> None:
        roll = t["roll"]
        epoch = pd.Timestamp("1899-12-30")
        for row in roll.rows:
            row[roll.col("period")] = str((pd.Timestamp(f"{row[roll.col('period')]}-01") - epoch).days)
            enrolled = row[roll.col("enrolled_date")]
            if enrolled:
                row[roll.col("enrolled_date")] = str((pd.Timestamp(_iso(enrolled)) - epoch).days)
        numeric = {roll.col("period"): int, roll.col("enrolled_date"): int}
        replace(folder, "roll", lambda p: write_xlsx(p, roll, numeric=numeric), ".xlsx")

    same_as_clean(county, tmp_path, damage)


def _iso(text: str) -> str:
    from checks.values import parse_date

    return parse_date(text).isoformat()


@pytest.mark.parametrize("style", ["2026年10月", "2026/10", "202610", "2026-10-01"])
def test_period_styles(county: Case, tmp_path: Path, style: str) -> None:
    def damage(folder: Path, t: dict[str, Table]) -> None:
        roll = t["roll"]
        for row in roll.rows:
            row[roll.col("period")] = style
        write_csv(folder / "roll.csv", roll)

    same_as_clean(county, tmp_path, damage)


def test_identity_numbers_stored_as_numbers_are_kept_invalid_and_explained(county: Case, tmp_path: Path) -> None:
    def damage(folder: Path, t: dict[str, Table]) -> None:
        reg = t["household_registry"]
        i = reg.col("id_number")
        for row in reg.rows[:20]:
            if row[i].isdigit():
                row[i] = f"{float(row[i]):.5E}"  # what a CSV saved from Excel shows: 4.29006E+17
        write_csv(folder / "household_registry.csv", reg)

    dataset = reload(county, tmp_path, damage)
    reg = dataset.frames["household_registry"]
    assert (reg["id_number_status"].iloc[:20] == "invalid").sum() >= 15
    assert "文本" in notes(dataset, "household_registry") and "重新导出" in notes(dataset, "household_registry")
    raw = flagged(dataset, "household_registry")
    assert raw["reason"].str.contains("科学计数法").sum() >= 15


def test_identity_numbers_as_number_cells_in_a_workbook(county: Case, tmp_path: Path) -> None:
    def damage(folder: Path, t: dict[str, Table]) -> None:
        roll = t["roll"]
        i = roll.col("id_number")
        roll.rows = [r for r in roll.rows if r[i].isdigit() and len(r[i]) == 18]  # 15-digit ones fit in a double
        replace(folder, "roll", lambda p: write_xlsx(p, roll, numeric={i: float}), ".xlsx")

    dataset = reload(county, tmp_path, damage)
    assert (dataset.frames["roll"]["id_number_status"] == "invalid").all()
    assert "Excel 存成了数字" in notes(dataset, "roll")


def test_money_as_written(county: Case, tmp_path: Path) -> None:
    """Thousands separators, ¥ / ￥, 元 and 人民币 are not part of the amount."""

    def damage(folder: Path, t: dict[str, Table]) -> None:
        roll = t["roll"]
        i = roll.col("amount")
        styles = ["¥{:,.2f}", "{:,.2f}元", "￥{:.0f}", "人民币{:.2f}元", "{:,.2f}"]
        for k, row in enumerate(roll.rows):
            row[i] = styles[k % len(styles)].format(float(row[i]))
        write_csv(folder / "roll.csv", roll)

    same_as_clean(county, tmp_path, damage)


def test_identity_number_forms(county: Case, tmp_path: Path) -> None:
    """Lower-case x, full-width digits and spaces inside the number: the same person, the same status."""

    def damage(folder: Path, t: dict[str, Table]) -> None:
        roll = t["roll"]
        i = roll.col("id_number")
        for k, row in enumerate(roll.rows):
            number = row[i]
            if k % 3 == 0:
                row[i] = number.lower()
            elif k % 3 == 1:
                row[i] = "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isdigit() else c for c in number)
            else:
                row[i] = f"{number[:6]} {number[6:14]} {number[14:]}"
        write_csv(folder / "roll.csv", roll)

    same_as_clean(county, tmp_path, damage)


def test_date_styles_mixed(county: Case, tmp_path: Path) -> None:
    def damage(folder: Path, t: dict[str, Table]) -> None:
        deaths = t["deaths"]
        i = deaths.col("death_date")
        for k, row in enumerate(deaths.rows):
            d = pd.Timestamp(_iso(row[i]))
            row[i] = [f"{d.year}/{d.month}/{d.day}", d.strftime("%Y%m%d"), f"{d.year}年{d.month}月{d.day}日"][k % 3]
        write_csv(folder / "deaths.csv", deaths)

    same_as_clean(county, tmp_path, damage)


# --- one bad row is quarantined, never a reason to stop --------------------------------------


def _roll_row_without_findings(county: Case) -> int:
    """A temporary-aid row of a one-row household with no finding: quarantining it changes nothing else
    (no rule judges a missed temporary payment)."""
    clean, found = county[2], county[3]
    households = {key for _, key in found}
    roll = clean.frames["roll"]
    names = {name for code, key in found for name in roll.loc[roll["household_id"] == key[2:], "name"]}
    for i, (hid, program, name) in enumerate(zip(roll["household_id"], roll["program"], roll["name"], strict=True)):
        alone = (roll["household_id"] == hid).sum() == 1 and (roll["name"] == name).sum() == 1
        if program == "temporary" and alone and f"h:{hid}" not in households and name not in names:
            return i
    raise AssertionError("no quiet temporary-aid household")


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("amount", "-300", "发放金额应大于 0"),
        ("amount", "0", "发放金额应大于 0"),
        ("period", "2026-09", "不是本次核查期间 2026-10"),
        ("region_code", "429005001001", "不属于本县 429006"),
        ("amount", "三百", "金额不是数字"),
        ("program", "低保金", "救助类别无法识别"),
    ],
)
def test_one_bad_roll_row_is_quarantined_with_its_reason(
    county: Case, tmp_path: Path, column: str, value: str, reason: str
) -> None:
    row = _roll_row_without_findings(county)

    def damage(folder: Path, t: dict[str, Table]) -> None:
        t["roll"].rows[row][t["roll"].col(column)] = value
        write_csv(folder / "roll.csv", t["roll"])

    dataset = reload(county, tmp_path, damage)
    assert_same_frames(dataset, county[2], drop={"roll": [row]})
    q = quarantined(dataset, "roll")
    assert list(q["row"]) == [row + 2] and list(q["column"]) == [column] and reason in q["reason"].iloc[0]
    summary = source_summary(dataset)["roll"]
    assert summary["rows_read"] == summary["rows_loaded"] + summary["quarantined"]
    assert findings_of(dataset) == county[3]


def test_a_line_with_more_fields_than_the_header(county: Case, tmp_path: Path) -> None:
    row = _roll_row_without_findings(county)

    def damage(folder: Path, t: dict[str, Table]) -> None:
        t["roll"].rows[row] += ["多余", "字段"]
        write_csv(folder / "roll.csv", t["roll"])

    dataset = reload(county, tmp_path, damage)
    assert_same_frames(dataset, county[2], drop={"roll": [row]})
    assert "字段数多于表头" in quarantined(dataset, "roll")["reason"].iloc[0]


# --- references that fit the roll, or say so ---------------------------------------------------


def test_standards_without_a_paid_program_say_which_rules_did_not_run(county: Case, tmp_path: Path) -> None:
    def damage(folder: Path, t: dict[str, Table]) -> None:
        std = t["standards"]
        std.rows = [r for r in std.rows if r[std.col("program")] not in ("dibao_rural", "农村低保")]
        write_csv(folder / "standards.csv", std)

    dataset = reload(county, tmp_path, damage)
    policy = load_policy()
    result = run_rules(dataset, resolve(dataset, policy.linkage), policy)
    for code in ("AMOUNT_MISMATCH", "MISSED_DIBAO"):
        assert code in result.not_run and "dibao_rural" in result.not_run[code] and "农村低保" in result.not_run[code]
    unaffected = {"DECEASED_PAID", "VEHICLE_OWNED", "PROPERTY_EXCESS", "PUBLIC_PAYROLL"}
    got = set(zip(result.findings["finding"], result.findings["subject_key"], strict=True))
    assert {f for f in got if f[0] in unaffected} == {f for f in county[3] if f[0] in unaffected}


def test_standards_of_another_county_stop_before_any_work(county: Case, tmp_path: Path) -> None:
    def damage(folder: Path, t: dict[str, Table]) -> None:
        std = t["standards"]
        for row in std.rows:
            row[std.col("region_code")] = "429005"
        write_csv(folder / "standards.csv", std)

    with pytest.raises(HechaError, match=r"standards\.csv.*429005"):
        reload(county, tmp_path, damage)


def test_a_county_code_that_matches_none_of_the_data_is_an_error(county: Case, tmp_path: Path) -> None:
    base = county[0]
    folder = fresh_folder(base, tmp_path)
    with pytest.raises(HechaError, match=r"429005.*roll\.csv.*429006"):
        load_dataset(folder, "429005", PERIOD)


def test_contract_v2_optional_columns_are_read(county: Case, tmp_path: Path) -> None:
    def damage(folder: Path, t: dict[str, Table]) -> None:
        std = t["standards"]
        i, area = std.col("program"), std.col("area")
        std.header[area] = "城乡类别"
        for row in std.rows:
            row[area] = "城镇" if row[i] == "dibao_urban" else ("农村" if row[i] == "dibao_rural" else row[area])
        write_csv(folder / "standards.csv", std)

    dataset = reload(county, tmp_path, damage)
    areas = dataset.frames["standards"].set_index("program")["area"]
    assert set(areas.loc["dibao_urban"]) == {"urban"} and set(areas.loc["dibao_rural"]) == {"rural"}
    assert dataset.frames["household_registry"]["established_date"].notna().any()


# --- files that cannot be read at all -------------------------------------------------------------


def test_a_web_page_saved_as_xls_is_a_clear_error(county: Case, tmp_path: Path) -> None:
    def damage(folder: Path, t: dict[str, Table]) -> None:
        (folder / "roll.csv").unlink()
        (folder / "roll.xls").write_text("<html><table><tr><td>姓名</td></tr></table></html>", encoding="utf-8")

    with pytest.raises(InputFileError, match=r"roll\.xls.*另存为 \.xlsx"):
        reload(county, tmp_path, damage)


def test_two_files_for_one_source(county: Case, tmp_path: Path) -> None:
    def damage(folder: Path, t: dict[str, Table]) -> None:
        write_xlsx(folder / "roll.xlsx", t["roll"])

    with pytest.raises(InputFileError, match=r"roll\.csv.*roll\.xlsx"):
        reload(county, tmp_path, damage)


def test_an_empty_required_file_stops_with_its_name(county: Case, tmp_path: Path) -> None:
    def damage(folder: Path, t: dict[str, Table]) -> None:
        (folder / "household_registry.csv").write_bytes(b"")

    with pytest.raises(InputFileError, match=r"household_registry\.csv"):
        reload(county, tmp_path, damage)


def test_an_unusable_optional_file_does_not_stop_the_month_and_says_why(county: Case, tmp_path: Path) -> None:
    """An empty payroll and a vehicles file without a header: their rules report why they did not run."""

    def damage(folder: Path, t: dict[str, Table]) -> None:
        (folder / "payroll.csv").write_bytes(b"")
        write_csv(folder / "vehicles.csv", Table(["a", "b", "c"], [["1", "2", "3"]]))

    dataset = reload(county, tmp_path, damage)
    assert set(dataset.unreadable) == {"payroll", "vehicles"} and "表头" in dataset.unreadable["vehicles"]
    policy = load_policy()
    result = run_rules(dataset, resolve(dataset, policy.linkage), policy)
    assert "vehicles.csv" in result.not_run["VEHICLE_OWNED"] and "无法使用" in result.not_run["VEHICLE_OWNED"]
    assert "payroll.csv" in result.not_run["PUBLIC_PAYROLL"]
