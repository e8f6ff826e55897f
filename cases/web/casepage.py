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
from checks.contract import PROGRAMS, SOURCES
from hecha.privacy import mask_account, mask_id, mask_phone
from matching.evidence import ZH as AGREEMENT_ZH

FIELD_ZH: dict[str, str] = {
    "period": "发放年月",
    "program": "救助类别",
    "household_id": "家庭编号",
    "relation": "与户主关系",
    "region_code": "行政区划代码",
    "town": "乡镇街道",
    "village": "村社区",
    "address": "住址",
    "phone": "联系电话",
    "bank_account": "银行账号",
    "household_size": "家庭人口数",
    "per_capita_income": "人均收入",
    "amount": "发放金额",
    "enrolled_date": "纳入日期",
    "handler": "经办人",
    "hukou_id": "户号",
    "sex": "性别",
    "birth_date": "出生日期",
    "death_date": "死亡日期",
    "age": "年龄",
    "source": "数据来源",
    "status": "状态",
    "labor_capacity": "劳动能力",
    "disability_level": "残疾等级",
    "disability_type": "残疾类别",
    "serious_illness": "是否大病",
    "property_type": "用途",
    "area_m2": "面积(㎡)",
    "location": "坐落",
    "registered_date": "登记日期",
    "plate": "号牌号码",
    "vehicle_type": "车辆类型",
    "role": "身份",
    "entity_name": "企业名称",
    "registered_capital": "注册资本(万元)",
    "employer": "单位名称",
    "monthly_salary": "月工资",
    "position": "职务",
    "issued_date": "发证日期",
}
# Keys the rules and the risk model put in `facts`.
FACT_ZH: dict[str, str] = {
    "death_source": "死亡信息来源",
    "months_paid_after_death": "死亡后仍发放月数",
    "months_overpaid": "多发月数",
    "monthly_amount": "每月发放金额（元）",
    "household_monthly_amount": "全户每月发放金额（元）",
    "dibao_amount": "低保金额（元）",
    "tekun_amount": "特困金额（元）",
    "standards": "适用标准",
    "standard_year": "年标准（元）",
    "per_capita_income_year": "年人均纯收入（元）",
    "qualifying_members": "符合条件成员数",
    "members": "家庭成员数",
    "members_matched": "已比对成员数",
    "records_matched": "比对到的记录数",
    "orphan_max_age": "孤儿年龄上限",
    "elderly_min_age": "高龄津贴起始年龄",
    "min_age": "最低年龄",
    "certificate_level": "残疾证等级",
    "care_levels": "护理补贴适用等级",
    "deaths_checked": "已比对死亡数据",
    "excess": "超出标准金额（元）",
    "payments": "发放笔数",
    "families": "涉及家庭数",
    "family": "家庭",
    "households": "涉及户数",
    "filed": "已备案",
    "cadre_position": "干部职务",
    "hukou_relation": "户籍关系",
}
SOURCE_ZH: dict[str, str] = {name: source.zh for name, source in SOURCES.items()}


def agreement_zh(agreement: dict[str, Any]) -> list[str]:
    """Per-field agreement in the inspector's words (同村, 姓名同音 …), unknown levels shown as they are."""
    out = []
    for field, level in agreement.items():
        phrase = AGREEMENT_ZH.get(str(field), {}).get(str(level))
        out.append(phrase or f"{FIELD_ZH.get(str(field), field)}：{level}")
    return out


def _display(key: str, value: Any) -> Any:
    """Masked personal data; program codes and booleans in Chinese."""
    if key == "program" and isinstance(value, str):
        return "、".join(PROGRAMS.get(c.strip(), c.strip()) for c in value.split(",") if c.strip())
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
                "source": SOURCE_ZH.get(str(record.get("source")), str(record.get("source", ""))),
                "row": record.get("row", ""),
                "id_masked": mask_id(record.get("id_masked") or ""),
                "name": record.get("name", ""),
                "fields": {k: _display(k, record_fields.get(k, "")) for k in keys},
                "probability": record.get("probability"),
                "agreement": agreement_zh(record.get("agreement") or {}),
                "evidence_zh": record.get("evidence_zh", ""),
            }
        )
    rows = [(FIELD_ZH.get(k, k), k) for k in keys]
    facts = [(FACT_ZH.get(k) or FIELD_ZH.get(k, k), _display(k, v)) for k, v in (evidence.get("facts") or {}).items()]
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
