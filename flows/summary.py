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
from hecha.labels import REGISTRY_REPEATS, finding_zh, repeat_kind_zh, source_zh
from hecha.privacy import mask_id, mask_name
from hecha.summary import LinkCounts, RegistryRepeats, RepeatedNumber, RunSummary
from models.favour import FavourResult
from reports.run_summary import favour_list_note


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
        "unreadable_sources": dict(dataset.unreadable),
        "checks": checks.to_summary(),
        "linkage": {pair: _link_counts(stats) for pair, stats in index.stats.items()},
        "registry_repeats": registry_repeats(dataset, index),
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


LISTED_REPEATS = 50  # numbers listed (masked) in the summary and the report; the person index holds them all
TERMINAL_REPEATS = 10


def registry_repeats(dataset: Dataset, index: PersonIndex) -> RegistryRepeats:
    """Numbers the household registry lists twice, by kind, for the public-security bureau (masked)."""
    rep = index.repeats
    reg = dataset.frames.get("household_registry")
    valid = 0
    if reg is not None and "id_number" in reg:
        status = reg.get("id_number_status")
        usable = reg["id_number"][status.isin(["valid", "upgraded"])] if status is not None else reg["id_number"]
        valid = int(usable.nunique())
    by_kind = {kind: 0 for kind in REGISTRY_REPEATS}
    listed: list[RepeatedNumber] = []
    if len(rep):
        firsts = rep.groupby("id_number").agg(kind=("kind", "first"), first=("row", "min"))
        for kind, n in firsts["kind"].value_counts().items():
            by_kind[str(kind)] = int(n)
        # 重号 first: two people under one number is the graver error for the bureau to put right
        order = firsts.assign(rank=(firsts["kind"] != "shared_number").astype(int)).sort_values(["rank", "first"])
        for number in order.index[:LISTED_REPEATS]:
            rows = rep[rep["id_number"] == number].sort_values("row")
            listed.append(
                RepeatedNumber(
                    kind=str(firsts.at[number, "kind"]),
                    id_masked=mask_id(number),
                    rows=[int(r) for r in rows["row"]],
                    hukou_ids=[str(h) for h in rows["hukou_id"]],
                    names_masked=[mask_name(n) for n in rows["name"]],
                    persons=int(rows["person_id"].nunique()) if "person_id" in rows else int(rows["person"].nunique()),
                )
            )
    numbers = int(rep["id_number"].nunique()) if len(rep) else 0
    return RegistryRepeats(
        numbers=numbers,
        rows=len(rep),
        share=round(numbers / valid, 6) if valid else 0.0,
        by_kind=by_kind,
        listed=listed,
        not_listed=max(numbers - len(listed), 0),
    )


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
        for note in s.get("notes", []):
            lines.append(f"    · {note}")
    unreadable = summary.get("unreadable_sources", {})
    for name in summary["absent_sources"]:
        if name in unreadable:
            lines.append(
                f"  {pad(source_zh(name), 24)} {pad(name, 20)} 文件无法使用（相关规则未运行）：{unreadable[name]}"
            )
        else:
            lines.append(f"  {pad(source_zh(name), 24)} {pad(name, 20)} 未提供（相关检查未运行 not run）")
    c = summary["checks"]
    lines += ["", f"数据检查 checks: 通过 {c['passed']}，未通过 {c['failed']}，未运行 {c['not_run']}"]
    lines += ["", "身份匹配 links by source:"]
    for pair, link in summary["linkage"].items():
        lines.append(f"  {pad(pair, 40)} 链接 {int(link.get('links', 0)):>7}  模糊 {link.get('fuzzy_share', 0.0):.1%}")
    lines += _repeat_lines(summary.get("registry_repeats"))
    lines += ["", "发现 findings by code:"]
    for code, n in summary["findings"].items():
        if code in summary["rules_not_run"]:  # not run at all, or not for some programs: say which
            lines.append(
                f"  {pad(code, 26)} {pad(finding_zh(code), 28)} {n:>6}  未运行：{summary['rules_not_run'][code]}"
            )
        else:
            lines.append(f"  {pad(code, 26)} {pad(finding_zh(code), 28)} {n:>6}")
    list_note = favour_list_note(summary)
    if list_note:
        lines.append(f"  人情保风险名单 favour-risk list：{list_note}")
    if "cases" in summary:
        k = summary["cases"]
        lines += [
            "",
            f"案件 cases: 新增 {k.get('new', 0)}，延续 {k.get('carried_over', 0)}，"
            f"数据已消除 {k.get('resolved_by_data', 0)}，待处理合计 {k.get('total_open', 0)}",
        ]
    return "\n".join(lines)


def _repeat_lines(repeats: RegistryRepeats | None) -> list[str]:
    """Numbers the registry lists twice: a data-quality item for the public-security bureau."""
    if not repeats or not repeats["numbers"]:
        return []
    kinds = "，".join(f"{repeat_kind_zh(k)} {n}" for k, n in repeats["by_kind"].items())
    lines = [
        "",
        f"户籍重复身份证号 registry repeats（请公安户籍部门核实 for the public-security bureau）："
        f"{repeats['numbers']} 个号码（{kinds}），涉及 {repeats['rows']} 行，占 {repeats['share']:.2%}",
    ]
    for r in repeats["listed"][:TERMINAL_REPEATS]:
        lines.append(
            f"  {pad(repeat_kind_zh(r['kind']), 6)} {r['id_masked']}  户号 {'、'.join(r['hukou_ids'])}  "
            f"行 {'、'.join(map(str, r['rows']))}  姓名 {'、'.join(r['names_masked'])}  识别为 {r['persons']} 人"
        )
    more = repeats["numbers"] - min(len(repeats["listed"]), TERMINAL_REPEATS)
    if more > 0:
        lines.append(f"  另有 {more} 个号码未在此列出（月报列出前 {LISTED_REPEATS} 个 / more in the monthly report）")
    return lines
