"""Reasons in plain Chinese: the household's own value beside the norm it departs from.

A risk score alone cannot be verified; "同村同类家庭月人均收入中位数 620 元，本户申报
80 元" can. Each reason names a real feature, its value, the norm and how much it
drove the score (robust z for the unsupervised model, coefficient × standardised
value for the supervised one).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from hecha.dataset import Dataset
from hecha.findings import FINDING_COLUMNS, FINDINGS
from hecha.policy import FavourPolicy
from hecha.privacy import mask_id
from models.favour.features import FEATURES, HouseholdFeatures
from models.favour.store import ANOMALY

LABELS_ZH = {**FEATURES, ANOMALY: "多项指标综合异常程度"}


def _f(v: object, fmt: str = ".0f") -> str:
    return "—" if v is None or (isinstance(v, float) and np.isnan(v)) else format(v, fmt)


Renderer = Callable[[pd.Series, float, float, FavourPolicy], str]

_TEXT: dict[str, Renderer] = {
    "hukou_gap": lambda c, v, n, p: (
        f"户籍上同户共 {_f(c.hukou_size)} 人，{_f(v)} 人未在本救助家庭中（单独成户申请）；全县救助家庭中位数 {_f(n)} 人"
    ),
    "split_hukou": lambda c, v, n, p: f"户籍住址上另有 {_f(v)} 个户口（疑似分户单立）；全县中位数 {_f(n)} 个",
    "kin_split_hukou": lambda c, v, n, p: (
        f"户籍住址上另有 {_f(c.kin_split_n)} 个户主同姓的户口（疑似从父母或亲属户口分出单独立户申请）"
        + (f"；该姓占本村户主的 {_f(c.kin_surname_share, '.0%')}" if c.kin_surname_share >= 0.2 else "")
    ),
    "shared_hukou_roll": lambda c, v, n, p: f"同一户口的成员分在另外 {_f(v)} 个救助家庭中领取",
    "recent_hukou": lambda c, v, n, p: f"户口于 {_date(c.hukou_established)} 分户或立户，为近 {p.recent_months} 个月内",
    "able_workers": lambda c, v, n, p: (
        f"家庭有 {_f(v)} 名{p.working_age[0]}–{p.working_age[1]}岁、无残疾、普通劳动力成员；全县救助家庭中位数 {_f(n)} 名"
    ),
    "not_in_poverty_registry": lambda c, v, n, p: "家庭成员均不在防返贫监测/建档立卡名单中",
    "income_shortfall": lambda c, v, n, p: (
        f"{c.income_norm_scope}劳动力相同或更少的救助家庭月人均收入中位数 {_f(c.income_norm)} 元，本户申报 {_f(c.income)} 元"
    ),
    "recent_enrolment": lambda c, v, n, p: f"{_date(c.enrolled)} 纳入，为近 {p.recent_months} 个月新纳入",
    "handler_burst": lambda c, v, n, p: (
        f"经办人{c.handler}在本户纳入前后 {p.burst_window_days} 天内另经办纳入 {_f(v)} 户；全县中位数 {_f(n)} 户"
    ),
    "village_burst": lambda c, v, n, p: (
        f"本村在本户纳入前后 {p.burst_window_days} 天内另纳入 {_f(c.village_burst_n)} 户，占本村救助家庭 {_f(v, '.0%')}；"
        f"全县中位数 {_f(n, '.0%')}"
    ),
    "village_coverage_ratio": lambda c, v, n, p: (
        f"本村保障覆盖率 {_f(c.coverage_village, '.1%')}，本镇 {_f(c.coverage_town, '.1%')}（为本镇的 {_f(v, '.1f')} 倍）"
    ),
    "cadre_same_hukou": lambda c, v, n, p: "与村（社区）干部同一户籍，且未在干部近亲属备案中",
    "cadre_same_address": lambda c, v, n, p: "与村（社区）干部户籍住址相同（不同户口）",
    "cadre_shared_contact": lambda c, v, n, p: "联系电话或银行账户与村（社区）干部相同（不同户籍）",
    "handler_tie": lambda c, v, n, p: "经办人与本户同户籍或同住址（经办未回避）",
    "handler_tied_burst": lambda c, v, n, p: (
        f"经办人{c.handler}在本户纳入前后 {p.burst_window_days} 天内另纳入 {_f(v)} 户分户或与干部、经办人有关联的家庭"
    ),
    "shared_contact": lambda c, v, n, p: f"联系电话或银行账户与另外 {_f(v)} 个救助家庭相同；全县中位数 {_f(n)} 个",
    "open_findings": lambda c, v, n, p: f"本户另有 {_f(v)} 类核查问题（错保规则）未结",
    ANOMALY: lambda c, v, n, p: f"多项指标组合偏离全县常态（异常分 {_f(v, '.2f')}）",
}


def _field(value: object) -> str:
    """Evidence values as text: dates without a time of day, missing values empty."""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA else str(value)


def _date(value: object) -> str:
    ts = pd.to_datetime(str(value), errors="coerce") if value is not None else pd.NaT
    return "纳入日期不详" if pd.isna(ts) else f"{ts.year}年{ts.month}月"


def reasons(
    ctx_row: pd.Series,
    values: pd.Series,
    contrib: pd.Series,
    norms: pd.Series,
    policy: FavourPolicy,
    min_contrib: float,
) -> list[dict[str, Any]]:
    """Top features by contribution (at least min_contrib), each with value, norm and Chinese text."""
    order = contrib[contrib >= min_contrib].sort_values(ascending=False, kind="stable")
    out = []
    for feat in order.index[: policy.max_reasons]:
        v, n = float(values[feat]), float(norms.get(feat, np.nan))
        out.append(
            {
                "feature": feat,
                "label_zh": LABELS_ZH[feat],
                "value": round(v, 4),
                "norm": None if np.isnan(n) else round(n, 4),
                "contribution": round(float(order[feat]), 3),
                "text_zh": _TEXT[feat](ctx_row, v, n, policy),
            }
        )
    return out


def finding_rows(
    dataset: Dataset,
    feats: HouseholdFeatures,
    full: pd.DataFrame,
    score: pd.Series,
    flagged: pd.Series,
    contrib: pd.DataFrame,
    norms: pd.Series,
    card: dict[str, Any],
    fp: FavourPolicy,
) -> pd.DataFrame:
    """FINDING_COLUMNS rows for the flagged households, best first, with reasons and roll records."""
    roll = dataset.frames["roll"].set_index("_row")
    min_contrib = fp.reason_min_z if card["kind"] == "unsupervised" else 1e-9
    rank = score.rank(ascending=False, method="first").astype(int)
    rows = []
    for hid in score[flagged].sort_values(ascending=False, kind="stable").index:
        c = feats.context.loc[hid]
        why = reasons(c, full.loc[hid], contrib.loc[hid], norms, fp, min_contrib)
        text = "；".join(r["text_zh"] for r in why) or "多项指标综合偏离常态"
        records = [
            {
                "source": "roll",
                "row": r,
                "id_masked": mask_id(roll.at[r, "id_number"]),
                "name": str(roll.at[r, "name"]),
                "fields": {
                    k: _field(roll.at[r, k]) for k in ("program", "relation", "amount", "enrolled_date", "handler")
                },
                "probability": 1.0,
                "agreement": {},
                "evidence_zh": "救助名册记录",
            }
            for r in c["rows"]
        ]
        evidence = {
            "rule": "FAVOUR_RISK",
            "rule_zh": FINDINGS["FAVOUR_RISK"][1],
            "summary_zh": f"人情保/关系保风险分 {score[hid]:.2f}（全县第 {rank[hid]} 位）：{text}。此为核查线索，不代表违规，请入户核实并注意回避。",
            "reasons": why,
            "facts": {
                "score": round(float(score[hid]), 4),
                "rank": int(rank[hid]),
                "model_kind": card["kind"],
                "model_version": card["version"],
                "features": {k: round(float(v), 4) for k, v in full.loc[hid].items()},
                "amount": float(c["amount"]),
                "roll_size": int(c["roll_size"]),
            },
            "records": records,
            "weak_link": False,
        }
        rows.append(
            {
                "finding": "FAVOUR_RISK",
                "category": "favour",
                "program": c["program"],
                "subject_key": f"h:{hid}",
                "household_id": hid,
                "id_number": "",
                "name": c["head_name"],
                "person_id": "",
                "region_code": c["region_code"],
                "town": c["town"],
                "village": c["village"],
                "score": round(float(score[hid]), 4),
                "est_monthly_overpayment": float(c["amount"]),
                "est_cumulative_overpayment": np.nan,
                "months_overpaid": np.nan,
                "evidence": evidence,
            }
        )
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)
