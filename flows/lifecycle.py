"""A monthly run's record, from start to its last output: it never claims more than happened.

The flow calls these at its seams (kept out of the flow body so the flow stays a list of
stages): `begin` migrates once, marks this county's dead runs abandoned and records the
run with its folder; `reached` notes each stage; `fail` stores a scrubbed error;
`outputs_written` checks the files exist before the run is `succeeded`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from cases import db as case_db
from cases import store
from hecha.exceptions import HechaError
from hecha.privacy import install_log_scrubber, scrub_error

log = logging.getLogger(__name__)


class OutputsMissingError(HechaError):
    """A run finished its stages but some of its output files are not there."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(f"运行结果文件缺失：{'、'.join(missing)} / run outputs missing: {', '.join(missing)}")


def begin(engine: Engine, run_id: str, county: str, period: str, policy: dict[str, Any], out_dir: Path) -> None:
    """Schema to head (once, under a lock), dead runs of the county abandoned, this run recorded."""
    install_log_scrubber()
    case_db.upgrade(engine)
    store.abandon_dead_runs(engine, county)
    store.start_run(engine, run_id, county, period, policy, output_dir=str(out_dir))


def reached(engine: Engine, run_id: str, stage: str) -> None:
    store.set_stage(engine, run_id, stage)


def report_ready(engine: Engine, run_id: str) -> None:
    """The cases are stored and exported; the run writes its report next (reading itself by run id).

    It stays `running` until `outputs_written` finds every file, so a run that dies while
    writing its report is never `succeeded` and is abandoned by the next run of its county.
    """
    store.set_stage(engine, run_id, "report")


def outputs_written(engine: Engine, run_id: str, summary: Mapping[str, Any], paths: Mapping[str, Path]) -> None:
    """Succeed only when every output file exists and is not empty."""
    missing = [str(p) for p in paths.values() if not Path(p).is_file() or Path(p).stat().st_size == 0]
    if missing:
        raise OutputsMissingError(missing)
    store.succeed_run(engine, run_id, summary)


def fail(engine: Engine, run_id: str, exc: BaseException) -> None:
    """Record the failure, scrubbed of personal numbers; a store that cannot take it is logged, not raised."""
    error = scrub_error(exc)
    try:
        store.fail_run(engine, run_id, error)
    except Exception as problem:
        log.error("could not record the failure of run %s: %s (run error: %s)", run_id, scrub_error(problem), error)


def check_store(engine: Engine) -> list[str]:
    """`hecha db check`: schema to head, every dead run marked abandoned; a line per run for the operator."""
    case_db.upgrade(engine)
    found = store.abandon_dead_runs(engine)
    lines = [
        f"已标记为放弃 abandoned: {r['county']} {r['period']}（停在 at stage {r['stage']}；"
        f"案件{'已' if r['cases_stored'] else '未'}写入 cases {'stored' if r['cases_stored'] else 'not stored'}）"
        f" 运行目录 run folder: {r['output_dir'] or '-'}"
        for r in found
    ]
    return [
        *lines,
        f"检查完成：{len(found)} 个中断的运行已标记为放弃 / check done: {len(found)} dead run(s) marked abandoned",
    ]
