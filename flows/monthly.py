"""The monthly reconciliation of one county-month, as a Prefect 3 flow.

The flow only sequences plain stage functions (each testable without Prefect);
tasks wrap them for retries, logging and the run graph. Stages work on one
county's partition with no shared global state, so `reconcile_counties` can fan
a whole city or province out over Prefect's task runner.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE, CachePolicy
from sqlalchemy import Engine

from cases import db as case_db
from cases import export as case_export
from cases import store
from cases.outcomes import load_outcomes
from checks.expectations import run_checks
from checks.ingest import load_dataset
from checks.report import CheckReport
from flows import lifecycle, progress, province
from flows.caching import MonthInputs, StagePickle, stage_results_dir
from flows.naming import STAGE_NAMES, tagged
from flows.retrying import IO_RETRIES, IO_RETRY_DELAYS, retry_on_io
from flows.run_artifact import publish_run_artifact
from flows.summary import build_summary
from hecha.dataset import Dataset
from hecha.findings import FindingsResult
from hecha.index import PersonIndex
from hecha.policy import Policy, load_policy
from hecha.settings import RunSettings
from hecha.summary import CaseCounts, RunSummary
from matching.resolve import resolve
from models.favour import FavourResult, ModelStore, score_households
from models.rules import related_people, run_rules
from reports.monthly import write_monthly_report

T = TypeVar("T")


def _stage(key: str, io: bool = False, cached: bool = False) -> Callable[[Callable[..., T]], Any]:
    """A Prefect task around a plain stage.

    Retries (with delay) only for stages doing I/O, and only on I/O errors; `cached` stages
    persist their result keyed by the month's inputs, code and policy (flows/caching.py), so a
    re-run after a failure resumes; big DataFrame arguments are never hashed.
    """
    policy: CachePolicy = MonthInputs(stage=key) if cached else NO_CACHE
    return task(
        name=STAGE_NAMES[key],
        task_run_name=STAGE_NAMES[key],
        retries=IO_RETRIES if io else 0,
        retry_delay_seconds=IO_RETRY_DELAYS if io else 0.0,
        retry_condition_fn=retry_on_io if io else None,
        cache_policy=policy,
        persist_result=cached,
        result_serializer=StagePickle() if cached else None,
        on_running=[progress.stage_started],
        on_completion=[progress.stage_finished],
    )


def _resumable(out_dir: Path) -> Callable[[Any], Any]:
    """Cached stages store their results under the county-month's run folder."""
    storage = stage_results_dir(out_dir)  # a Path: Prefect stores results there as local files
    return lambda stage: stage.with_options(result_storage=storage)


@_stage("load", io=True)  # not cached: storing its result cost more than half of what it saves (flows/caching.py)
def load_stage(settings: RunSettings) -> Dataset:
    return load_dataset(settings.folder, settings.county, settings.period, progress.step)


@_stage("checks")
def checks_stage(dataset: Dataset, policy: Policy, out_dir: Path) -> CheckReport:
    report = run_checks(dataset, policy.checks, out_dir / "checks")
    dataset.quarantine.to_csv(out_dir / "quarantine.csv", index=False, encoding="utf-8-sig")
    report.raise_if_blocking()
    return report


@_stage("linkage", cached=True)
def linkage_stage(dataset: Dataset, policy: Policy) -> PersonIndex:
    return resolve(dataset, policy.linkage, progress.step)


@_stage("rules", cached=True)
def rules_stage(dataset: Dataset, index: PersonIndex, policy: Policy) -> FindingsResult:
    return run_rules(dataset, index, policy, progress.step)


@_stage("favour")
def favour_stage(
    dataset: Dataset,
    index: PersonIndex,
    rules: FindingsResult,
    policy: Policy,
    outcomes: pd.DataFrame,
    models: ModelStore,
) -> FavourResult:
    return score_households(dataset, index, rules.findings, policy, outcomes, models)


@_stage("cases", io=True)
def write_stage(
    engine: Engine,
    run_id: str,
    dataset: Dataset,
    findings: pd.DataFrame,
    people: pd.DataFrame,
    summary: RunSummary,
    out_dir: Path,
) -> CaseCounts:
    return store.write_run(
        engine, run_id, dataset.county, dataset.period, findings, summary, str(out_dir), people=people
    )


@_stage("outputs", io=True)
def outputs_stage(engine: Engine, county: str, period: str, out_dir: Path, run_id: str) -> dict[str, Path]:
    paths: dict[str, Path] = {"cases_csv": out_dir / "cases.csv"}
    paths.update(case_export.export_cases_files(engine, county, period, paths["cases_csv"]))
    lifecycle.report_ready(engine, run_id)
    for kind, path in write_monthly_report(engine, county, period, out_dir / "report", run_id=run_id).items():
        paths[f"report_{kind}"] = path
    return paths


@flow(name="hecha-monthly", flow_run_name="hecha {county} {period}", log_prints=True)
def monthly_reconciliation(
    input_root: str,
    county: str,
    period: str,
    db_url: str | None = None,
    policy_path: str | None = None,
    output_root: str | None = None,
) -> RunSummary:
    """核查 one county-month: load → check → link → rules → favour risk → cases → export and report."""
    settings = RunSettings(
        input_root=Path(input_root),
        county=county,
        period=period,
        db_url=db_url,
        policy_path=Path(policy_path) if policy_path else None,
        output_root=Path(output_root) if output_root else None,
    )
    log = get_run_logger()
    policy = load_policy(settings.policy_path)
    run_id = f"{county}-{period}-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:6]}"
    out_dir = settings.run_dir(run_id)
    out_dir.mkdir(parents=True, exist_ok=True)
    resumable = _resumable(out_dir)
    engine = case_db.make_engine(settings.db)
    lifecycle.begin(engine, run_id, county, period, policy.model_dump(mode="json"), out_dir)
    timings: dict[str, float] = {}

    def timed(name: str, fn: Callable[..., T], *args: Any) -> T:
        log.info("开始 %s …", name)
        lifecycle.reached(engine, run_id, name)
        start = time.perf_counter()
        result = fn(*args)
        timings[name] = round(time.perf_counter() - start, 2)
        log.info("完成 %s（%.1f 秒）", name, timings[name])
        return result

    try:
        dataset = timed("load", resumable(load_stage), settings)
        report = timed("checks", checks_stage, dataset, policy, out_dir)
        index = timed("linkage", resumable(linkage_stage), dataset, policy)
        rules = timed("rules", resumable(rules_stage), dataset, index, policy)
        outcomes = load_outcomes(engine, county)
        models = ModelStore(settings.model_dir)
        favour = timed("favour", favour_stage, dataset, index, rules, policy, outcomes, models)
        findings = pd.concat([rules.findings, favour.findings], ignore_index=True)
        people = related_people(dataset, index, findings)
        summary = build_summary(run_id, dataset, report, index, rules, favour, timings, out_dir)
        summary["cases"] = timed("cases", write_stage, engine, run_id, dataset, findings, people, summary, out_dir)
        store.update_run_summary(engine, run_id, summary)
        paths = timed("outputs", outputs_stage, engine, county, period, out_dir, run_id)
        summary["timings"] = timings
        summary["outputs"] = {k: str(v) for k, v in paths.items()}
        lifecycle.outputs_written(engine, run_id, summary, paths)
    except BaseException as exc:
        lifecycle.fail(engine, run_id, exc)
        raise
    publish_run_artifact(summary, findings, paths)
    return summary


@task(name="county-month 核查一个县", task_run_name="county {county} {period}", cache_policy=NO_CACHE)
def reconcile_county(
    input_root: str,
    county: str,
    period: str,
    db_url: str | None,
    policy_path: str | None,
    output_root: str | None = None,
) -> province.CountyOutcome:
    """One county as a task, so a city or province fans out over the flow's task runner.

    Timed where it runs (a Dask worker, or a thread here). Its error leaves scrubbed of personal
    data and as a plain message, which survives pickling back from a worker; the county's own
    flow run keeps the whole traceback in its log.
    """
    start = time.perf_counter()
    with tagged(county, period):
        try:
            summary = monthly_reconciliation(input_root, county, period, db_url, policy_path, output_root)
        except Exception as exc:
            raise province.county_error(exc, time.perf_counter() - start) from None
    return province.succeeded(county, period, summary, time.perf_counter() - start)


@flow(name="hecha-monthly-many", flow_run_name="hecha {period} counties", log_prints=True)
def reconcile_counties(
    input_root: str,
    counties: list[str],
    period: str,
    db_url: str | None = None,
    policy_path: str | None = None,
    output_root: str | None = None,
) -> dict[str, province.CountyOutcome]:
    """Several counties of one month in parallel: Prefect's thread pool by default, a Dask cluster
    with `reconcile_counties.with_options(task_runner=DaskTaskRunner(...))` (flows/cluster.py).

    Every county runs to its end whatever the others do; the flow fails only then, naming
    the counties that failed (`province.CountiesFailedError` carries every outcome).
    """
    futures = {c: reconcile_county.submit(input_root, c, period, db_url, policy_path, output_root) for c in counties}
    outcomes = province.collect(futures, period, get_run_logger())
    province.raise_if_failed(outcomes)
    return outcomes
