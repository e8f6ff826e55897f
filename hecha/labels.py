"""Every Chinese label of a code, in one place: what inspectors and leaders read.

The store, the pages and the reports keep English codes; whatever a person reads goes
through these tables and functions, so one code never has two names. Source, column and
program names belong to the contract (`hecha.contract`: input may use them in place of
codes), finding names to the catalogue (`hecha.findings`); their lookups are here too.
"""

from __future__ import annotations

from hecha.contract import PROGRAMS, SOURCES
from hecha.findings import FINDINGS

CATEGORIES: dict[str, str] = {"wrong": "错保", "missed": "漏保", "favour": "人情保/关系保"}

# Case statuses. Open statuses (cases.schema.OPEN_STATUSES) still need work.
STATUSES: dict[str, str] = {
    "open": "待核查",
    "in_review": "核查中",
    "confirmed": "核实属实",
    "cleared": "排除（误报）",
    "included": "已纳入保障",
    "rectified": "已整改",
    "resolved_by_data": "数据已消除",
}
# Inspectors' decisions and what is done about a confirmed case.
DECISIONS: dict[str, str] = {
    "confirmed": STATUSES["confirmed"],
    "cleared": STATUSES["cleared"],
    "included": "纳入保障",
    "rectified": "整改完成",
    "reinstated": "恢复发放并补发",
}
ACTIONS: dict[str, str] = {"stop_payment": "停发", "recover": "追回资金", "adjust": "调整待遇"}
EVENT_KINDS: dict[str, str] = {
    "created": "发现疑点",
    "seen_again": "本月再次发现",
    "resolved_by_data": "数据已消除",
    "reopened": "重新出现",
    "assigned": "分派核查",
    "notified": "告知当事人",
    "response": "当事人陈述申辩",
    "decision": "核查结论",
    "note": "备注",
    "proposed": "提出处理意见",
    "rejected": "审核退回",
    "attachment": "上传附件",
}
# Accounts of the workspace (cases.users).
ROLES: dict[str, str] = {
    "admin": "县级管理员",
    "supervisor": "县级审核人",
    "inspector": "乡镇核查员",
    "auditor": "审计员",
}
# Due-process stages of a case (cases.dueprocess): notice, hearing, proposal, approval.
STAGES: dict[str, str] = {
    "open": "待告知",
    "notified": "已告知，陈述申辩期内",
    "heard": "可提出处理意见",
    "proposed": "待县级审核",
    "in_effect": "已生效",
}
NOTICE_METHODS: dict[str, str] = {"phone": "电话", "visit": "上门", "letter": "书面（送达告知书）"}
# Keys of an event's payload as the case history shows them.
PAYLOAD: dict[str, str] = {
    "assignee": "核查员",
    "previous": "原核查员",
    "notified_on": "告知日期",
    "method": "方式",
    "method_zh": "告知方式",
    "note": "备注",
    "response": "陈述申辩",
    "decision_zh": "结论",
    "action_zh": "处理方式",
    "monthly_amount_stopped": "每月停发/减发",
    "amount_to_recover": "应追回",
    "amount_recovered": "已追回",
    "amount_paid": "已发放",
    "back_pay": "补发",
    "reason": "理由",
    "run_id": "批次",
    "deadline": "申辩期限",
    "responded_on": "申辩日期",
    "proposed_by": "提出人",
    "approved_by": "审核人",
    "months_stopped": "停发月数",
    "back_pay_proposed": "系统测算补发",
    "text": "内容",
    "filename": "文件名",
    "size": "大小（字节）",
    "sha256": "校验值",
}
# What the workspace's audit log records.
AUDIT_ACTIONS: dict[str, str] = {
    "login_ok": "登录成功",
    "login_failed": "登录失败",
    "logout": "退出登录",
    "view": "查看案件",
    "unmask": "查看完整身份证号",
    "assign": "分派",
    "notice": "登记告知",
    "response": "登记申辩",
    "decide": "核查结论",
    "refused": "操作被拒绝",
    "search": "按姓名或证件号查找",
    "export": "导出案件清单",
    "audit_export": "导出审计日志",
    "queue": "查看案件队列",
    "dashboard": "查看县级看板",
    "letter": "生成告知书",
    "propose": "提出处理意见",
    "approve": "审核批准",
    "reject": "审核退回",
    "note": "添加备注",
    "upload": "上传附件",
    "download": "下载附件",
    "bulk_assign": "批量分派",
    "session_rejected": "会话无效被拒绝",
    "password_reset": "重置密码",
    "role_change": "变更角色",
    "disable": "停用账号",
}
# Keys and code values inside audit details, as the audit page and its CSV show them.
AUDIT_DETAIL: dict[str, str] = {
    "reason": "原因",
    "attempted": "尝试的操作",
    "version": "案件版本",
    "rows": "行数",
    "filters": "筛选条件",
    "matches": "匹配数",
    "decision": "结论",
    "action": "处理方式",
    "assignee": "核查员",
    "method": "告知方式",
    "notified_on": "告知日期",
    "field": "字段",
    "page": "页码",
    "cases": "案件数",
    "path": "页面",
    "filename": "文件名",
    "size": "大小（字节）",
    "sha256": "校验值",
    "role": "角色",
    "towns": "乡镇",
    "username": "账号",
    "monthly_amount_stopped": "每月停发/减发",
    "amount_to_recover": "应追回",
    "amount_recovered": "已追回",
    "amount_paid": "已发放",
    "back_pay": "补发",
}
AUDIT_REASONS: dict[str, str] = {
    "bad": "用户名或密码错误",
    "locked": "登录已被暂停（多次失败）",
    "disabled": "账号已停用",
    "stale": "案件已被他人更新",
    "conflict_of_interest": "利害关系回避",
    "invalid": "不符合办理规则",
    "not_found": "无权查看或不存在",
    "forbidden": "角色无权操作",
    "csrf": "表单校验失败",
    "expired": "会话已过期或已结束",
    "id_number": "身份证号码",
}
# Fields of source records as evidence shows them (the contract's columns, in an inspector's words).
FIELDS: dict[str, str] = {
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
# Keys the rules and the risk model put in a finding's `facts`.
FACTS: dict[str, str] = {
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
    "score": "风险分",
    "rank": "全县排名",
    "owner_id_number": "所有人身份证号码",
    "id_number": "身份证号码",
    "name": "姓名",
    "roll_size": "名册人数",
}
# Agreement levels without a phrase of their own (AGREEMENT), in plain words.
LEVELS: dict[str, str] = {"agree": "一致", "exact": "一致", "same": "一致", "disagree": "不同", "other": "不同"}
# How two linked records agree, field by field (matching.compare level names).
AGREEMENT: dict[str, dict[str, str]] = {
    "id": {
        "exact": "身份证号一致",
        "upgraded_equal": "15位旧号升级后一致",
        "one_digit": "身份证号一位不同",
        "other": "身份证号不同",
    },
    "name": {"exact": "姓名一致", "same_sound": "姓名同音", "similar": "姓名相近", "other": "姓名不同"},
    "birth": {"exact": "出生日期一致", "close": "出生日期相近", "other": "出生日期不同"},
    "age": {"other": "年龄不符"},
    "sex": {"disagree": "性别不同"},
    "region": {"same_village": "同村", "same_town": "同镇", "same_county": "同县", "other": "不同县"},
    "town": {"same_town": "同镇", "same_county": "同县", "other": "不同县"},
    "address": {"same": "住址一致", "contains": "住址相符", "similar": "住址相近", "other": "住址不同"},
}

# Identity numbers the household registry lists twice (matching.repeats kinds).
REGISTRY_REPEATS: dict[str, str] = {"one_person": "一人多户", "shared_number": "重号"}


def finding_zh(code: str) -> str:
    return FINDINGS.get(code, ("", code))[1]


def category_zh(code: str) -> str:
    return CATEGORIES.get(code, code)


def program_zh(codes: object) -> str:
    """One program code, or a comma-separated list of them, in Chinese (`tekun,dibao_rural` → 特困供养、农村低保)."""
    parts = [c.strip() for c in str(codes or "").split(",") if c.strip()]
    return "、".join(PROGRAMS.get(c, c) for c in parts)


def status_zh(code: str | None) -> str:
    return STATUSES.get(code or "", code or "")


def decision_zh(code: str | None) -> str:
    return DECISIONS.get(code or "", code or "")


def action_zh(code: str | None) -> str:
    return ACTIONS.get(code or "", code or "")


def audit_detail_zh(detail: dict[str, object] | None) -> str:
    """An audit entry's details in Chinese (`reason=stale` → 原因：案件已被他人更新), codes translated."""
    parts = []
    for key, value in sorted((detail or {}).items()):
        if isinstance(value, dict):
            shown = "，".join(f"{AUDIT_DETAIL.get(str(k), k)}={v}" for k, v in value.items()) or "无"
        elif key == "attempted":
            shown = AUDIT_ACTIONS.get(str(value), str(value))
        elif key in ("decision",):
            shown = DECISIONS.get(str(value), str(value))
        elif key == "action":
            shown = ACTIONS.get(str(value), str(value))
        elif key == "role":
            shown = ROLES.get(str(value), str(value))
        elif isinstance(value, str):
            shown = AUDIT_REASONS.get(value, value) if key in ("reason", "field") else value
        else:
            shown = str(value)
        parts.append(f"{AUDIT_DETAIL.get(key, key)}：{shown}")
    return "；".join(parts)


def role_zh(code: str | None) -> str:
    return ROLES.get(code or "", code or "")


def stage_zh(code: str | None) -> str:
    return STAGES.get(code or "", code or "")


def event_zh(code: str) -> str:
    return EVENT_KINDS.get(code, code)


def source_zh(code: str) -> str:
    """`roll~deaths` → 救助发放名册~死亡人员; unknown names stay as they are."""
    return "~".join(SOURCES[part].zh if part in SOURCES else part for part in code.split("~"))


def repeat_kind_zh(code: str) -> str:
    return REGISTRY_REPEATS.get(code, code)


def agreement_zh(field: str, level: str) -> str | None:
    """The phrase for one field's agreement level, or None where there is nothing to say."""
    return AGREEMENT.get(field, {}).get(level)
