"""The run summary: what was read, set aside, linked and found — stored with the run and printed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.cells import cell_len

from checks.ingest import source_summary
from checks.report import CheckReport
from hecha.dataset import Dataset
from hecha.findings import FINDINGS, FindingsResult
from hecha.index import PersonIndex
from hecha.labels import finding_zh, source_zh
from hecha.summary import LinkCounts, RunSummary
from models.favour import FavourResult


def build_summary(
    run_id: str,
    dataset: Dataset,
    checks: CheckReport,
    index: PersonIndex,
    rules: FindingsResult,
    favour: FavourResult,
    timings: dict[str, float],
    out_dir: Path,
) -> RunSummary:
    """Plain JSON (docs/architecture.md "Run summary"); counts are Python ints for Prefect and JSON."""
    findings = {code: 0 for code in FINDINGS}
    for frame in (rules.findings, favour.findings):
        for code, n in frame["finding"].value_counts().items():
            findings[str(code)] += int(n)
    not_run = dict(rules.not_run)
    not_run.update(favour.not_run)
    return {
        "county": dataset.county,
        "period": dataset.period,
        "run_id": run_id,
        "output_dir": str(out_dir),
        "sources": source_summary(dataset),
        "absent_sources": list(dataset.absent),
        "checks": checks.to_summary(),
        "linkage": {pair: _link_counts(stats) for pair, stats in index.stats.items()},
        "findings": findings,
        "rules_not_run": not_run,
        "favour": {
            "model": favour.model_info,
            "villages": _records(favour.villages.head(20)),
            "fairness": favour.fairness,
            "precision": _records(favour.precision),
        },
        "timings": dict(timings),
    }


def _link_counts(stats: dict[str, float]) -> LinkCounts:
    return LinkCounts(
        candidates=float(stats["candidates"]),
        links=float(stats["links"]),
        fuzzy=float(stats["fuzzy"]),
        fuzzy_share=float(stats["fuzzy_share"]),
    )


def _records(frame: Any) -> list[dict[str, Any]]:
    """A small frame as JSON-able records (numpy scalars become Python numbers, NaN becomes None)."""
    if frame is None or len(frame) == 0:
        return []
    clean = frame.astype(object).where(frame.notna(), None)
    return [{k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()} for row in clean.to_dict("records")]


def pad(text: object, width: int) -> str:
    """Left-align by display width: a Chinese character takes two terminal columns, not one."""
    value = str(text)
    return value + " " * max(width - cell_len(value), 0)


def format_summary(summary: RunSummary) -> str:
    """The run summary as the operator reads it in a terminal (Chinese first)."""
    lines = [f"核查完成 run {summary['run_id']}：{summary['county']} {summary['period']}", "", "数据源 sources:"]
    for name, s in summary["sources"].items():
        zh = source_zh(name)
        share = s.get("id_valid_share")
        valid = "—" if share is None else f"{share:.1%}"
        lines.append(
            f"  {pad(zh, 24)} {pad(name, 20)} 读取 {s['rows_read']:>8}  隔离 {s['quarantined']:>5}  "
            f"标记 {s['flagged']:>5}  身份证号有效率 {valid}"
        )
    for name in summary["absent_sources"]:
        lines.append(f"  {pad(source_zh(name), 24)} {pad(name, 20)} 未提供（相关检查未运行 not run）")
    c = summary["checks"]
    lines += ["", f"数据检查 checks: 通过 {c['passed']}，未通过 {c['failed']}，未运行 {c['not_run']}"]
    lines += ["", "身份匹配 links by source:"]
    for pair, link in summary["linkage"].items():
        lines.append(f"  {pad(pair, 40)} 链接 {int(link.get('links', 0)):>7}  模糊 {link.get('fuzzy_share', 0.0):.1%}")
    lines += ["", "发现 findings by code:"]
    for code, n in summary["findings"].items():
        if code in summary["rules_not_run"]:
            lines.append(f"  {pad(code, 26)} {pad(finding_zh(code), 28)} 未运行：{summary['rules_not_run'][code]}")
        else:
            lines.append(f"  {pad(code, 26)} {pad(finding_zh(code), 28)} {n:>6}")
    if "cases" in summary:
        k = summary["cases"]
        lines += [
            "",
            f"案件 cases: 新增 {k.get('new', 0)}，延续 {k.get('carried_over', 0)}，"
            f"数据已消除 {k.get('resolved_by_data', 0)}，待处理合计 {k.get('total_open', 0)}",
        ]
    return "\n".join(lines)
