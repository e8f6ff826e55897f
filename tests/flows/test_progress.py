"""Progress inside the long stages: the second bar row follows the steps a stage reports."""

from __future__ import annotations

from pathlib import Path

from checks.ingest import load_dataset
from flows import progress
from hecha.contract import SOURCES
from hecha.policy import load_policy
from matching.resolve import resolve
from models.rules import RULES, run_rules
from sample import generate_county


def test_load_linkage_and_rules_report_their_steps(tmp_path: Path) -> None:
    """Every source read, every linkage step and every rule moves the step row; outside a bar nothing happens."""
    folder = generate_county(tmp_path, "429006", "2026-10", households=400, seed=3)
    seen: list[tuple[str, int, int]] = []
    with progress.stage_bar("test") as bar:
        steps = bar.tasks[1]

        def record(label: str, done: int, total: int) -> None:
            progress.step(label, done, total)
            seen.append((steps.description, int(steps.completed), int(steps.total or 0)))

        dataset = load_dataset(folder, "429006", "2026-10", record)
        policy = load_policy()
        index = resolve(dataset, policy.linkage, record)
        run_rules(dataset, index, policy, record)
    loads = [s for s in seen if "读取" in s[0]]
    links = [s for s in seen if "身份识别" in s[0]]
    rules = [s for s in seen if "规则" in s[0]]
    assert len(loads) == len(SOURCES) and loads[-1][1:] == (len(SOURCES) - 1, len(SOURCES))
    assert [s[1] for s in links] == list(range(len(links))) and links[-1][0].endswith("完成")
    assert len(rules) == len(RULES) and "死亡人员仍在领取" in rules[0][0]
    progress.step("outside a bar", 1, 2)  # no bar open: a no-op, no error
