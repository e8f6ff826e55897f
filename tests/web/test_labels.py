"""Pure helpers of the pages: time zone, payload labels, URL queries, evidence masking."""

from __future__ import annotations

import datetime as dt

from cases.web.casepage import evidence_table
from cases.web.labels import beijing, payload_items, query_string
from cases.web.queue import QueueFilter
from hecha.labels import program_zh


def test_times_are_shown_in_beijing_time() -> None:
    assert beijing(dt.datetime(2026, 11, 23, 17, 30)) == "2026-11-24 01:30"
    assert beijing(None) == ""


def test_payload_shows_chinese_labels_without_codes_or_blanks() -> None:
    payload = {
        "decision": "confirmed",
        "decision_zh": "核实属实",
        "action": "recover",
        "amount_paid": 0.0,
        "reason": None,
        "back_pay": 1680.0,
        "proposal_internal_code": "x",
    }
    assert payload_items(payload) == [("结论", "核实属实"), ("补发", "1,680.00")]


def test_filter_links_keep_codes_and_drop_blanks() -> None:
    flt = QueueFilter.from_params({"town": "429006001", "score_min": "0.5", "score_max": "abc", "page": "-3"})
    assert (flt.town, flt.score_min, flt.score_max, flt.page) == ("429006001", 0.5, None, 1)
    assert query_string(flt.params(page=None)) == "town=429006001&score_min=0.5&sort=score&desc=1"
    assert program_zh("dibao_rural,tekun") == "农村低保、特困供养"


def test_evidence_fields_are_masked_even_if_a_rule_forgot() -> None:
    evidence = {
        "facts": {"owner_id_number": "429006195001011234"},
        "records": [
            {
                "source": "roll",
                "row": 2,
                "id_masked": "429006195001011234",
                "name": "王秀英",
                "fields": {"phone": "13812345678", "bank_account": "6222020200112233", "amount": 650},
            },
        ],
    }
    table = evidence_table(evidence)
    column = table["columns"][0]
    assert column["id_masked"] == "429006********1234"
    assert column["fields"] == {"phone": "138****5678", "bank_account": "************2233", "amount": 650}
    assert table["facts"] == [("所有人身份证号码", "429006********1234")]
    assert ("联系电话", "phone") in table["rows"]


def test_link_agreement_reads_in_chinese() -> None:
    """The inspector sees 身份证号一位不同、姓名同音、同村, not the linkage engine's level names."""
    from cases.web.casepage import agreement_phrases, evidence_table

    assert agreement_phrases({"id": "one_digit", "name": "same_sound", "region": "same_village"}) == [
        "身份证号一位不同",
        "姓名同音",
        "同村",
    ]
    table = evidence_table(
        {
            "records": [{"source": "roll", "row": 2, "fields": {"program": "dibao_rural,tekun"}, "agreement": {}}],
            "facts": {"months_paid_after_death": 3, "deaths_checked": True},
        }
    )
    assert table["columns"][0]["fields"]["program"] == "农村低保、特困供养"
    assert table["facts"] == [("死亡后仍发放月数", 3), ("已比对死亡数据", "是")]
