"""Hand-built findings frames and table snapshots for the case-store tests."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Engine, text

from hecha.findings import FINDING_COLUMNS, FINDINGS, HOUSEHOLD_LEVEL

COUNTY = "429006"
TABLES = ("runs", "cases", "case_observations", "case_events", "case_people")


def finding(code: str, subject: str, **fields: Any) -> dict[str, Any]:
    """One finding row (FINDING_COLUMNS) with plausible defaults."""
    household_level = code in HOUSEHOLD_LEVEL
    row: dict[str, Any] = {
        "finding": code,
        "category": FINDINGS[code][0],
        "program": "dibao_rural",
        "subject_key": f"h:{subject}" if household_level else f"p:{subject}",
        "household_id": "HH-" + subject,
        "id_number": "" if household_level else "42900619500101001X",
        "name": "张三",
        "person_id": "" if household_level else subject,
        "region_code": "429006100201",
        "town": "城关镇",
        "village": "东村",
        "score": 0.9,
        "est_monthly_overpayment": 0.0 if FINDINGS[code][0] == "missed" else 560.0,
        "est_cumulative_overpayment": float("nan"),
        "months_overpaid": float("nan"),
        "evidence": {"rule": code, "summary_zh": "测试证据", "facts": {"amount": 560.0}, "records": []},
    }
    row.update(fields)
    return row


def frame(*rows: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=FINDING_COLUMNS)


def snapshot(engine: Engine, ignore: tuple[str, ...] = ()) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every case-store table, ordered, without the columns named in `ignore`."""
    result: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for table in TABLES:
            rows = conn.execute(text(f"SELECT * FROM {table}")).mappings().all()
            kept = [tuple((k, repr(v)) for k, v in sorted(r.items()) if k not in ignore) for r in rows]
            result[table] = sorted(kept)
    return result


def store(engine: Engine, period: str, *rows: dict[str, Any], run: str | None = None, **kw: Any) -> dict[str, int]:
    """start_run + write_run + succeed_run for one county-month, as the monthly flow does."""
    from cases.store import start_run, succeed_run, write_run

    run_id = run or f"run-{period}"
    start_run(engine, run_id, COUNTY, period, {"policy": "default"})
    counts = write_run(engine, run_id, COUNTY, period, frame(*rows), {"county": COUNTY, "period": period}, None, **kw)
    succeed_run(engine, run_id)
    return counts
