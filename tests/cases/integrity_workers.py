"""Whole runs as separate processes (spawned by the run-integrity tests): real concurrency, real kill -9."""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

from casedata import finding, frame

from cases import store
from cases.db import make_engine, upgrade

MONTHS = {
    "2026-10": ("A", "B", "C", "D"),
    "2026-11": ("A", "C", "E"),
}


def month_findings(period: str, county: str = "429006") -> object:
    return frame(*(finding("DECEASED_PAID", s, score=0.5 + i / 10) for i, s in enumerate(MONTHS[period])))


def first_run(url: str, county: str, period: str, barrier: Any) -> str:
    """Migrate and store one month, starting at the same moment as the other workers."""
    barrier.wait(timeout=120)
    engine = make_engine(url)
    upgrade(engine)
    run_id = f"{county}-{period}-{os.getpid()}"
    store.abandon_dead_runs(engine, county)
    store.start_run(engine, run_id, county, period, {})
    store.write_run(engine, run_id, county, period, month_findings(period), {"county": county}, None)
    store.succeed_run(engine, run_id)
    engine.dispose()
    return run_id


def killed_run(url: str, run_id: str, period: str, at: str) -> None:
    """A run that dies (SIGKILL, no clean-up) after storing its cases, during its outputs."""
    engine = make_engine(url)
    upgrade(engine)
    store.start_run(engine, run_id, "429006", period, {}, output_dir=f"/tmp/{run_id}")
    store.write_run(engine, run_id, "429006", period, month_findings(period), {"county": "429006"}, None)
    store.set_stage(engine, run_id, "outputs")
    if at == "report":
        from flows import lifecycle

        lifecycle.report_ready(engine, run_id)
    os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    killed_run(*sys.argv[1:5])
