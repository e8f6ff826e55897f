"""FAVOUR_RISK ranking quality over three months of inspector decisions (人情保), one run.

Counties come from the project generator with villages as they are (`sample.Villages`):
ordinary 分户 in every county, single-clan villages in some (`--clans`), favour-based
households enrolled through the cycle. Each county runs months 1–3 through the real
pipeline and case store (benchmarks/favour_loop.py: write_run, workflow.assign/decide,
outcomes.load_outcomes), learning pipeline vs the unsupervised baseline.

Figures (households still to be worked: no rule case this month, not decided before):
  k               planted favour households still undecided on the roll
  recall@k        planted among the k highest scores / k (this is also precision@k)
  list            length of the FAVOUR_RISK list (capped, ended at a clear drop, else its sharpest past the floor)
  recall@list     planted on the list / k
  precision@list  planted on the list / list length   (capped-list precision)

County size: the generator plants a favour cluster (3–5 households) in one village of twelve,
at least three clusters, a third of them enrolled in each month; villages grow in number only
past ~30,000 households (below that a county has ~30 villages whatever its size), so a
10,000–15,000-household county still has three clusters, one per month, and 3–7 planted
households to find in month 1. At 100,000 households (~200 villages, 16 clusters) month 1 has
~24–28 planted households still to be worked, enough for a per-county figure to move by ~0.04
per household instead of 0.14–0.33.

Usage: .venv/bin/python benchmarks/favour_recall.py [--households 100000]
       [--seeds 11 12 13 14 15] [--clans 0 0 0.8 0.8 0.8] [--no-split-dates] [--policy FILE]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from any folder

from benchmarks.favour_loop import CountySpec, simulate
from hecha.policy import load_policy


def pooled(table: pd.DataFrame) -> pd.DataFrame:
    """Sums of hits over counties, then the ratios: every planted household weighs the same."""
    g = table.groupby(["month", "model"], sort=True)
    out = g[["k", "hits@k", "list", "hits@list"]].sum()
    out["recall@k"] = out["hits@k"] / out["k"]
    out["recall@list"] = out["hits@list"] / out["k"]
    out["precision@list"] = out["hits@list"] / out["list"]
    out["supervised_counties"] = g["kind"].apply(lambda s: int((s == "supervised").sum()))
    return out.reset_index()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--households", type=int, default=100_000)
    ap.add_argument("--seeds", type=int, nargs="+", default=[11, 12, 13, 14, 15])
    ap.add_argument("--clans", type=float, nargs="+", default=[0.0, 0.0, 0.8, 0.8, 0.8])
    ap.add_argument("--splits", type=float, default=0.15)
    ap.add_argument("--no-split-dates", action="store_true", help="drop the registry's 立户日期 before scoring")
    ap.add_argument("--policy", help="a county's policy YAML over the defaults (as `hecha run --policy`)")
    args = ap.parse_args()
    if len(args.clans) not in (1, len(args.seeds)):
        raise SystemExit("--clans takes one value, or one per seed")
    clans = args.clans * len(args.seeds) if len(args.clans) == 1 else args.clans
    policy = load_policy(args.policy)  # once: every county is scored under the same settings
    began = time.perf_counter()
    rows, fires = [], {}
    for seed, share in zip(args.seeds, clans, strict=True):
        spec = CountySpec(seed, args.households, clans=share, splits=args.splits, no_split_dates=args.no_split_dates)
        try:
            got, fire = simulate(spec, policy)
        except Exception as exc:  # one failed county must not hide the others' figures
            print(f"seed {seed}: failed, left out of the table: {type(exc).__name__}: {exc}", flush=True)
            continue
        rows += got
        fires[(seed, share)] = fire
        print(pd.DataFrame(got).to_string(index=False, float_format=lambda v: f"{v:.3f}"), flush=True)
    table = pd.DataFrame(rows)
    cols = ["seed", "clans", "month", "model", "kind", "labels(conf/clr/rn)", "k", "recall@k", "list"]
    cols += ["recall@list", "precision@list", "reviewed", "fairness_ratio", "fairness_ci95", "seconds"]
    dates = "dropped" if args.no_split_dates else "kept"
    print(f"\nFAVOUR_RISK over three months ({args.households} households a county, 分户 dates {dates}), measured:")
    print(table[cols].to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print("\nPooled over counties (hits summed), by month and model:")
    print(pooled(table).to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    for label, part in (("single-clan", table[table["clans"] > 0]), ("mixed", table[table["clans"] == 0])):
        if not part.empty:
            print(f"\nPooled, {label} counties:")
            print(pooled(part).to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print("\nMonth 1, never-planted roll households: share where each feature is > 0 / is a reason (z ≥ 1.5),")
    print("mean over counties:")
    parts = {}
    for label, keep in (("mixed", lambda c: c == 0), ("single-clan", lambda c: c > 0)):
        got = [f for (_, c), f in fires.items() if keep(c)]
        if got:
            mean = sum(got) / len(got)
            parts[(label, "> 0")], parts[(label, "reason")] = mean["> 0"], mean["reason"]
    print(pd.DataFrame(parts).to_string(float_format=lambda v: f"{v:.3f}"))
    print(f"\ntotal {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
