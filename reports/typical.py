"""Anonymised typical cases (典型案例): names and identity numbers masked, also inside the text."""

from __future__ import annotations

import re

import pandas as pd

from hecha.labels import DECISIONS, category_zh, finding_zh
from hecha.privacy import mask_id, mask_name

ID_PATTERN = re.compile(r"\d{14,17}[\dXx]")
_LEVELS = {"1": "一", "2": "二", "3": "三", "4": "四"}
# Phrases the rules' evidence text builds mechanically, as a reader would write them
# (the rule text itself lives in models/rules; these keep reports plain meanwhile).
_SLIPS = (
    (re.compile(r"([1-4])级(\S{0,4}?)残疾残疾人证"), lambda m: f"{_LEVELS[m[1]]}级{m[2]}残疾人证"),
    (re.compile(r"残疾残疾"), lambda m: "残疾"),
    (re.compile(r"([1-4])级残疾人证"), lambda m: f"{_LEVELS[m[1]]}级残疾人证"),
)


def plain(text: str) -> str:
    """`持2级肢体残疾残疾人证` → 持二级肢体残疾人证."""
    for pattern, repl in _SLIPS:
        text = pattern.sub(repl, text)
    return text


def anonymise(text: str, name: str) -> str:
    """Evidence summaries quote the person: mask their name and every identity number in it."""
    if name:
        text = text.replace(name, mask_name(name))
    return ID_PATTERN.sub(lambda m: mask_id(m.group(0)), text)


def _problem(finding: str, summary: str, name: str) -> str:
    """The rule's name, then the evidence text (unless that already opens with it), masked and plain."""
    text = plain(anonymise(summary, name))
    rule = finding_zh(finding)
    return text if text.startswith(rule[:3]) else f"{rule}：{text}"


def typical_cases(cases: pd.DataFrame, per_category: int = 2) -> pd.DataFrame:
    """The confirmed cases with the most money at stake, a couple per category."""
    positive = cases[cases.positive].copy()
    positive["stake"] = positive.amount_to_recover + positive.amount_recovered + positive.monthly_amount_stopped * 12
    positive["stake"] += positive.amount_paid
    picked = (
        positive.sort_values(["stake", "case_id"], ascending=[False, True])
        .groupby("category", sort=False)
        .head(per_category)
    )
    rows = [
        {
            "类别": category_zh(r["category"]),
            "地点": f"{r['town']}{r['village']}",
            "姓名": mask_name(r["name"]),
            "身份证号码": r["id_masked"] or mask_id(r["id_number"]),
            "问题及情况": _problem(r["finding"], str((r["evidence"] or {}).get("summary_zh", "")), r["name"]),
            "核查结论": DECISIONS.get(r["decision"], r["decision"]),
            "停发（元/月）": float(r["monthly_amount_stopped"]),
            "追回（元）": float(r["amount_recovered"]),
            "发放（元）": float(r["amount_paid"]),
        }
        for r in picked.to_dict("records")
    ]
    columns = [
        "类别",
        "地点",
        "姓名",
        "身份证号码",
        "问题及情况",
        "核查结论",
        "停发（元/月）",
        "追回（元）",
        "发放（元）",
    ]
    return pd.DataFrame(rows, columns=columns)
