"""Public notice (公示) of people newly included after a missed-entitlement (漏保) finding.

Policy requires publishing who was included; PIPL requires masking: names keep the
surname, identity numbers keep the region and last four characters.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from hecha.labels import finding_zh, program_zh
from hecha.privacy import mask_name
from reports import data
from reports.render_xlsx import write_frames

NOTICE_COLUMNS = ["序号", "乡镇", "村（社区）", "姓名", "身份证号码", "救助事项", "纳入依据", "核查结论日期"]


def notice_frame(engine: Engine, county: str, period: str) -> pd.DataFrame:
    """Missed cases of the month whose latest decision is included or rectified, masked."""
    cases = data.cases(engine, county)
    obs = data.observations(engine, county)
    seen = set(obs.loc[obs.period == period, "case_id"])
    outcomes = data.outcomes(engine, county)
    merged = cases[(cases.category == "missed") & cases.case_id.isin(seen)].merge(outcomes, on="case_id")
    merged = merged[merged.decision.isin(("included", "rectified"))]
    merged = merged.sort_values(["town", "village", "case_id"]).reset_index(drop=True)
    return pd.DataFrame(
        {
            "序号": range(1, len(merged) + 1),
            "乡镇": merged["town"],
            "村（社区）": merged["village"],
            "姓名": merged["name"].map(mask_name),
            "身份证号码": merged["id_masked"],
            "救助事项": merged["program"].map(program_zh),
            "纳入依据": merged["finding"].map(finding_zh),
            "核查结论日期": pd.to_datetime(merged["decided_at"]).dt.strftime("%Y-%m-%d"),
        },
        columns=NOTICE_COLUMNS,
    )


def write_public_notice(engine: Engine, county: str, period: str, out: Path) -> dict[str, Path]:
    """Write the notice as XLSX at `out` and as CSV beside it (UTF-8 with BOM, for Excel)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    frame = notice_frame(engine, county, period)
    xlsx = write_frames([(f"公示名单{period}", frame)], out.with_suffix(".xlsx"))
    csv = out.with_suffix(".csv")
    frame.to_csv(csv, index=False, encoding="utf-8-sig")
    return {"xlsx": xlsx, "csv": csv}
