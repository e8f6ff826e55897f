"""Prefect artifacts for a monthly run: a Markdown digest and a findings table in the UI.

Called by the flow; outside a flow run (CLI, tests, notebooks) it does nothing, because
creating an artifact there would try to reach a Prefect API that may not exist.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast
from uuid import UUID

from hecha.findings import FINDINGS
from hecha.labels import category_zh, finding_zh
from hecha.summary import RunSummary

log = logging.getLogger(__name__)


def _in_run() -> bool:
    from prefect.context import FlowRunContext, TaskRunContext

    return FlowRunContext.get() is not None or TaskRunContext.get() is not None


def _key(*parts: object) -> str:
    """Artifact keys allow only lowercase letters, digits and dashes."""
    return re.sub(r"[^a-z0-9-]+", "-", "-".join(str(p) for p in parts).lower()).strip("-")


def findings_rows(summary: RunSummary) -> list[dict[str, Any]]:
    """One row per finding code; counts cast to int because table artifacts reject numpy ints."""
    return [
        {"代码": code, "名称": finding_zh(code), "类别": category_zh(FINDINGS.get(code, ("", ""))[0]), "数量": int(n)}
        for code, n in (summary.get("findings") or {}).items()
    ]


def digest(summary: RunSummary, report_paths: dict[str, Path]) -> str:
    cases: Mapping[str, Any] = summary.get("cases") or {}
    checks: Mapping[str, Any] = summary.get("checks") or {}
    lines = [
        f"# 核查运行 {summary.get('county', '')} {summary.get('period', '')}",
        "",
        f"- 线索：新发现 {int(cases.get('new', 0))}，延续 {int(cases.get('carried_over', 0))}，"
        f"数据已消除 {int(cases.get('resolved_by_data', 0))}，未办结 {int(cases.get('total_open', 0))}",
        f"- 数据检查：通过 {int(checks.get('passed', 0))}，未通过 {int(checks.get('failed', 0))}，"
        f"未运行 {int(checks.get('not_run', 0))}",
    ]
    not_run = summary.get("rules_not_run") or {}
    if not_run:
        lines.append("- 未运行的规则：" + "；".join(f"{finding_zh(c)}（{r}）" for c, r in not_run.items()))
    lines += ["", "## 报告", ""] + [f"- {fmt.upper()}：`{path}`" for fmt, path in report_paths.items()]
    return "\n".join(lines)


def publish_run_artifacts(summary: RunSummary, report_paths: dict[str, Path]) -> list[UUID]:
    """Create the digest and findings-table artifacts; returns their ids ([] outside a flow run)."""
    if not _in_run():
        log.debug("not in a Prefect flow run: no artifacts")
        return []
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    key = _key("hecha", summary.get("county", ""), summary.get("period", ""))
    # Both are sync-compatible: called from a synchronous flow they return the UUID.
    ids = [cast(UUID, create_markdown_artifact(digest(summary, report_paths), key=key, description="核查运行摘要"))]
    rows = findings_rows(summary)
    if rows:
        ids.append(cast(UUID, create_table_artifact(rows, key=key + "-findings", description="各规则线索数")))
    return ids
