"""What a leader reads: page numbers, the county's name, Chinese only, no developer text; in PDF and HTML."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from report_fixtures import COUNTY, OCT, OVERDUE_CUTOFF, SEP
from sqlalchemy import Engine

from hecha.findings import FINDINGS
from reports import divisions
from reports.campaign import build_campaign, campaign_title, write_campaign_report
from reports.checks_zh import check_zh, observed_zh
from reports.monthly import write_monthly_report

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
AS_OF = OVERDUE_CUTOFF + dt.timedelta(days=30)
RUN_IDS = ("r-sep", "r-oct", "r-oct-old", "r-oct-failed")
CHECK_KEY = re.compile(r"\b[a-z_]+\([a-z_,]*\)")  # unique(program,id_number), column_exists(plate)
APPENDIX = "附录"


@pytest.fixture(scope="module")
def reports_written(store: Engine, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    out = tmp_path_factory.mktemp("official")
    return {
        "monthly": write_monthly_report(store, COUNTY, OCT, out),
        "monthly_sep": write_monthly_report(store, COUNTY, SEP, out),  # with the risk model's villages and versions
        "campaign": write_campaign_report(store, "2026年农村低保专项治理", COUNTY, SEP, OCT, out, as_of=AS_OF),
    }


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def html_text(path: Path) -> str:
    """What a browser shows: the body's text, without the style sheet and the chart data."""
    raw = path.read_text(encoding="utf-8")
    body = raw[raw.index("<body>") :]
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", body))


def assert_reads_as_a_leader_expects(text: str) -> None:
    assert "天门市" in text
    body, _, appendix = text.partition(APPENDIX)
    assert appendix, "the staff appendix is there"
    codes_in_body = [code for code in FINDINGS if code in body]
    assert codes_in_body == [], codes_in_body
    assert any(code in appendix for code in FINDINGS)
    assert "{'" not in text and "&#34;" not in text and "&quot;" not in text
    assert not any(run_id in text for run_id in RUN_IDS)
    assert "unsupervised-" not in text and "dibao_rural" not in text and "hecha" not in text
    assert not CHECK_KEY.search(text), CHECK_KEY.search(text)
    assert "县（市、区）429006" not in text
    assert "专项治理专项行动" not in text


@needs_poppler
@pytest.mark.parametrize("kind", ["monthly", "monthly_sep", "campaign"])
def test_pdf_is_an_official_document(reports_written: dict[str, dict[str, Path]], kind: str) -> None:
    """Every page numbered 第 N 页 共 M 页, the county named, and no code, dict, run id or check key outside the appendix."""
    pdf = reports_written[kind]["pdf"]
    pages = int(
        re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout)[1]
    )
    text = pdf_text(pdf)
    numbers = [(int(n), int(m)) for n, m in re.findall(r"第\s*(\d+)\s*页\s*共\s*(\d+)\s*页", text)]
    assert numbers == [(n, pages) for n in range(1, pages + 1)]
    assert "内部资料" in text and "天门市民政局" in text
    assert "湖北省天门市" in text
    assert_reads_as_a_leader_expects(text)


@pytest.mark.parametrize("kind", ["monthly", "monthly_sep", "campaign"])
def test_html_reads_the_same(reports_written: dict[str, dict[str, Path]], kind: str) -> None:
    path = reports_written[kind]["html"]
    raw = path.read_text(encoding="utf-8")
    assert 'counter(page) " 页  共 " counter(pages)' in raw  # the CSS reaches WeasyPrint unescaped
    text = html_text(path)
    assert "湖北省天门市" in text and "内部资料" in text
    assert_reads_as_a_leader_expects(text)


def test_division_table_names_the_county_and_towns_come_from_the_roll() -> None:
    assert divisions.county_full_name("429006") == "湖北省天门市"
    assert divisions.county_name("429006") == "天门市"
    assert divisions.county_full_name("420111") == "湖北省武汉市洪山区"
    assert divisions.county_name("999999") == "县（市、区）999999"
    import pandas as pd

    codes = pd.Series(["429006001201", "429006001202", "429006001203", "429006999201", "429006100"])
    roll = pd.Series(["竟陵街道", "竟陵街道", "竟陵街", "某某镇", ""])
    assert list(divisions.town_names(codes, roll)) == ["竟陵街道", "竟陵街道", "竟陵街道", "某某镇", ""]


def test_check_keys_and_results_in_chinese() -> None:
    assert check_zh("roll", "unique(program,id_number)") == "「救助类别+身份证号码」不重复"
    assert check_zh("vehicles", "column_exists(plate)") == "含「号牌号码」列"
    assert check_zh("roll", "something_new(x)") == "其他数据检查"
    observed = {"element_count": 607, "missing_count": 0, "unexpected_count": 14, "unexpected_percent": 2.3064}
    assert observed_zh(observed) == "共 607 行，不符合 14 行（2.3%）"


def test_campaign_title_never_doubles_the_phrase() -> None:
    assert campaign_title("2026年农村低保专项治理") == "2026年农村低保专项治理报告"
    assert campaign_title("秋季专项") == "秋季专项行动报告"
    assert campaign_title("低保清理") == "低保清理专项行动报告"


def test_months_without_a_run_are_gaps_not_zeros(store: Engine) -> None:
    """August has no run: its trend row is empty (—), September and October carry counts."""
    report = build_campaign(store, "专项", COUNTY, "2026-08", OCT, as_of=AS_OF)
    trend = report.table("trend").set_index("月份")
    assert trend.loc["2026-08"].drop(labels=[]).isna().all()
    assert trend.loc[SEP, "线索"] > 0 and trend.loc[OCT, "线索"] > 0
    timely = report.table("timeliness").set_index("月份")
    assert timely.loc["2026-08"].isna().all() and timely.loc[SEP, "线索"] > 0


def test_typical_cases_show_a_masked_number_for_every_person(store: Engine) -> None:
    typical = build_campaign(store, "专项", COUNTY, SEP, OCT, as_of=AS_OF).table("typical")
    assert len(typical) and all(re.fullmatch(r"\d{6}\*{8}\d{3}[\dX]", v) for v in typical["身份证号码"])
