"""Tables from a run's summary JSON (`runs.summary`): inputs, checks and linkage.

These figures are what the run measured on the input files; the case store keeps no
row-level copy of them, so the summary is their only source.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from hecha.findings import FINDINGS
from hecha.labels import finding_zh, repeat_kind_zh, source_zh
from reports import divisions
from reports.checks_zh import check_zh, observed_zh


def sources_table(summary: dict[str, Any]) -> pd.DataFrame:
    """Rows read, loaded and quarantined per source; absent sources listed as 未提供."""
    rows = []
    for source, info in (summary.get("sources") or {}).items():
        share = info.get("id_valid_share")
        rows.append(
            {
                "数据源": source_zh(source),
                "文件": Path(str(info.get("file") or "")).name,
                "读取行数": int(info.get("rows_read") or 0),
                "载入行数": int(info.get("rows_loaded") or 0),
                "隔离行数": int(info.get("quarantined") or 0),
                "标记行数": int(info.get("flagged") or 0),
                "身份证号有效率": float(share) if share is not None else float("nan"),
                "状态": "已读取",
            }
        )
    for source in summary.get("absent_sources") or []:
        rows.append(
            {
                "数据源": source_zh(source),
                "文件": "",
                "读取行数": 0,
                "载入行数": 0,
                "隔离行数": 0,
                "标记行数": 0,
                "身份证号有效率": float("nan"),
                "状态": "未提供",
            }
        )
    columns = ["数据源", "文件", "读取行数", "载入行数", "隔离行数", "标记行数", "身份证号有效率", "状态"]
    return pd.DataFrame(rows, columns=columns)


def checks_table(summary: dict[str, Any]) -> pd.DataFrame:
    checks = summary.get("checks") or {}
    labels = {"passed": "通过", "failed": "未通过", "not_run": "未运行", "blocking_failed": "其中阻断性未通过"}
    return pd.DataFrame(
        [{"检查结果": zh, "数量": int(checks.get(key) or 0)} for key, zh in labels.items()],
        columns=["检查结果", "数量"],
    )


def failed_checks_table(summary: dict[str, Any]) -> pd.DataFrame:
    """Only the failed and not-run checks: the passed ones need no reader's attention."""
    details = (summary.get("checks") or {}).get("details") or []
    status_zh = {"failed": "未通过", "not_run": "未运行"}
    rows = [
        {
            "数据源": source_zh(str(d.get("source", ""))),
            "检查项": check_zh(str(d.get("source", "")), str(d.get("expectation", ""))),
            "结果": status_zh[d["status"]],
            "情况": observed_zh(d.get("observed")),
            "是否阻断": "是" if d.get("blocking") else "否",
        }
        for d in details
        if d.get("status") in status_zh
    ]
    return pd.DataFrame(rows, columns=["数据源", "检查项", "结果", "情况", "是否阻断"])


def rules_not_run_table(summary: dict[str, Any]) -> pd.DataFrame:
    """Rules the run could not apply, by Chinese name; the reason's English half is for operators' logs."""
    rows = [
        {"规则": finding_zh(code), "原因": str(reason).split(" / ")[0]}
        for code, reason in (summary.get("rules_not_run") or {}).items()
    ]
    return pd.DataFrame(rows, columns=["规则", "原因"])


REPEAT_COLUMNS_ZH = ["类型", "身份证号（脱敏）", "户号", "户籍人口行号", "姓名（脱敏）", "关联识别为"]


def registry_repeats_table(summary: dict[str, Any]) -> pd.DataFrame:
    """Identity numbers the household registry lists twice (一人多户 / 重号), masked, for the public-security bureau."""
    repeats = summary.get("registry_repeats") or {}
    rows = [
        {
            "类型": repeat_kind_zh(str(r.get("kind", ""))),
            "身份证号（脱敏）": str(r.get("id_masked", "")),
            "户号": "、".join(map(str, r.get("hukou_ids") or [])),
            "户籍人口行号": "、".join(map(str, r.get("rows") or [])),
            "姓名（脱敏）": "、".join(map(str, r.get("names_masked") or [])),
            "关联识别为": f"{int(r.get('persons') or 0)} 人",
        }
        for r in repeats.get("listed") or []
    ]
    return pd.DataFrame(rows, columns=REPEAT_COLUMNS_ZH)


def registry_repeats_note(summary: dict[str, Any]) -> str:
    """One sentence: how many numbers are repeated, by kind, and how many are not listed."""
    repeats = summary.get("registry_repeats") or {}
    numbers = int(repeats.get("numbers") or 0)
    if not numbers:
        return "户籍人口中未发现重复登记的身份证号。"
    kinds = "，".join(f"{repeat_kind_zh(k)} {int(n)} 个" for k, n in (repeats.get("by_kind") or {}).items())
    more = int(repeats.get("not_listed") or 0)
    tail = f"；另有 {more} 个未列出" if more else ""
    return (
        f"户籍人口中 {numbers} 个身份证号重复登记（{kinds}，涉及 {int(repeats.get('rows') or 0)} 行{tail}），"
        "请公安户籍部门核实。一人多户按同一人比对，重号按姓名、出生日期区分为不同的人。"
    )


def linkage_table(summary: dict[str, Any]) -> pd.DataFrame:
    """Links per source pair and the share that needed fuzzy matching (weaker evidence)."""
    rows = []
    for pair, info in (summary.get("linkage") or {}).items():
        links = int(info.get("links") or 0)
        fuzzy = int(info.get("fuzzy") or 0)
        share = info.get("fuzzy_share")
        rows.append(
            {
                "数据源对": "与".join(source_zh(part) for part in pair.split("~")),
                "候选对数": int(info.get("candidates") or 0),
                "关联数": links,
                "模糊关联数": fuzzy,
                "模糊关联占比": float(share) if share is not None else (fuzzy / links if links else float("nan")),
            }
        )
    return pd.DataFrame(rows, columns=["数据源对", "候选对数", "关联数", "模糊关联数", "模糊关联占比"])


FAVOUR_KEYS_ZH = {  # models.favour.ranking.VILLAGE_COLUMNS
    "rank": "排名",
    "town": "乡镇",
    "village": "村（社区）",
    "households": "救助户数",
    "flagged": "风险户数",
    "mean_risk": "平均风险分",
    "coverage_village": "本村救助覆盖率",
    "coverage_town": "本镇救助覆盖率",
    "coverage_ratio": "本村覆盖率为本镇的倍数",
    "reasons": "主要原因",
}


def favour_list_note(summary: Mapping[str, Any]) -> str | None:
    """Why this month's favour-risk list has its length (models.favour.ranking.list_end_note), if recorded."""
    note = ((summary.get("favour") or {}).get("model") or {}).get("list_note_zh")
    return str(note) if note else None


def favour_villages_from_summary(summary: dict[str, Any]) -> pd.DataFrame | None:
    """The risk model's own village ranking, when the run recorded one."""
    villages = (summary.get("favour") or {}).get("villages")
    if not villages:
        return None
    frame = pd.DataFrame(villages)
    if "region_code" in frame.columns:  # towns by the division table, as everywhere else in the report
        frame["town"] = divisions.town_names(frame["region_code"], frame.get("town", pd.Series("", index=frame.index)))
        frame = frame.drop(columns="region_code")
    for column in frame.columns:
        if frame[column].map(lambda v: isinstance(v, list | dict)).any():
            frame[column] = frame[column].map(lambda v: "；".join(map(str, v)) if isinstance(v, list) else str(v))
    frame = frame.rename(columns=FAVOUR_KEYS_ZH)
    frame = frame.loc[:, ~frame.columns.duplicated()]  # one column per label, whatever keys a model adds
    if "排名" not in frame.columns:
        frame.insert(0, "排名", range(1, len(frame) + 1))
    return frame


MODEL_KINDS_ZH = {"unsupervised": "无监督模型", "supervised": "监督模型"}


def _rule_names(keys: list[str]) -> list[str]:
    """Rule codes by name; the risk model's versions (`unsupervised-15ff…`) as 人情保关系保风险（无监督模型第 2 版）."""
    names, versions = [], 0
    for key in keys:
        kind = key.split("-", 1)[0]
        if key not in FINDINGS and kind in MODEL_KINDS_ZH:
            versions += 1
            names.append(f"{finding_zh('FAVOUR_RISK')}（{MODEL_KINDS_ZH[kind]}第 {versions} 版）")
        else:
            names.append(finding_zh(key) if key in FINDINGS else "其他规则")
    return names


def precision_table(summary: dict[str, Any]) -> pd.DataFrame:
    """Per-rule precision from every inspector decision so far (from the run's risk-model stage)."""
    rows = (summary.get("favour") or {}).get("precision") or []
    columns = ["规则", "属实", "误报", "准确率"]
    if not rows:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(rows)
    return pd.DataFrame(
        {
            "规则": _rule_names(list(frame["finding"])),
            "属实": frame["confirmed"].astype(int),
            "误报": frame["cleared"].astype(int),
            "准确率": frame["precision"].astype(float),
        },
        columns=columns,
    )
