"""A tiny county with two towns, five accounts and four cases, stored through the real case store."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from cases.db import make_engine, session_scope, upgrade
from cases.ids import case_id
from cases.schema import Case
from cases.store import write_run
from cases.users import add_user

COUNTY = "429006"
TOWN_A, TOWN_B = "429006001", "429006002"
PASSWORD = "correct-horse-9"
INSPECTOR_A_ID = "429006198001010018"  # the inspector's own number: she lives in the household of case A-kin
INSPECTOR_A2_ID = "42900619850202002X"
INSPECTOR_B_ID = "429006198603030032"
SUPERVISOR_ID = "42900619700404004X"
SUPERVISOR2_ID = "429006197505050051"
ID_A = "429006195001011234"
ID_B = "429006196002021235"
ID_M = "429006193003031236"


def _finding(code: str, category: str, subject: str, town: str, village: str, **kw: Any) -> dict[str, Any]:
    evidence = {
        "rule": code,
        "rule_zh": "名册上的人员在发放期间之前已死亡" if code == "DECEASED_PAID" else "规则说明",
        "summary_zh": kw.pop("summary_zh", "核查摘要"),
        "facts": {"death_date": "2026-03-05", "phone": "13812345678"},
        "records": [
            {
                "source": "roll",
                "row": 7,
                "id_masked": "429006********1234",
                "name": kw.get("name", ""),
                "fields": {"amount": 650.0, "phone": "13812345678"},
                "probability": None,
                "agreement": {},
                "evidence_zh": "名册第7行",
            },
            {
                "source": "deaths",
                "row": 3,
                "id_masked": "",
                "name": kw.get("name", ""),
                "fields": {"death_date": "2026-03-05", "source": "火化"},
                "probability": 0.97,
                "agreement": {"姓名": "一致", "年龄": "一致"},
                "evidence_zh": "火化记录无证件号，按姓名、年龄、住址匹配",
            },
        ],
        "weak_link": False,
    }
    row = {
        "finding": code,
        "category": category,
        "program": "dibao_rural",
        "subject_key": subject,
        "household_id": kw.pop("household_id", "H" + subject[-3:]),
        "id_number": "",
        "name": "",
        "person_id": "",
        "region_code": town + village,
        "town": "甲镇" if town == TOWN_A else "乙镇",
        "village": "一村",
        "score": 0.9,
        "est_monthly_overpayment": 650.0,
        "est_cumulative_overpayment": 4550.0,
        "months_overpaid": 7,
        "evidence": evidence,
    }
    row.update(kw)
    return row


FINDINGS = [
    _finding(
        "DECEASED_PAID",
        "wrong",
        "p:PA",
        TOWN_A,
        "201",
        id_number=ID_A,
        name="王秀英",
        person_id="PA",
        household_id="HA1",
        summary_zh="王秀英于2026年3月5日火化，但名册2026年10月仍在发放。",
    ),
    _finding(
        "VEHICLE_OWNED",
        "wrong",
        "h:HB1",
        TOWN_B,
        "202",
        household_id="HB1",
        name="李建国",
        score=0.7,
        summary_zh="名下有小型轿车<script>alert(1)</script>",
    ),
    _finding(
        "MISSED_ELDERLY_ALLOWANCE",
        "missed",
        "p:PM",
        TOWN_A,
        "203",
        id_number=ID_M,
        name="赵德明",
        person_id="PM",
        household_id="HM1",
        score=0.5,
        est_monthly_overpayment=0.0,
    ),
    _finding(
        "CADRE_KIN_UNFILED",
        "favour",
        "p:PK",
        TOWN_A,
        "201",
        id_number=ID_B,
        name="刘桂兰",
        person_id="PK",
        household_id="HK1",
        score=0.8,
    ),
]
CASE_A = case_id(COUNTY, "DECEASED_PAID", "p:PA")
CASE_B = case_id(COUNTY, "VEHICLE_OWNED", "h:HB1")
CASE_MISSED = case_id(COUNTY, "MISSED_ELDERLY_ALLOWANCE", "p:PM")
CASE_KIN = case_id(COUNTY, "CADRE_KIN_UNFILED", "p:PK")


def build_store(url: str) -> Engine:
    """Migrate, store one run and create the accounts; inspector_a is kin of case CASE_KIN."""
    engine = make_engine(url)
    upgrade(engine)
    people = pd.DataFrame(
        {"subject_key": ["p:PK", "p:PK"], "id_number": [ID_B, INSPECTOR_A_ID], "relation": ["户主", "女"]}
    )
    write_run(engine, "run-2026-10", COUNTY, "2026-10", pd.DataFrame(FINDINGS), {"county": COUNTY}, None, people=people)
    add_user(engine, "admin", PASSWORD, "admin", [])
    add_user(engine, "inspector_a", PASSWORD, "inspector", [TOWN_A], INSPECTOR_A_ID)
    add_user(engine, "inspector_a2", PASSWORD, "inspector", [TOWN_A], INSPECTOR_A2_ID)
    add_user(engine, "inspector_b", PASSWORD, "inspector", [TOWN_B], INSPECTOR_B_ID)
    add_user(engine, "supervisor", PASSWORD, "supervisor", [], SUPERVISOR_ID)
    add_user(engine, "supervisor2", PASSWORD, "supervisor", [], SUPERVISOR2_ID)
    add_user(engine, "auditor", PASSWORD, "auditor", [])
    return engine


def version(engine: Engine, cid: str) -> int:
    with session_scope(engine) as session:
        return int(session.scalars(select(Case.version).where(Case.case_id == cid)).one())


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(client: TestClient, path: str = "/cases") -> str:
    """The CSRF token from a page's forms (each session has its own)."""
    match = _CSRF.search(client.get(path).text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD) -> Any:
    token = csrf_of(client, "/login")
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}, follow_redirects=False
    )
