"""Progress in the terminal: a rich bar over the stages of a run (or the months of a backfill),
and a second one over the steps inside the long stages (sources read, linkage steps, rules).

The flow's tasks call `stage_started` / `stage_finished` as Prefect state hooks and hand
`step` to the stages; all do nothing unless the CLI opened a bar with `stage_bar`, so a
worker or a test stays quiet.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

STAGES = 7  # load, checks, linkage, rules, favour, cases, outputs

_bar: tuple[Progress, TaskID] | None = None
_steps: TaskID | None = None
_HOOKS = ("stage_started", "stage_finished")


class _QuietHooks(logging.Filter):
    """Prefect logs every hook it runs; these two are bookkeeping, not news for the run's log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not any(hook in record.getMessage() for hook in _HOOKS)


logging.getLogger("prefect.task_runs").addFilter(_QuietHooks())


def new_progress() -> Progress:
    """Counts, a bar, elapsed time and ETA; written to stderr so stdout stays the summary."""
    from rich.console import Console

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("剩余 ETA"),
        TimeRemainingColumn(),
        console=Console(file=sys.stderr),
        transient=False,
    )


@contextmanager
def stage_bar(title: str, total: int = STAGES) -> Iterator[Progress]:
    """Show a bar that the stage hooks advance while the block runs."""
    global _bar, _steps
    progress = new_progress()
    with progress:
        _bar = (progress, progress.add_task(title, total=total))
        _steps = progress.add_task("", total=None, visible=False)
        try:
            yield progress
        finally:
            _bar, _steps = None, None


def _stage_label(task: Any) -> str:
    return str(getattr(task, "name", "") or "")


def stage_started(task: Any, task_run: Any, state: Any) -> None:
    if _bar is not None:
        progress, bar = _bar
        progress.update(bar, description=f"{_stage_label(task)} …")


def stage_finished(task: Any, task_run: Any, state: Any) -> None:
    if _bar is not None:
        progress, bar = _bar
        progress.update(bar, advance=1, description=_stage_label(task))


def step(label: str, done: int, total: int) -> None:
    """Inside a stage: `label` is what runs now, `done` of `total` steps are finished."""
    if _bar is not None and _steps is not None:
        progress, _ = _bar
        progress.update(_steps, description=f"  └ {label}", completed=done, total=total, visible=True)
