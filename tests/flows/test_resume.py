"""Resume: a re-run after a failure skips the stages that finished; a changed input does not."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sample import generate_county

COUNTY, PERIOD = "429006", "2026-10"


def _counting(calls: Counter[str], name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls[name] += 1
        return fn(*args, **kwargs)

    return wrapper


def test_rerun_after_a_failure_after_linkage_skips_linkage(
    prefect_harness: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """It fails a run in rules, re-runs it, and linkage is not executed again (load, uncached, is); new input bytes are."""
    import flows.monthly as monthly
    from flows.cli import main

    root = tmp_path / "incoming"
    generate_county(root, COUNTY, PERIOD, households=400, seed=5)
    db_url = f"sqlite:///{tmp_path / 'h.db'}"
    calls: Counter[str] = Counter()
    monkeypatch.setattr(monthly, "load_dataset", _counting(calls, "load", monthly.load_dataset))
    monkeypatch.setattr(monthly, "resolve", _counting(calls, "linkage", monthly.resolve))
    real_rules = monthly.run_rules

    def killed(*args: Any, **kwargs: Any) -> Any:
        calls["rules"] += 1
        raise RuntimeError("stopped after linkage")

    monkeypatch.setattr(monthly, "run_rules", killed)
    monkeypatch.setenv("HECHA_HOME", str(tmp_path / "home"))
    capsys.readouterr()
    assert main(["run", "--input", str(root), "--county", COUNTY, "--period", PERIOD, "--db", db_url]) == 1
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last == "错误 error: 运行失败 / failed: RuntimeError: stopped after linkage"  # one line, no traceback
    assert calls == Counter(load=1, linkage=1, rules=1)
    out = str(tmp_path / "home" / "runs")
    results = tmp_path / "home" / "runs" / COUNTY / PERIOD / "stage-results"
    stored = {path.name.split("-")[0] for path in results.iterdir()}
    assert "linkage" in stored and "load" not in stored, (
        "linkage's result is persisted under the run folder, not load's"
    )

    monkeypatch.setattr(monthly, "run_rules", _counting(calls, "rules", real_rules))
    summary = monthly.monthly_reconciliation(str(root), COUNTY, PERIOD, db_url, None, out)
    assert calls == Counter(load=2, linkage=1, rules=2), "the re-run read the files again and resumed at rules"
    assert sum(summary["findings"].values()) > 0
    assert summary["sources"]["roll"]["rows_loaded"] > 0

    standards = next((root / COUNTY / PERIOD).glob("standards.*"))
    standards.write_bytes(standards.read_bytes() + b"\n")  # one more byte: a new input, a new key
    monthly.monthly_reconciliation(str(root), COUNTY, PERIOD, db_url, None, out)
    assert calls == Counter(load=3, linkage=2, rules=3)


def test_retries_only_on_io_errors() -> None:
    """It retries a lost connection or a network-share error, never a data error or a wrong folder."""
    from prefect.states import Failed
    from sqlalchemy.exc import OperationalError

    from flows.retrying import retry_on_io
    from hecha.exceptions import DataQualityError, MissingSourceError

    def judged(exc: BaseException) -> bool:
        return retry_on_io(None, None, Failed(data=exc))

    assert judged(OSError(5, "Input/output error"))
    assert judged(OperationalError("select 1", {}, Exception("server closed the connection")))
    assert judged(TimeoutError())
    assert not judged(MissingSourceError("roll", "救助发放名册", "/data"))
    assert not judged(DataQualityError("too many rows quarantined"))
    assert not judged(FileNotFoundError("/data/429006"))
    assert not judged(ValueError("bad amount"))
