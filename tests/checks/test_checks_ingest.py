"""Loading an input folder: encodings, workbooks, headers, identity numbers, quarantine."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from checkdata import ID_A, ID_B, ID_C, REGISTRY, WriteCounty, make_id

from checks.ingest import load_dataset, source_summary
from checks.reading import decode
from hecha.exceptions import HechaError, InputFileError, MissingSourceError
from hecha.privacy import mask_id

PERIOD = "2026-10"


def load(folder: Path):
    return load_dataset(folder, "429006", PERIOD)


def assert_nothing_dropped(dataset) -> None:
    """rows_read = loaded + quarantined, for every source."""
    quarantined = dataset.quarantined_counts()
    for name, frame in dataset.frames.items():
        assert dataset.rows_read[name] == len(frame) + quarantined.get(name, 0), name


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_each_encoding(write_county: WriteCounty, encoding: str) -> None:
    """It reads UTF-8, UTF-8 with BOM, GBK and GB18030 files without being told which."""
    folder = write_county(encoding=encoding)
    dataset = load(folder)
    assert list(dataset.frames["roll"]["name"]) == ["张三", "李梅", "王五"]
    assert list(dataset.frames["roll"].columns[:2]) == ["period", "program"]  # BOM not glued to the header


def test_gb18030_only_characters(write_county: WriteCounty) -> None:
    """A name outside GBK (刘䶮, 𠀀) forces GB18030 and survives intact."""
    registry = REGISTRY + f"K003,刘䶮,{make_id('42900619900404004')},户主,男,1990-04-04,429006101203\n"
    registry += f"K004,王𠀀,{make_id('42900619910505005')},户主,女,1991-05-05,429006101203\n"
    folder = write_county(encoding="gb18030", household_registry=registry)
    assert decode((folder / "household_registry.csv").read_bytes(), "household_registry.csv")[1] == "gb18030"
    assert list(load(folder).frames["household_registry"]["name"])[-2:] == ["刘䶮", "王𠀀"]


def test_undecodable_file_is_an_input_error(write_county: WriteCounty) -> None:
    folder = write_county()
    (folder / "roll.csv").write_bytes(b"period,name\n\xff\xfe\xfd\x80\x81\n")
    with pytest.raises(InputFileError, match=r"roll\.csv"):
        load(folder)


def test_xlsx_reads_everything_as_text(write_county: WriteCounty) -> None:
    """A workbook's first sheet is read; identity numbers and codes stay text, date cells become dates."""
    folder = write_county(roll=None)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["发放年月", "救助类别", "家庭编号", "姓名", "身份证号码", "行政区划代码", "发放金额", "纳入日期"])
    sheet.append(
        ["2026-10", "农村低保", "H001", "张三", ID_A, "429006101201", 600, pd.Timestamp("2025-03-01").to_pydatetime()]
    )
    sheet.append(["2026-10", "特困供养", 2, "王五", ID_C, 429006101202, "900.5", "2024/7/15"])
    book.create_sheet("ignored").append(["not", "read"])
    book.save(folder / "roll.xlsx")
    roll = load(folder).frames["roll"]
    assert list(roll["id_number"]) == [ID_A, ID_C]
    assert list(roll["id_number_status"]) == ["valid", "valid"]
    assert list(roll["household_id"]) == ["H001", "2"]
    assert list(roll["region_code"]) == ["429006101201", "429006101202"]
    assert list(roll["amount"]) == [600.0, 900.5]
    assert list(roll["enrolled_date"]) == [pd.Timestamp("2025-03-01"), pd.Timestamp("2024-07-15")]
    assert list(roll["_row"]) == [2, 3]


def test_chinese_headers_in_any_order(write_county: WriteCounty) -> None:
    """Chinese headers, shuffled, with stray and full-width spaces; unknown columns kept."""
    roll = (
        " 姓名 ,发放金额,备注,身份证号码,\u3000救助类别,家庭编号,发放年月\n"
        f"张三,600,首次,{ID_A},农村低保,H001,2026-10\n"
    )
    frame = load(write_county(roll=roll)).frames["roll"]
    assert frame.loc[0, "name"] == "张三"
    assert frame.loc[0, "program"] == "dibao_rural"
    assert frame.loc[0, "amount"] == 600.0
    assert frame.loc[0, "备注"] == "首次"
    assert pd.isna(frame.loc[0, "relation"])  # a contract column the file lacks is NA


def test_missing_required_column(write_county: WriteCounty) -> None:
    """A header without a required column stops with the file and the column named in both languages."""
    roll = f"period,program,household_id,name,id_number\n2026-10,tekun,H1,张三,{ID_A}\n"
    with pytest.raises(InputFileError) as error:
        load(write_county(roll=roll))
    message = str(error.value)
    assert "roll.csv" in message and "发放金额" in message and "amount" in message


def test_missing_roll(write_county: WriteCounty) -> None:
    """No roll file: MissingSourceError naming it in Chinese and English."""
    with pytest.raises(MissingSourceError) as error:
        load(write_county(roll=None))
    assert "救助发放名册" in str(error.value) and "roll" in str(error.value)
    assert error.value.source == "roll"


def test_absent_optional_sources(write_county: WriteCounty) -> None:
    dataset = load(write_county(deaths="姓名,死亡日期\n张三,2026-09-30\n"))
    assert dataset.has("deaths") and not dataset.has("vehicles")
    assert "vehicles" in dataset.absent and "deaths" not in dataset.absent
    assert dataset.frames["deaths"]["death_date"].dtype == "datetime64[ns]"


def test_other_files_and_truth_folder_ignored(write_county: WriteCounty) -> None:
    folder = write_county()
    (folder / "notes.txt").write_text("x", encoding="utf-8")
    (folder / "_truth").mkdir()
    (folder / "_truth" / "deaths.csv").write_text("姓名,死亡日期\n", encoding="utf-8")
    assert "deaths" in load(folder).absent


def test_bad_period_argument(write_county: WriteCounty) -> None:
    with pytest.raises(HechaError, match="YYYY-MM"):
        load_dataset(write_county(), "429006", "2026-13")


def test_identity_number_forms(write_county: WriteCounty) -> None:
    """Every form of number is kept; only invalid or missing ones are flagged, and masked in the table."""
    legacy15 = "110105491231002"
    wrong_check = ID_A[:-1] + ("1" if ID_A[-1] != "1" else "2")
    rows = [
        ("valid", ID_A, ID_A, "valid"),
        ("lower x", "11010519491231002x", "11010519491231002X", "valid"),
        ("full width", "".join(chr(ord(c) + 0xFEE0) for c in ID_B), ID_B, "valid"),
        ("spaces", f"{ID_C[:6]} {ID_C[6:14]} {ID_C[14:]}", ID_C, "valid"),
        ("legacy", legacy15, "11010519491231002X", "upgraded"),
        ("wrong check", wrong_check, wrong_check, "invalid"),
        ("empty", "", None, "missing"),
    ]
    registry = "hukou_id,name,id_number\n" + "".join(f"K{i},{n},{raw}\n" for i, (n, raw, _, _) in enumerate(rows))
    dataset = load(write_county(household_registry=registry))
    frame = dataset.frames["household_registry"]
    assert list(frame["id_number"]) == [r[2] for r in rows]
    assert list(frame["id_number_status"]) == [r[3] for r in rows]
    assert list(frame["id_number_raw"]) == [r[1] or None for r in rows]

    flagged = dataset.quarantine[dataset.quarantine["source"] == "household_registry"]
    assert list(flagged["row"]) == [7, 8]
    assert set(flagged["action"]) == {"kept_flagged"}
    assert list(flagged["value"]) == [mask_id(wrong_check), ""]
    assert wrong_check not in dataset.quarantine.to_csv()
    assert_nothing_dropped(dataset)


BROKEN_ROLL = f"""period,program,household_id,name,id_number,amount,enrolled_date,relation,household_size
2026-10,dibao_rural,H001,张三,{ID_A},600,2025-03-01,户主,2
2026-10,dibao_rural,H001,李梅,{ID_B},六百,2025-03-01,配偶,2
2026-10,dibao_rural,H003,赵六,{make_id("42900619700707007")},600,2026-02-30,户主,1
2026-10,tekun,H002,王五,GARBAGE-123,900,2024/7/15,户主,1

2026-10,tekun,H004,,{make_id("42900619600606006")},900,2024-07-15,户主,1
2026-10,低保,H005,孙七,{make_id("42900619650505005")},600,2024-07-15,户主,1
2026-10,dibao_urban,H006,周八,{make_id("42900619750808008")},600,2024-07-15,户主,1,extra
2026年10月,农村低保,H007,吴九,{make_id("42900619881010002")},"¥1,200",20240715,邻居,两人
"""


def test_broken_roll(write_county: WriteCounty) -> None:
    """Each bad row is quarantined or flagged at its own row number and column; every other row loads."""
    dataset = load(write_county(roll=BROKEN_ROLL))
    roll = dataset.frames["roll"]
    q = dataset.quarantine[dataset.quarantine["source"] == "roll"]
    got = {(int(r.row), r.column, r.action) for r in q.itertuples()}
    assert got == {
        (3, "amount", "quarantined"),  # 六百: not a number
        (4, "enrolled_date", "kept_flagged"),  # 2026-02-30 in an optional column: NA, row kept
        (5, "id_number", "kept_flagged"),  # garbage number kept
        (6, "", "quarantined"),  # blank line
        (7, "name", "quarantined"),  # empty name
        (8, "program", "quarantined"),  # unknown program
        (9, "", "quarantined"),  # extra field
        (10, "relation", "kept_flagged"),  # unknown relation → 其他
        (10, "household_size", "kept_flagged"),  # 两人 is not a number
    }
    reasons = dict(zip(q["row"], q["reason"], strict=False))
    assert reasons[3] == "金额不是数字 / amount is not a number"
    assert "空行" in reasons[6] and "blank line" in reasons[6]
    assert "impossible date" in q[q["column"] == "enrolled_date"]["reason"].iloc[0]
    assert set(q["file"]) == {"roll.csv"}

    assert list(roll["_row"]) == [2, 4, 5, 10]
    assert pd.isna(roll.loc[1, "enrolled_date"])
    assert roll.loc[2, "id_number_status"] == "invalid" and roll.loc[2, "id_number_raw"] == "GARBAGE-123"
    assert roll.loc[3, "period"] == "2026-10" and roll.loc[3, "program"] == "dibao_rural"
    assert roll.loc[3, "amount"] == 1200.0 and roll.loc[3, "relation"] == "其他"
    assert roll.loc[3, "enrolled_date"] == pd.Timestamp("2024-07-15")
    assert dataset.rows_read["roll"] == 9
    assert_nothing_dropped(dataset)

    summary = source_summary(dataset)["roll"]
    assert summary == {
        "file": "roll.csv",
        "rows_read": 9,
        "rows_loaded": 4,
        "quarantined": 5,
        "flagged": 4,
        "id_valid_share": 0.75,
        "notes": [],
    }


def test_frame_dtypes(write_county: WriteCounty) -> None:
    dataset = load(write_county())
    roll, registry = dataset.frames["roll"], dataset.frames["household_registry"]
    assert roll["amount"].dtype == "float64"
    assert roll["enrolled_date"].dtype == "datetime64[ns]"
    assert roll["_row"].tolist() == [2, 3, 4]
    assert registry["sex"].tolist() == ["M", "F", "M"]
    assert dataset.frames["standards"]["region_code"].tolist() == ["429006", "429006"]
    assert dataset.quarantine.empty
    assert_nothing_dropped(dataset)


def test_impossible_date_in_required_column(write_county: WriteCounty) -> None:
    """A required date that does not exist (2026-02-30) quarantines the row."""
    deaths = "姓名,死亡日期\n赵四,2026-02-30\n钱五,2026年9月1日\n"
    dataset = load(write_county(deaths=deaths))
    q = dataset.quarantine
    assert q[["row", "column", "action"]].values.tolist() == [[2, "death_date", "quarantined"]]
    assert q["reason"].iloc[0] == "日期不存在 / impossible date"
    assert dataset.frames["deaths"]["_row"].tolist() == [3]
    assert_nothing_dropped(dataset)
