"""A small case store: 36 cases in two towns over two months, plus a round of decisions.

Built once per test session (SQLite file) through the real migrations, `cases.store.write_run`
and `cases.workflow.decide`, so the reports read what production writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine, update

from cases.db import make_engine, session_scope, upgrade
from cases.ids import case_id as make_case_id
from cases.schema import Case, User
from cases.store import fail_run, start_run, succeed_run, write_run
from cases.workflow import confirm_with_due_process, decide, record_notice
from hecha.findings import FINDING_COLUMNS, FINDINGS, HOUSEHOLD_LEVEL
from hecha.privacy import mask_id

COUNTY = "429006"
SEP, OCT = "2026-09", "2026-10"
# Town codes as in the national division table (429006001 竟陵街道, 429006100 多宝镇).
TOWNS = {"竟陵街道": ("001", ["东湖社区", "西湖社区", "北湖社区"]), "多宝镇": ("100", ["拖市村", "万新村", "湖滨村"])}
# finding -> (monthly overpayment, cumulative overpayment or None, score)
SPEC: list[tuple[str, float, float | None, float]] = [
    ("DECEASED_PAID", 630.0, 1890.0, 0.99),
    ("VEHICLE_OWNED", 450.0, None, 0.9),
    ("AMOUNT_MISMATCH", 120.5, 361.5, 0.95),
    ("MISSED_DIBAO", 0.0, None, 0.8),
    ("MISSED_ELDERLY_ALLOWANCE", 0.0, None, 0.97),
    ("FAVOUR_RISK", 0.0, None, 0.6),
    ("CADRE_KIN_UNFILED", 500.0, 1500.0, 0.85),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
# case index -> decisions in order: (decision, keyword arguments of cases.workflow.decide)
DECISIONS: dict[int, list[tuple[str, dict[str, Any]]]] = {
    8: [("confirmed", {"action": "stop_payment", "monthly_amount_stopped": 630.0, "amount_to_recover": 1890.0})],
    9: [
        ("confirmed", {"action": "stop_payment", "monthly_amount_stopped": 450.0}),
        ("rectified", {"amount_recovered": 900.0}),
    ],
    10: [("cleared", {"reason": "车辆已过户"})],
    11: [("included", {"amount_paid": 410.0})],
    12: [("confirmed", {"action": "recover", "amount_to_recover": 361.5}), ("rectified", {"amount_recovered": 240.0})],
    13: [("cleared", {"reason": "备案材料齐全"})],
    14: [("confirmed", {"action": "adjust", "monthly_amount_stopped": 500.0})],
    15: [
        ("confirmed", {"action": "stop_payment", "monthly_amount_stopped": 630.0, "amount_to_recover": 1260.0}),
        ("reinstated", {"back_pay": 630.0, "reason": "死亡信息错误，本人健在"}),
    ],
    17: [("confirmed", {}), ("included", {"amount_paid": 100.0})],
    18: [("included", {"amount_paid": 520.0}), ("rectified", {"amount_paid": 520.0})],
    20: [("confirmed", {"action": "stop_payment", "monthly_amount_stopped": 380.0})],
    24: [("cleared", {"reason": "家庭收入已超标准"})],
    25: [("included", {"amount_paid": 300.0})],
    26: [("cleared", {"reason": "风险模型误报"})],
    27: [("cleared", {"reason": "已备案"})],
    29: [("confirmed", {"action": "stop_payment", "monthly_amount_stopped": 630.0})],
}
NOTIFIED_ON = dt.date(2026, 10, 5)  # within every case's life, long before its response deadline ran out
# Adverse decisions (stop, recover, adjust) go through notice and approval, so those cases are notified too.
ADVERSE = tuple(i for i, steps in DECISIONS.items() if any(d == "confirmed" and k.get("action") for d, k in steps))
TOLD_ONLY = (8, 9, 10, 12, 14, 20, 21, 22)  # cases told of the finding (告知) with no adverse decision yet
NOTIFIED = tuple(sorted(set(TOLD_ONLY) | set(ADVERSE)))
OVERDUE_CUTOFF = dt.datetime(2026, 10, 20)  # September cases are dated 2026-10-01, October ones "now"


def fake_id(i: int) -> str:
    return f"42900619{50 + i % 40:02d}0{(i % 12) + 1:02d}1{i % 10}{i:03d}"[:17] + "X"


def case_rows() -> list[dict[str, Any]]:
    rows = []
    for i in range(36):
        finding, monthly, cumulative, score = SPEC[i % len(SPEC)]
        town = list(TOWNS)[i % 2]
        town_code, villages = TOWNS[town]
        village_no = (i // 2) % 3
        periods = ([SEP] if i < 24 else []) + ([OCT] if i >= 8 else [])
        name = SURNAMES[i] + "秀英" if i % 3 else SURNAMES[i] + "伟"
        rows.append(
            {
                "i": i,
                "finding": finding,
                "category": FINDINGS[finding][0],
                "monthly": monthly,
                "cumulative": cumulative,
                "score": round(score - (i % 5) * 0.03, 3),
                "town": town,
                "village": villages[village_no],
                "region_code": COUNTY + town_code + f"{(1 if town_code == '001' else 201) + village_no:03d}",
                "periods": periods,
                "name": name,
                "id_number": fake_id(i),
            }
        )
    return rows


LIST_NOTE = (
    "名单 4 户，在风险分显著落差处截止（全县若无突出家庭，偶然出现如此落差的概率低于 1%），其后家庭与全县常态无异。"
)


def summary(period: str, run_id: str, villages: bool) -> dict[str, Any]:
    result: dict[str, Any] = {
        "county": COUNTY,
        "period": period,
        "run_id": run_id,
        "sources": {
            "roll": {
                "file": "roll.csv",
                "rows_read": 1200,
                "rows_loaded": 1195,
                "quarantined": 5,
                "flagged": 12,
                "id_valid_share": 0.987,
            },
            "household_registry": {
                "file": "household_registry.xlsx",
                "rows_read": 5400,
                "rows_loaded": 5400,
                "quarantined": 0,
                "flagged": 3,
                "id_valid_share": 0.999,
            },
            "deaths": {
                "file": "deaths.csv",
                "rows_read": 80,
                "rows_loaded": 78,
                "quarantined": 2,
                "flagged": 20,
                "id_valid_share": 0.75,
            },
        },
        "absent_sources": ["vehicles"],
        "checks": {
            "passed": 31,
            "failed": 2,
            "not_run": 4,
            "blocking_failed": 0,
            "details": [
                {
                    "source": "roll",
                    "expectation": "unique(program,id_number)",
                    "status": "failed",
                    "observed": {
                        "element_count": 1195,
                        "missing_count": 0,
                        "unexpected_count": 5,
                        "unexpected_percent": 0.42,
                    },
                    "blocking": False,
                },
                {
                    "source": "vehicles",
                    "expectation": "column_exists(plate)",
                    "status": "not_run",
                    "observed": "",
                    "blocking": False,
                },
            ],
        },
        "linkage": {
            "roll~deaths": {"candidates": 900, "links": 14, "fuzzy": 4, "fuzzy_share": 4 / 14},
            "roll~household_registry": {"candidates": 40000, "links": 1190, "fuzzy": 21, "fuzzy_share": 21 / 1190},
        },
        "findings": {},
        "rules_not_run": {"VEHICLE_OWNED": "缺少机动车登记数据 / vehicles absent"},
        "cases": {},
    }
    if villages:
        result["favour"] = {
            "model": {"list_end": "clear_drop", "list_note_zh": LIST_NOTE},
            "villages": [
                {"town": "多宝镇", "village": "万新村", "households": 40, "flagged": 3, "mean_risk": 0.71},
                {"town": "竟陵街道", "village": "东湖社区", "households": 25, "flagged": 1, "mean_risk": 0.42},
            ],
            "precision": [
                {"finding": "DECEASED_PAID", "confirmed": 3, "cleared": 1, "precision": 0.75},
                {"finding": "FAVOUR_RISK", "confirmed": 1, "cleared": 1, "precision": 0.5},
                {"finding": "unsupervised-15ff078e6554", "confirmed": 1, "cleared": 1, "precision": 0.5},
            ],
        }
    return result


def findings_frame(period: str) -> pd.DataFrame:
    records = []
    for row in case_rows():
        if period not in row["periods"]:
            continue
        household = row["finding"] in HOUSEHOLD_LEVEL
        records.append(
            {
                "finding": row["finding"],
                "category": row["category"],
                "program": "dibao_rural",
                "subject_key": f"h:H{row['i']:04d}" if household else f"p:P{row['i']:04d}",
                "household_id": f"H{row['i']:04d}",
                "id_number": "" if household else row["id_number"],
                "name": row["name"],
                "person_id": "" if household else f"P{row['i']:04d}",
                "region_code": row["region_code"],
                "town": row["town"],
                "village": row["village"],
                "score": row["score"],
                "est_monthly_overpayment": row["monthly"],
                "est_cumulative_overpayment": row["cumulative"] if row["cumulative"] is not None else float("nan"),
                "months_overpaid": float("nan"),
                "evidence": {
                    "rule": row["finding"],
                    "records": [
                        {
                            "source": "roll",
                            "row": row["i"] + 2,
                            "id_masked": mask_id(row["id_number"]),
                            "name": row["name"],
                        }
                    ],
                    "summary_zh": f"{row['name']}（身份证号码 {row['id_number']}）{FINDINGS[row['finding']][1]}",
                },
            }
        )
    return pd.DataFrame(records, columns=FINDING_COLUMNS)


def case_of(i: int) -> str:
    row = case_rows()[i]
    household = row["finding"] in HOUSEHOLD_LEVEL
    return make_case_id(COUNTY, row["finding"], f"h:H{i:04d}" if household else f"p:P{i:04d}")


def build_store(engine: Engine, out_dir: Path, *, runs: bool = True, decisions: bool = True) -> None:
    """Two monthly runs through the real store, then a round of decisions through the real workflow."""
    if runs:
        write_runs(engine, out_dir)
    if decisions:
        decide_round(engine)


def write_runs(engine: Engine, out_dir: Path) -> None:
    start_run(engine, "r-sep", COUNTY, SEP, {})
    write_run(engine, "r-sep", COUNTY, SEP, findings_frame(SEP), summary(SEP, "r-sep", villages=True), str(out_dir))
    succeed_run(engine, "r-sep")
    with engine.begin() as conn:  # the September run happened a month before October's
        conn.execute(update(Case).values(created_at=dt.datetime(2026, 10, 1)))
    for run_id, summ in (("r-oct-old", {"sources": {}}), ("r-oct", summary(OCT, "r-oct", villages=False))):
        start_run(engine, run_id, COUNTY, OCT, {})
        write_run(engine, run_id, COUNTY, OCT, findings_frame(OCT), summ, str(out_dir))
        succeed_run(engine, run_id)
    start_run(engine, "r-oct-failed", COUNTY, OCT, {})
    fail_run(engine, "r-oct-failed", "测试")  # a failed later run is never the one reported
    other = findings_frame(OCT).head(3).assign(est_monthly_overpayment=999.0)
    start_run(engine, "r-other", "429005", OCT, {})
    write_run(engine, "r-other", "429005", OCT, other, summary(OCT, "r-other", villages=False), str(out_dir))
    succeed_run(engine, "r-other")


def decide_round(engine: Engine) -> None:
    """Notices first; adverse decisions go through notice, proposal and a supervisor's approval (cases.dueprocess)."""
    with session_scope(engine) as session:
        if session.get(User, "supervisor1") is None:
            session.add(User(username="supervisor1", password_hash="-", role="supervisor", towns=[], active=True))
    for i in TOLD_ONLY:
        if i in ADVERSE:
            continue  # notified on the due-process path below
        with session_scope(engine) as session:
            case = session.get_one(Case, case_of(i))
            record_notice(session, case.case_id, case.version, "inspector1", dt.date(2026, 10, 3), "visit")
    for i, steps in DECISIONS.items():
        for decision, kwargs in steps:
            with session_scope(engine) as session:
                case = session.get_one(Case, case_of(i))
                if decision == "confirmed" and kwargs.get("action"):
                    confirm_with_due_process(
                        session, case.case_id, "inspector1", "supervisor1", notified_on=NOTIFIED_ON, **kwargs
                    )
                else:
                    decide(session, case.case_id, case.version, "inspector1", decision, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path: Path = tmp_path_factory.mktemp("reports") / "hecha.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    build_store(engine, path.parent)
    yield engine
    engine.dispose()
