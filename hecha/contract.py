"""The data contract v2 (shared/data-contract.md §1) as data.

Every other module reads source names, column names (English canonical and
Chinese), value kinds and vocabularies from here, so the contract lives in one
place and a reviewer can compare it line by line with the document.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal[
    "text",  # free text, stripped
    "name",  # a person's name (normalised for matching elsewhere)
    "id",  # identity number (身份证号码), normalised by hecha.idnumber
    "date",  # any date style of the contract
    "period",  # YYYY-MM
    "money",  # yuan, decimal
    "number",  # other decimal quantity (area, capital, income)
    "int",  # whole number (household size, age)
    "region",  # 12-digit statistical code (6-digit county for standards)
    "county",  # 6-digit county code
    "program",
    "relation",
    "sex",
    "disability_level",
    "area",  # 城乡类别: urban (城镇/城市) or rural (农村)
    "vocab",  # a closed Chinese vocabulary given in Column.vocab
]


@dataclass(frozen=True)
class Column:
    """One contract column: canonical English name, Chinese header, kind."""

    name: str
    zh: str
    kind: Kind
    required: bool = False  # a row without a usable value here is quarantined
    vocab: tuple[str, ...] = ()


@dataclass(frozen=True)
class Source:
    """One input source (one file per county-month)."""

    name: str
    zh: str
    columns: tuple[Column, ...]
    required: bool = False

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def id_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.kind == "id"]


PROGRAMS: dict[str, str] = {
    "dibao_urban": "城市低保",
    "dibao_rural": "农村低保",
    "tekun": "特困供养",
    "temporary": "临时救助",
    "disability_living": "困难残疾人生活补贴",
    "disability_care": "重度残疾人护理补贴",
    "elderly_allowance": "高龄津贴",
    "orphan": "孤儿基本生活费",
}
DIBAO_PROGRAMS = ("dibao_urban", "dibao_rural")
RELATIONS = ("户主", "配偶", "子", "女", "父亲", "母亲", "孙子", "孙女", "兄弟姐妹", "其他")
DEATH_SOURCES = ("火化", "户籍注销", "死亡医学证明")
LABOR_CAPACITY = ("普通劳动力", "弱劳动力或半劳动力", "丧失劳动力", "无劳动力")
POVERTY_STATUS = ("脱贫户", "脱贫不稳定户", "边缘易致贫户", "突发严重困难户")
PROPERTY_TYPES = ("住宅", "商业", "办公", "工业")
BUSINESS_STATUS = ("存续", "在业", "注销", "吊销")
BUSINESS_ROLES = ("法定代表人", "股东", "个体工商户经营者")
SEXES = {"M": "男", "F": "女"}

# Columns that several sources share, spelled once.
NAME = Column("name", "姓名", "name", required=True)
ID_NUMBER = Column("id_number", "身份证号码", "id")
RELATION = Column("relation", "与户主关系", "relation")
REGION = Column("region_code", "行政区划代码", "region")
SEX = Column("sex", "性别", "sex")
BIRTH_DATE = Column("birth_date", "出生日期", "date")
ADDRESS = Column("address", "住址", "text")

SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        Source(
            "roll",
            "救助发放名册",
            required=True,
            columns=(
                Column("period", "发放年月", "period", required=True),
                Column("program", "救助类别", "program", required=True),
                Column("household_id", "家庭编号", "text", required=True),
                NAME,
                ID_NUMBER,
                RELATION,
                REGION,
                Column("town", "乡镇街道", "text"),
                Column("village", "村社区", "text"),
                Column("address", "家庭住址", "text"),
                Column("phone", "联系电话", "text"),
                Column("bank_account", "银行账号", "text"),
                Column("household_size", "家庭人口数", "int"),
                Column("per_capita_income", "家庭月人均收入", "money"),
                Column("amount", "发放金额", "money", required=True),
                Column("enrolled_date", "纳入日期", "date"),
                Column("handler", "经办人", "name"),
                Column("handler_id_number", "经办人身份证号码", "id"),
            ),
        ),
        Source(
            "household_registry",
            "户籍人口",
            required=True,
            columns=(
                Column("hukou_id", "户号", "text", required=True),
                NAME,
                ID_NUMBER,
                RELATION,
                SEX,
                BIRTH_DATE,
                REGION,
                ADDRESS,
                Column("established_date", "立户日期", "date"),  # optional (contract v2): when the hukou was set up
            ),
        ),
        Source(
            "poverty_registry",
            "防返贫监测/建档立卡对象",
            columns=(
                Column("household_id", "户编号", "text", required=True),
                NAME,
                ID_NUMBER,
                RELATION,
                REGION,
                Column("status", "户类型", "vocab", vocab=POVERTY_STATUS),
                Column("labor_capacity", "劳动能力", "vocab", vocab=LABOR_CAPACITY),
                Column("disability_level", "残疾等级", "disability_level"),
                Column("serious_illness", "是否大病", "text"),
                Column("per_capita_income", "人均纯收入", "money"),
            ),
        ),
        Source(
            "deaths",
            "死亡人员",
            columns=(
                NAME,
                ID_NUMBER,
                SEX,
                BIRTH_DATE,
                Column("age", "年龄", "int"),
                Column("death_date", "死亡日期", "date", required=True),
                REGION,
                ADDRESS,
                Column("source", "数据来源", "vocab", vocab=DEATH_SOURCES),
            ),
        ),
        Source(
            "disability_registry",
            "残疾人证",
            columns=(
                NAME,
                ID_NUMBER,
                Column("disability_type", "残疾类别", "text"),
                Column("disability_level", "残疾等级", "disability_level", required=True),
                Column("issued_date", "发证日期", "date"),
            ),
        ),
        Source(
            "real_estate",
            "不动产登记",
            columns=(
                Column("owner_name", "权利人", "name", required=True),
                Column("owner_id_number", "证件号码", "id"),
                Column("property_type", "用途", "vocab", required=True, vocab=PROPERTY_TYPES),
                Column("area_m2", "面积", "number"),
                Column("location", "坐落", "text"),
                Column("registered_date", "登记日期", "date"),
            ),
        ),
        Source(
            "vehicles",
            "机动车登记",
            columns=(
                Column("owner_name", "所有人", "name", required=True),
                Column("owner_id_number", "身份证明号码", "id"),
                Column("plate", "号牌号码", "text"),
                Column("vehicle_type", "车辆类型", "text", required=True),
                Column("registered_date", "初次登记日期", "date"),
            ),
        ),
        Source(
            "businesses",
            "市场主体登记",
            columns=(
                NAME,
                Column("id_number", "证件号码", "id"),
                Column("role", "身份", "vocab", vocab=BUSINESS_ROLES),
                Column("entity_name", "企业名称", "text"),
                Column("registered_capital", "注册资本万元", "number"),
                Column("status", "登记状态", "vocab", vocab=BUSINESS_STATUS),
            ),
        ),
        Source(
            "payroll",
            "财政供养人员",
            columns=(
                NAME,
                ID_NUMBER,
                Column("employer", "单位名称", "text"),
                Column("monthly_salary", "月工资", "money"),
            ),
        ),
        Source(
            "cadres",
            "村社区干部",
            columns=(
                NAME,
                ID_NUMBER,
                REGION,
                Column("position", "职务", "text"),
            ),
        ),
        Source(
            "cadre_kin_filings",
            "干部近亲属享受救助备案",
            columns=(
                Column("cadre_id_number", "干部身份证号码", "id"),
                Column("kin_name", "亲属姓名", "name", required=True),
                Column("kin_id_number", "亲属身份证号码", "id"),
                Column("relation", "关系", "text"),
                Column("filed_date", "备案日期", "date"),
            ),
        ),
        Source(
            "standards",
            "保障标准",
            required=True,
            columns=(
                Column("region_code", "行政区划代码", "county", required=True),
                Column("program", "救助类别", "program", required=True),
                Column("effective_from", "执行日期", "date", required=True),
                Column("monthly_amount", "月标准", "money", required=True),
                Column("area", "城乡类别", "area"),  # optional (contract v2): urban/rural where they differ
                Column("min_age", "最低年龄", "int"),
            ),
        ),
    )
}

REQUIRED_SOURCES = tuple(name for name, s in SOURCES.items() if s.required)
OPTIONAL_SOURCES = tuple(name for name, s in SOURCES.items() if not s.required)

# Person-bearing columns per source: (name column, identity-number column).
PERSON_COLUMNS: dict[str, tuple[str, str]] = {
    "roll": ("name", "id_number"),
    "household_registry": ("name", "id_number"),
    "poverty_registry": ("name", "id_number"),
    "deaths": ("name", "id_number"),
    "disability_registry": ("name", "id_number"),
    "real_estate": ("owner_name", "owner_id_number"),
    "vehicles": ("owner_name", "owner_id_number"),
    "businesses": ("name", "id_number"),
    "payroll": ("name", "id_number"),
    "cadres": ("name", "id_number"),
    "cadre_kin_filings": ("kin_name", "kin_id_number"),
}
