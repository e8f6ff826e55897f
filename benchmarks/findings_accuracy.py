"""Rule findings against the generator's truth: recall and precision per code, decoys flagged.

    python benchmarks/findings_accuracy.py [--households 3000] [--seed 7] [--period 2026-10]

Generates a county with the default noise, loads it, resolves identities, runs
the rules and compares with `_truth/findings.csv` (what must be found) and
`_truth/decoys.csv` (what must not). A person-level finding is matched by the
true identity behind its subject record (`_truth/records.csv`), so a roll row
with a wrong digit still counts when linkage corrected it; household-level
findings are matched by household id. Targets: recall >= 0.95, precision >= 0.90.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd

from checks.ingest import load_dataset
from hecha.findings import HOUSEHOLD_LEVEL, RULE_CODES
from hecha.policy import load_policy
from matching.resolve import resolve
from models.rules import run_rules
from sample.generate import generate_county


def _subject_truth(findings: pd.DataFrame, records: pd.DataFrame) -> pd.Series:
    """The true identity behind each finding's subject (its first evidence record), else its id_number."""
    key = records.set_index(["source", "row"])["person_key"].astype(str)

    def one(f: pd.Series) -> str:
        if f["finding"] in HOUSEHOLD_LEVEL:
            return str(f["household_id"])
        first = f["evidence"]["records"][0]
        return str(key.get((first["source"], first["row"]), f["id_number"]))

    return findings.apply(one, axis=1) if len(findings) else pd.Series(dtype=str)


def _truth_key(truth: pd.DataFrame) -> pd.Series:
    hh = truth["finding"].isin(HOUSEHOLD_LEVEL)
    return truth["household_id"].astype(str).where(hh, truth["id_number"].astype(str))


def score(findings: pd.DataFrame, truth: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
    got = set(zip(findings["finding"], _subject_truth(findings, records), strict=True))
    want = set(zip(truth["finding"], _truth_key(truth), strict=True))
    rows = []
    for code in RULE_CODES:
        g = {k for c, k in got if c == code}
        w = {k for c, k in want if c == code}
        tp = len(g & w)
        rows.append(
            {
                "finding": code,
                "truth": len(w),
                "found": len(g),
                "tp": tp,
                "recall": tp / len(w) if w else float("nan"),
                "precision": tp / len(g) if g else float("nan"),
            }
        )
    return pd.DataFrame(rows)


def decoys_flagged(findings: pd.DataFrame, decoys: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
    got = set(zip(findings["finding"], _subject_truth(findings, records), strict=True))
    out = []
    for (kind, must_not), grp in decoys.groupby(["kind", "must_not"]):
        keys = grp["household_id"].astype(str) if must_not in HOUSEHOLD_LEVEL else grp["id_number"].astype(str)
        flagged = sum((must_not, k) in got for k in keys)
        out.append({"kind": kind, "must_not": must_not, "decoys": len(grp), "flagged": flagged})
    return pd.DataFrame(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--county", default="429006")
    ap.add_argument("--period", default="2026-10")
    ap.add_argument("--households", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--root", type=Path, default=None, help="keep the generated county here")
    args = ap.parse_args()
    root = args.root or Path(tempfile.mkdtemp(prefix="hecha-findings-"))
    t = time.perf_counter()
    generate_county(root, args.county, args.period, args.households, args.seed)
    folder = root / args.county / args.period
    timings = {"generate": time.perf_counter() - t}
    policy = load_policy()
    t = time.perf_counter()
    dataset = load_dataset(folder, args.county, args.period)
    timings["load"] = time.perf_counter() - t
    t = time.perf_counter()
    index = resolve(dataset, policy.linkage)
    timings["resolve"] = time.perf_counter() - t
    t = time.perf_counter()
    result = run_rules(dataset, index, policy)
    timings["rules"] = time.perf_counter() - t
    truth = pd.read_csv(folder / "_truth" / "findings.csv", dtype=str).fillna("")
    truth = truth[truth["finding"].isin(RULE_CODES)]
    decoys = pd.read_csv(folder / "_truth" / "decoys.csv", dtype=str).fillna("")
    records = pd.read_csv(folder / "_truth" / "records.csv", dtype={"row": int, "person_key": str})
    table = score(result.findings, truth, records)
    pd.set_option("display.width", 160)
    print(f"county {args.county} {args.period}, {args.households} households, seed {args.seed}: {folder}")
    print("timings (s):", {k: round(v, 1) for k, v in timings.items()})
    print(table.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    short = table[(table["recall"] < 0.95) | (table["precision"] < 0.90)]
    print("below target:", ", ".join(short["finding"]) if len(short) else "none")
    print(decoys_flagged(result.findings, decoys, records).to_string(index=False))
    print("not run:", result.not_run or "none")


if __name__ == "__main__":
    main()
