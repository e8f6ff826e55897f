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
        f"户口本上共 {_f(c.hukou_size)} 人，其中 {_f(v)} 人不在本救助家庭里（单独成户申请）；一般家庭是 {_f(n)} 人"
    ),
    "split_hukou": lambda c, v, n, p: f"同一住址上另有 {_f(v)} 个户口，像是分户单立；一般是 {_f(n)} 个",
    "kin_split_hukou": lambda c, v, n, p: (
        f"同一住址上另有 {_f(c.kin_split_n)} 个户主同姓的户口，像是从父母或亲属户口分出来单独申请"
        + (f"；不过这个姓占本村户主的 {_f(c.kin_surname_share, '.0%')}" if c.kin_surname_share >= 0.2 else "")
    ),
    "shared_hukou_roll": lambda c, v, n, p: f"同一户口的人分在另外 {_f(v)} 个救助家庭里领取",
    "recent_hukou": lambda c, v, n, p: f"{_date(c.hukou_established)}才分户或立户（近 {p.recent_months} 个月内）",
    "able_workers": lambda c, v, n, p: (
        f"家里有 {_f(v)} 名{p.working_age[0]}–{p.working_age[1]}岁、没有残疾、能正常干活的人；一般救助家庭是 {_f(n)} 名"
    ),
    "not_in_poverty_registry": lambda c, v, n, p: "家里没有人在防返贫监测或建档立卡名单上",
    "income_shortfall": lambda c, v, n, p: (
        f"本户申报 {_f(c.income)} 元/人·月，{c.income_norm_scope}劳力相当的救助家庭中位数 {_f(c.income_norm)} 元"
    ),
    "recent_enrolment": lambda c, v, n, p: f"{_date(c.enrolled)}才纳入救助（近 {p.recent_months} 个月内）",
    "handler_burst": lambda c, v, n, p: (
        f"经办人{c.handler}在本户纳入前后 {p.burst_window_days} 天内还经办纳入了 {_f(v)} 户；一般是 {_f(n)} 户"
    ),
    "village_burst": lambda c, v, n, p: (
        f"本村在本户纳入前后 {p.burst_window_days} 天内集中纳入 {_f(c.village_burst_n)} 户，"
        f"占全村救助户的 {_f(v, '.0%')}；一般是 {_f(n, '.0%')}"
    ),
    "village_coverage_ratio": lambda c, v, n, p: (
        f"本村享受救助的人口比例 {_f(c.coverage_village, '.1%')}，是本镇（{_f(c.coverage_town, '.1%')}）的 {_f(v, '.1f')} 倍"
    ),
    "cadre_same_hukou": lambda c, v, n, p: "和村（社区）干部是同一户口，但没有按规定备案",
    "cadre_same_address": lambda c, v, n, p: "和村（社区）干部住在同一地址（户口不同）",
    "cadre_shared_contact": lambda c, v, n, p: "和村（社区）干部用同一个电话或银行账户（户口不同）",
    "handler_tie": lambda c, v, n, p: "经办人和本户是同一户口或住在一起，经办时没有回避",
    "handler_tied_burst": lambda c, v, n, p: (
        f"经办人{c.handler}在本户纳入前后 {p.burst_window_days} 天内另纳入 {_f(v)} 户新近分户或与干部、经办人有关联的家庭"
    ),
    "shared_contact": lambda c, v, n, p: f"和另外 {_f(v)} 个救助家庭用同一个电话或银行账户；一般是 {_f(n)} 个",
    "open_findings": lambda c, v, n, p: f"本户还有 {_f(v)} 项其他核查问题没有办结",
    ANOMALY: lambda c, v, n, p: f"几项情况合在一起，和全县一般救助家庭差别较大（异常分 {_f(v, '.2f')}）",
}


def _numbered(reasons: list[str]) -> str:
    """Two or three short reasons a villager can check one by one: 一是……；二是……."""
    if len(reasons) <= 1:
        return "".join(reasons)
    ordinals = "一二三四五六七八九"
    return "；".join(f"{ordinals[i]}是{text}" for i, text in enumerate(reasons))


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
    model_score: pd.Series | None = None,
    recusal: pd.Series | None = None,
) -> pd.DataFrame:
    """FINDING_COLUMNS rows for the flagged households, best first, with reasons and roll records.

    `recusal` marks the recusal cases (经办未回避) that `score` puts first; `model_score` is the model's own score.
    """
    model_score = score if model_score is None else model_score
    first = set() if recusal is None else set(recusal.index[recusal])
    roll = dataset.frames["roll"].set_index("_row")
    min_contrib = fp.reason_min_z if card["kind"] == "unsupervised" else 1e-9
    rank = score.rank(ascending=False, method="first").astype(int)
    rows = []
    for hid in score[flagged].sort_values(ascending=False, kind="stable").index:
        c = feats.context.loc[hid]
        why = reasons(c, full.loc[hid], contrib.loc[hid], norms, fp, min_contrib)
        text = _numbered([r["text_zh"] for r in why]) or "几项情况合在一起，和全县一般救助家庭差别较大"
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
        is_first = hid in first
        head = (
            f"经办人{c['handler']}与本户同一户口，经办时没有回避：不论模型风险分（{model_score[hid]:.2f}）一律优先核查"
            if is_first
            else f"人情保/关系保风险分 {score[hid]:.2f}（全县第 {rank[hid]} 位）"
        )
        evidence = {
            "rule": "FAVOUR_RISK",
            "rule_zh": FINDINGS["FAVOUR_RISK"][1],
            "summary_zh": (
                f"{head}，请入户核实：{text}。这是核查线索，不是违规结论；核查人员与本户有亲属关系的须回避。"
            ),
            "reasons": why,
            "facts": {
                "score": round(float(score[hid]), 4),
                "model_score": round(float(model_score[hid]), 4),
                "recusal_first": is_first,
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
