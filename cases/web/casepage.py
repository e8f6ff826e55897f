"""What the case page shows besides the case row: evidence side by side and related open cases.

Evidence is already masked by the rules (contract), but identity numbers, phones and
accounts found in record fields are masked again here, so the page does not rely on
every rule getting that right.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from cases.schema import OPEN_STATUSES, Case, User
from cases.web.queue import scope
from hecha.labels import FACTS, FIELDS, agreement_zh, program_zh, source_zh
from hecha.privacy import mask_account, mask_id, mask_phone


def agreement_phrases(agreement: dict[str, Any]) -> list[str]:
    """Per-field agreement in the inspector's words (同村, 姓名同音 …), unknown levels shown as they are."""
    out = []
    for field, level in agreement.items():
        phrase = agreement_zh(str(field), str(level))
        out.append(phrase or f"{FIELDS.get(str(field), field)}：{level}")
    return out


def _display(key: str, value: Any) -> Any:
    """Masked personal data; program codes and booleans in Chinese."""
    if key == "program" and isinstance(value, str):
        return program_zh(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return _mask_field(key, value)


def _mask_field(key: str, value: Any) -> Any:
    if "id_number" in key:
        return mask_id(value)
    if "phone" in key:
        return mask_phone(value)
    if "account" in key:
        return mask_account(value)
    return value


def evidence_table(evidence: dict[str, Any]) -> dict[str, Any]:
    """Records as columns, fields as rows: the roll row and each matched record side by side."""
    records = [r for r in evidence.get("records") or [] if isinstance(r, dict)]
    keys: list[str] = []
    for record in records:
        for key in record.get("fields") or {}:
            if key not in keys:
                keys.append(key)
    columns = []
    for record in records:
        record_fields = record.get("fields") or {}
        columns.append(
            {
                "source": source_zh(str(record.get("source", ""))),
                "row": record.get("row", ""),
                "id_masked": mask_id(record.get("id_masked") or ""),
                "name": record.get("name", ""),
                "fields": {k: _display(k, record_fields.get(k, "")) for k in keys},
                "probability": record.get("probability"),
                "agreement": agreement_phrases(record.get("agreement") or {}),
                "evidence_zh": record.get("evidence_zh", ""),
            }
        )
    rows = [(FIELDS.get(k, k), k) for k in keys]
    facts = [(FACTS.get(k) or FIELDS.get(k, k), _display(k, v)) for k, v in (evidence.get("facts") or {}).items()]
    return {"columns": columns, "rows": rows, "facts": facts}


def related_open(session: Session, user: User, case: Case) -> list[Case]:
    """Other open cases of the same person or household that this user may see."""
    same: list[Any] = []
    if case.person_id:
        same.append(Case.person_id == case.person_id)
    if case.household_id:
        same.append(Case.household_id == case.household_id)
    if not same:
        return []
    q = (
        select(Case)
        .where(and_(or_(*same), Case.case_id != case.case_id, Case.status.in_(OPEN_STATUSES), scope(user)))
        .order_by(Case.score.desc())
    )
    return list(session.scalars(q))
