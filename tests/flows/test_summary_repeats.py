"""The run summary's registry repeats: counts by kind, a masked list, the rest counted (no Prefect)."""

from __future__ import annotations

import json

import pandas as pd

from flows.summary import LISTED_REPEATS, format_summary, registry_repeats
from hecha import idnumber
from hecha.dataset import from_frames
from hecha.index import LINK_COLUMNS, RECORD_COLUMNS, PersonIndex
from hecha.privacy import mask_id


def _number(n: int) -> str:
    first17 = f"42900619600101{n:03d}"
    return first17 + idnumber.check_char(first17)


def test_repeats_by_kind_masked_and_capped() -> None:
    """60 repeated numbers: counted by kind, 50 listed masked with 重号 first, 10 counted as not listed."""
    numbers = [_number(n) for n in range(60)]
    registry = pd.DataFrame({"hukou_id": [f"H{i}" for i in range(130)], "name": "张三",
                             "id_number": numbers * 2 + [_number(n) for n in range(100, 110)]})  # fmt: skip
    dataset = from_frames({"household_registry": registry}, "429006", "2026-10")
    kind = ["shared_number" if n % 3 == 0 else "one_person" for n in range(60)]
    repeats = pd.DataFrame(
        {
            "id_number": numbers * 2,
            "kind": kind * 2,
            "person": [0] * 60 + [1 if k == "shared_number" else 0 for k in kind],
            "row": list(range(2, 122)),
            "hukou_id": [f"H{i}" for i in range(120)],
            "name": "张三",
            "name_norm": "张三",
            "birth_date": pd.NaT,
            "person_id": [f"P{i}" for i in range(60)] + [f"Q{i}" if k == "shared_number" else f"P{i}"
                                                          for i, k in enumerate(kind)],
        }
    )  # fmt: skip
    index = PersonIndex(pd.DataFrame(columns=RECORD_COLUMNS), pd.DataFrame(columns=LINK_COLUMNS), repeats=repeats)
    summary = registry_repeats(dataset, index)
    assert summary["by_kind"] == {"one_person": 40, "shared_number": 20}
    assert summary["numbers"] == 60 and summary["rows"] == 120 and summary["share"] == round(60 / 70, 6)
    assert len(summary["listed"]) == LISTED_REPEATS and summary["not_listed"] == 10
    assert [r["kind"] for r in summary["listed"][:20]] == ["shared_number"] * 20
    assert {r["persons"] for r in summary["listed"][:20]} == {2}
    assert (
        summary["listed"][0]["id_masked"] == mask_id(numbers[0]) and summary["listed"][0]["names_masked"] == ["张*"] * 2
    )
    text = json.dumps(summary, ensure_ascii=False) + format_summary(
        {
            "run_id": "r",
            "county": "429006",
            "period": "2026-10",
            "sources": {},
            "absent_sources": [],
            "checks": {"passed": 0, "failed": 0, "not_run": 0, "blocking_failed": 0, "details": [], "data_docs": None},
            "linkage": {},
            "findings": {},
            "rules_not_run": {},
            "registry_repeats": summary,
        }
    )
    assert "重号 20" in text and "另有 50 个号码未在此列出" in text
    assert not any(n in text for n in numbers)
