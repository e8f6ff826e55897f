"""Excel export of the filtered queue: identity numbers, names and phones masked."""

from __future__ import annotations

import io
from collections.abc import Iterable

from openpyxl import Workbook

from cases.schema import Case
from hecha.labels import category_zh, finding_zh, program_zh, status_zh
from hecha.privacy import mask_id, mask_name

HEADER = [
    "案件号",
    "案件编号",
    "最近发现期间",
    "行政区划代码",
    "乡镇街道",
    "村社区",
    "发现类型",
    "类别",
    "救助类别",
    "家庭编号",
    "身份证号码（脱敏）",
    "姓名（脱敏）",
    "风险分",
    "月均多发金额(元)",
    "累计多发金额(元)",
    "状态",
    "核查人",
]


def queue_xlsx(cases: Iterable[Case], numbers: dict[str, str] | None = None) -> bytes:
    """One sheet, one row per case; the file leaves the system, so personal data is masked."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "核查清单"
    sheet.append(HEADER)
    for c in cases:
        sheet.append(
            [
                (numbers or {}).get(c.case_id, ""),
                c.case_id,
                c.last_period,
                c.region_code,
                c.town,
                c.village,
                finding_zh(c.finding),
                category_zh(c.category),
                program_zh(c.program),
                c.household_id,
                mask_id(c.id_number),
                mask_name(c.name),
                round(c.score or 0.0, 3),
                c.est_monthly_overpayment or 0.0,
                c.est_cumulative_overpayment if c.est_cumulative_overpayment is not None else "",
                status_zh(c.status),
                c.assigned_to or "",
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
