"""Running the quality gates with Great Expectations 1.x and the quarantine gate.

GX sees a *check frame*, not the source frame: names, free text and identity numbers are
replaced by per-run salted hashes, so neither the results JSON nor Data Docs can carry
personal data, while uniqueness checks still compare like with like.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from checks.datadocs import CHECKS_PAGE, publish_site, write_checks_page
from checks.plan import Spec, plan
from checks.report import CheckReport, CheckResult, Status
from hecha.contract import SOURCES, Source
from hecha.dataset import Dataset
from hecha.policy import ChecksPolicy

log = logging.getLogger(__name__)

RESULTS_FILE = "checks.json"
PERSONAL_KINDS = ("name", "text", "id")
_UNIQUE_CHECKS = ("ExpectColumnValuesToBeUnique", "ExpectCompoundColumnsToBeUnique")


def run_checks(dataset: Dataset, policy: ChecksPolicy, out_dir: Path) -> CheckReport:
    """Validate every present source, apply the quarantine gate, write checks.json and Data Docs."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    plans = {name: plan(source, policy, dataset.period) for name, source in SOURCES.items()}
    present = [name for name in SOURCES if dataset.has(name)]
    salt = secrets.token_hex(8)  # 16 characters: the key of the check frame's hashes
    frames = {name: check_frame(SOURCES[name], dataset.frames[name], plans[name], salt) for name in present}
    gx_results, docs = _run_gx(frames, plans, out_dir)

    results: list[CheckResult] = []
    for name, specs in plans.items():
        for spec in specs:
            if name in present:
                results.append(gx_results[(name, spec.key)])
            else:
                results.append(_result(spec, "not_run", {"reason": "数据源未提供 / source absent"}))
        if SOURCES[name].required:
            results.append(quarantine_gate(dataset, name, policy))

    report = CheckReport(dataset.county, dataset.period, results, policy.max_failed_expectations, data_docs=docs)
    report.write_json(out_dir / RESULTS_FILE)
    write_checks_page(report, out_dir / CHECKS_PAGE, docs)  # the Chinese page beside GX's Data Docs
    log.info("checks %s %s: %s", dataset.county, dataset.period, report.counts)
    return report


def check_frame(source: Source, frame: pd.DataFrame, specs: list[Spec], salt: str) -> pd.DataFrame:
    """Only the columns the source's expectations use, without personal data.

    Identity numbers, names and free text compared for uniqueness become salted hashes; any
    other personal column only needs to exist, so it keeps its missingness and nothing else.
    For the roll a missing identity number counts against validity; elsewhere (cremation
    records) only numbers given are judged.
    """
    used: set[str] = set()
    keyed: set[str] = set()
    for spec in specs:
        listed = spec.kwargs.get("column_list")
        columns = [str(c) for c in listed] if isinstance(listed, list) else [str(spec.kwargs.get("column", ""))]
        used.update(columns)
        if spec.gx in _UNIQUE_CHECKS:
            keyed.update(columns)
    out: dict[str, pd.Series] = {}
    for column in source.columns:
        status = f"{column.name}_status"
        if status in used:
            values = frame[status]
            out[status] = _compact(values if source.name == "roll" else values.mask(values == "missing"))
        if column.name not in used:
            continue
        values = frame[column.name]
        if column.kind in PERSONAL_KINDS and column.name in keyed:
            out[column.name] = _hashes(values, salt)
        elif column.kind in PERSONAL_KINDS:
            out[column.name] = _compact(values.where(values.isna(), "•"))
        else:
            out[column.name] = _compact(values)
    return pd.DataFrame(out, index=frame.index)  # one block per dtype: GX copies the frame per metric


def _compact(values: pd.Series) -> pd.Series:
    """Codes, statuses and masks as categoricals: GX copies and null-checks them per metric, and
    a million small integers are cheaper to copy than a million object pointers. The values GX
    reports (counts, unexpected values) are the same; keyed hashes stay text."""
    return values.astype("category") if values.dtype == object else values


def _hashes(values: pd.Series, salt: str) -> pd.Series:
    """Keyed (SipHash-2-4, the run's salt as key) hashes as 16 hex characters; missing stays missing.

    One C loop over a million identity numbers instead of a SHA-256 call per number.
    """
    digests = pd.util.hash_array(values.to_numpy(dtype=object), hash_key=salt[:16], categorize=False)
    hexes = np.frombuffer(digests.astype(">u8").tobytes().hex().encode("ascii"), dtype="S16")
    out = hexes.astype("U16").astype(object)
    out[values.isna().to_numpy()] = None
    return pd.Series(out, index=values.index, dtype="object")


def quarantine_gate(dataset: Dataset, source: str, policy: ChecksPolicy) -> CheckResult:
    """Blocking: too large a share of a required source set aside means its rows cannot be trusted."""
    read = dataset.rows_read.get(source, 0)
    quarantined = dataset.quarantined_counts().get(source, 0)
    share = quarantined / read if read else 0.0
    limit = policy.max_quarantined_share
    return CheckResult(
        source,
        "quarantined_share",
        f"隔离行占比不超过 {limit:.0%} / quarantined share of rows at most {limit:.0%}",
        "passed" if share <= limit else "failed",
        True,
        {"quarantined": quarantined, "rows_read": read, "share": round(share, 4)},
    )


def _result(spec: Spec, status: Status, observed: object) -> CheckResult:
    return CheckResult(spec.source, spec.key, spec.description, status, spec.blocking, observed, spec.finding)


def _run_gx(
    frames: dict[str, pd.DataFrame], plans: dict[str, list[Spec]], out_dir: Path
) -> tuple[dict[tuple[str, str], CheckResult], Path | None]:
    """One suite per present source in an ephemeral context; Data Docs published into out_dir."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx  # ≈3 s to import: only when checks actually run
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    data_source = context.data_sources.add_pandas("hecha")
    results: dict[tuple[str, str], CheckResult] = {}
    for name, frame in frames.items():
        specs = {spec.key: spec for spec in plans[name]}
        batch = data_source.add_dataframe_asset(name=name).add_batch_definition_whole_dataframe(name)
        expectations = [
            getattr(gx.expectations, spec.gx)(
                **spec.kwargs, meta={"key": spec.key, "blocking": spec.blocking, "description": spec.description}
            )
            for spec in specs.values()
        ]
        suite = context.suites.add(gx.ExpectationSuite(name=name, expectations=expectations))  # stored once
        definition = context.validation_definitions.add(gx.ValidationDefinition(name=name, data=batch, suite=suite))
        validation = definition.run(batch_parameters={"dataframe": frame}, result_format="SUMMARY")
        reported = {}
        for item in validation.results:
            config = item.expectation_config
            key = config.meta.get("key") if config is not None and config.meta else None
            if key in specs:
                reported[key] = _from_gx(specs[key], item.success, item.result, item.exception_info)
        for key, spec in specs.items():  # an expectation GX did not report is a failure, never a pass
            results[(name, key)] = reported.get(key) or _result(spec, "failed", {"error": "no result from GX"})
    urls = context.build_data_docs() if frames else {}
    docs = publish_site(urls.get("local_site"), out_dir / "data_docs")
    return results, docs


def _from_gx(spec: Spec, success: bool | None, result: dict[str, Any], exception: dict[str, Any] | None) -> CheckResult:
    if exception and exception.get("raised_exception"):
        message = str(exception.get("exception_message") or "").splitlines()[:1]
        return _result(spec, "failed", {"error": message[0] if message else "GX raised an exception"})
    return _result(spec, "passed" if success else "failed", observed(spec, result))


def observed(spec: Spec, result: dict[str, Any]) -> dict[str, object]:
    """The numbers a reader needs from a GX result, JSON-able; example values only where not personal."""
    keys = ("element_count", "missing_count", "unexpected_count", "unexpected_percent", "observed_value")
    out: dict[str, object] = {k: result[k] for k in keys if result.get(k) is not None}
    if spec.key.startswith("id_valid_share") and result.get("unexpected_percent") is not None:
        out["valid_share"] = round(1 - float(result["unexpected_percent"]) / 100, 4)
    examples = result.get("partial_unexpected_list")
    if examples and spec.gx not in _UNIQUE_CHECKS:
        out["examples"] = examples[:5]
    return json.loads(json.dumps(out, ensure_ascii=False, default=str))
