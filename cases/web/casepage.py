"""What the case page shows besides the case row: evidence side by side and related open cases.

Evidence is already masked by the rules (contract), but identity numbers, phones and
accounts found in record fields are masked again here, so the page does not rely on
every rule getting that right.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from cases.schema import Case, CasePerson, User
from cases.users import can_see
from cases.web.queue import scope
from hecha.labels import FACTS, FIELDS, LEVELS, agreement_zh, program_zh, source_zh
from hecha.privacy import mask_account, mask_id, mask_phone


def agreement_phrases(agreement: dict[str, Any]) -> list[str]:
    """Per-field agreement in the inspector's words (同村, 姓名同音 …), unknown levels shown as they are."""
    out = []
    for field, level in agreement.items():
        phrase = agreement_zh(str(field), str(level))
        if phrase is None:
            label = FIELDS.get(str(field), str(field) if not str(field).isascii() else "")
            word = LEVELS.get(str(level), str(level) if not str(level).isascii() else "")
            phrase = f"{label}{word}" if label and word else None
        if phrase:
            out.append(phrase)
    return out


def plain(value: Any) -> Any:
    """A value as a person reads it: 3.0 → 3, lists joined with 、, no Python reprs."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return int(value) if value.is_integer() else round(value, 2)
    if isinstance(value, (list, tuple, set)):
        return "、".join(str(plain(v)) for v in value)
    if isinstance(value, dict):
        return ""
    return value


def _display(key: str, value: Any) -> Any:
    """Masked personal data; program codes and booleans in Chinese."""
    if key == "program" and isinstance(value, str):
        return program_zh(value)
    return plain(_mask_field(key, value))


def _mask_field(key: str, value: Any) -> Any:
    if "id_number" in key:
        return mask_id(value)
    if "phone" in key:
        return mask_phone(value)
    if "account" in key:
        return mask_account(value)
    return value


def _other_town(user: User | None, record: dict[str, Any]) -> bool:
    region = str((record.get("fields") or {}).get("region_code") or "")
    return user is not None and bool(region) and not can_see(user, region)


def evidence_table(evidence: dict[str, Any], user: User | None = None) -> dict[str, Any]:
    """Records as columns, fields as rows: the roll row and each matched record side by side.

    Records of households in towns the user does not cover are not shown, only counted
    ("另有 N 户（其他乡镇）").
    """
    every = [r for r in evidence.get("records") or [] if isinstance(r, dict)]
    records = [r for r in every if not _other_town(user, r)]
    hidden = {str((r.get("fields") or {}).get("household_id") or r.get("row")) for r in every if _other_town(user, r)}
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
    rows = [(FIELDS[k], k) for k in keys if k in FIELDS]
    facts = [
        (FACTS.get(k) or FIELDS[k], _display(k, v))
        for k, v in (evidence.get("facts") or {}).items()
        if (k in FACTS or k in FIELDS) and k != "phone" and not isinstance(v, dict)
    ]
    return {"columns": columns, "rows": rows, "facts": facts, "other_towns": len(hidden)}


def related(session: Session, user: User, case: Case) -> tuple[list[Case], int]:
    """Other cases of the same person or household (also across household-level cases, through the
    people they name) that this user may see, and how many more are in towns the user does not cover."""
    same: list[Any] = []
    if case.person_id:
        same.append(Case.person_id == case.person_id)
    if case.household_id:
        same.append(Case.household_id == case.household_id)
    people = select(CasePerson.id_hash).where(CasePerson.case_id == case.case_id)
    same.append(Case.case_id.in_(select(CasePerson.case_id).where(CasePerson.id_hash.in_(people))))
    base = and_(or_(*same), Case.case_id != case.case_id, Case.county == case.county)
    shown = list(session.scalars(select(Case).where(base, scope(user)).order_by(Case.score.desc())))
    hidden_other_towns = 0
    if user.role == "inspector":
        others = session.scalars(select(Case.region_code).where(base)).all()
        hidden_other_towns = sum(1 for region in others if not can_see(user, region or ""))
    return shown, hidden_other_towns
