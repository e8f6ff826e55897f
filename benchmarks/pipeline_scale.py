"""The whole monthly pipeline on a county from the project's own generator: time and peak memory per stage.

Run on demand:  .venv/bin/python benchmarks/pipeline_scale.py --households 330000   (≈ 1M people)

Stages are the plain functions the Prefect flow calls (no server, no case store
write), so the figures are the work itself. Peak memory is the process's maximum
resident set size after each stage (monotonic).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from checks.expectations import run_checks
from checks.ingest import load_dataset
from hecha.policy import load_policy
from matching.resolve import resolve_timed
from models.favour import ModelStore, score_households
from models.rules import run_rules
from sample import generate_county


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--households", type=int, default=330_000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rows: list[tuple[str, float, float, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        start = time.perf_counter()
        folder = generate_county(root, "429006", "2026-10", households=args.households, seed=args.seed)
        rows.append(("generate (not a run stage)", time.perf_counter() - start, peak_mb(), ""))

        clock = time.perf_counter()
        dataset = load_dataset(folder, "429006", "2026-10")
        people = len(dataset.frames["household_registry"])
        rows.append(("load", time.perf_counter() - clock, peak_mb(), f"{people:,} registry rows"))

        policy = load_policy()
        clock = time.perf_counter()
        report = run_checks(dataset, policy.checks, root / "checks")
        rows.append(("checks", time.perf_counter() - clock, peak_mb(), f"ok={report.ok}"))

        clock = time.perf_counter()
        index, stages = resolve_timed(dataset, policy.linkage)
        detail = ", ".join(f"{k} {v:.1f}s" for k, v in stages.items())
        rows.append(("linkage", time.perf_counter() - clock, peak_mb(), detail))

        clock = time.perf_counter()
        rules = run_rules(dataset, index, policy)
        rows.append(("rules", time.perf_counter() - clock, peak_mb(), f"{len(rules.findings):,} findings"))

        clock = time.perf_counter()
        favour = score_households(dataset, index, rules.findings, policy, None, ModelStore(root / "models"))
        rows.append(("favour", time.perf_counter() - clock, peak_mb(), f"{len(favour.findings):,} flagged"))

    print(f"\nPipeline on the generator's county: {args.households:,} households, seed {args.seed}\n")
    print("| stage | seconds | peak RSS MB | detail |\n|---|---|---|---|")
    for name, seconds, mb, detail in rows:
        print(f"| {name} | {seconds:.1f} | {mb:,.0f} | {detail} |")
    run_total = sum(s for n, s, _, _ in rows if not n.startswith("generate"))
    print(f"| **run total (load → favour)** | **{run_total:.1f}** | {rows[-1][2]:,.0f} | |")


if __name__ == "__main__":
    main()
