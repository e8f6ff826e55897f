"""The run summary as a Prefect artifact an operator can read in the UI.

Markdown with the money and the towns, a table per finding code and per town, the data
checks, what did not run, and links to the report files; plus a findings table artifact.
Outside a flow run (CLI tools, tests) nothing is published: there may be no API to reach.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast
from uuid import UUID

import pandas as pd

from hecha.findings import FINDINGS
from hecha.labels import category_zh, finding_zh
from hecha.summary import RunSummary

_OUTPUT_LABELS = {
    "cases_csv": "案件清单 cases.csv",
    "report_html": "月报 HTML",
    "report_pdf": "月报 PDF",
    "report_xlsx": "月报 XLSX",
    "checks_page": "数据检查 checks",
    "data_docs": "GX Data Docs",
}


def artifact_key(county: str, period: str) -> str:
    """Artifact keys allow lowercase letters, digits and dashes: `hecha-429006-2026-10`."""
    return re.sub(r"[^a-z0-9-]+", "-", f"hecha-{county}-{period}".lower()).strip("-")


def yuan(value: float) -> str:
    return f"{value:,.2f} 元"


def _table(frame: pd.DataFrame) -> list[str]:
    """A small frame as a Markdown table (cells are already text)."""
    header = "| " + " | ".join(frame.columns) + " |"
    rule = "|" + "|".join("---:" if c.endswith(("数", "元）")) else "---" for c in frame.columns) + "|"
    return [header, rule] + ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.itertuples(index=False)]


def by_code(findings: pd.DataFrame) -> pd.DataFrame:
    grouped = findings.groupby("finding").agg(n=("finding", "size"), money=("est_monthly_overpayment", "sum"))
    grouped = grouped.sort_values(["n"], ascending=False)
    return pd.DataFrame(
        {
            "规则": [finding_zh(str(c)) for c in grouped.index],
            "类别": [category_zh(FINDINGS.get(str(c), ("", ""))[0]) for c in grouped.index],
            "线索数": [int(n) for n in grouped["n"]],
            "估计每月多发（元）": [f"{float(m):,.2f}" for m in grouped["money"].fillna(0)],
        }
    )


def by_town(findings: pd.DataFrame) -> pd.DataFrame:
    towns = findings.assign(town=findings["town"].fillna("（未填乡镇）").astype(str))
    grouped = towns.groupby("town").agg(n=("finding", "size"), money=("est_monthly_overpayment", "sum"))
    grouped = grouped.sort_values(["n"], ascending=False)
    return pd.DataFrame(
        {
            "乡镇": list(grouped.index),
            "线索数": [int(n) for n in grouped["n"]],
            "估计每月多发（元）": [f"{float(m):,.2f}" for m in grouped["money"].fillna(0)],
        }
    )


def run_markdown(summary: RunSummary, findings: pd.DataFrame, outputs: Mapping[str, Path | str]) -> str:
    """The digest: headline money and cases, tables by rule and by town, checks, links to the files."""
    cases: Mapping[str, Any] = summary.get("cases") or {}
    checks: Mapping[str, Any] = summary.get("checks") or {}
    money = float(findings["est_monthly_overpayment"].fillna(0).sum()) if len(findings) else 0.0
    lines = [
        f"# 核查运行 {summary.get('county', '')} {summary.get('period', '')}",
        "",
        f"- 本月线索 **{len(findings)}** 条，估计每月多发 **{yuan(money)}**",
        f"- 案件：新发现 {int(cases.get('new', 0))}，延续 {int(cases.get('carried_over', 0))}，"
        f"数据已消除 {int(cases.get('resolved_by_data', 0))}，未办结 {int(cases.get('total_open', 0))}",
        f"- 数据检查：通过 {int(checks.get('passed', 0))}，未通过 {int(checks.get('failed', 0))}，"
        f"未运行 {int(checks.get('not_run', 0))}",
    ]
    not_run = summary.get("rules_not_run") or {}
    if not_run:
        lines.append("- 未运行的规则：" + "；".join(f"{finding_zh(c)}（{r}）" for c, r in not_run.items()))
    if len(findings):
        lines += ["", "## 按规则", "", *_table(by_code(findings)), "", "## 按乡镇", "", *_table(by_town(findings))]
    lines += ["", "## 报告与文件", ""]
    for key, path in {**outputs, **check_pages(summary)}.items():
        uri = Path(path).resolve().as_uri()
        lines.append(f"- [{_OUTPUT_LABELS.get(key, key)}]({uri})  `{path}`")
    return "\n".join(lines)


def check_pages(summary: RunSummary) -> dict[str, Path]:
    """The run's Chinese checks page and GX Data Docs, where they were written."""
    checks = Path(str(summary.get("output_dir", ""))) / "checks"
    pages = {"checks_page": checks / "checks.html", "data_docs": checks / "data_docs" / "index.html"}
    return {key: path for key, path in pages.items() if path.is_file()}


def findings_rows(summary: RunSummary) -> list[dict[str, Any]]:
    """One row per finding code; counts cast to int because table artifacts reject numpy ints."""
    return [
        {"代码": code, "名称": finding_zh(code), "类别": category_zh(FINDINGS.get(code, ("", ""))[0]), "数量": int(n)}
        for code, n in (summary.get("findings") or {}).items()
    ]


def publish_run_artifact(summary: RunSummary, findings: pd.DataFrame, outputs: Mapping[str, Path | str]) -> list[UUID]:
    """Create the Markdown digest and the findings table; returns their ids ([] outside a flow run)."""
    from prefect.context import FlowRunContext

    if FlowRunContext.get() is None:
        return []
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    key = artifact_key(str(summary.get("county", "")), str(summary.get("period", "")))
    markdown = run_markdown(summary, findings, outputs)
    ids = [cast(UUID, create_markdown_artifact(markdown, key=key, description="核查运行摘要 run summary"))]
    rows = findings_rows(summary)
    if rows:
        ids.append(cast(UUID, create_table_artifact(rows, key=key + "-findings", description="各规则线索数")))
    return ids
