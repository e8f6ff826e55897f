"""Pairwise precision and recall of identity resolution, side by side with Splink 5.

Run on demand:  .venv/bin/python benchmarks/linkage_accuracy.py [--households 3000] [--synthetic 20000]

Data: a county from the project generator (sample.generate, truth in
_truth/records.csv) loaded by checks.ingest.load_dataset; with --synthetic N a
county of N people from benchmarks/linkage_synth.py instead. For each source
pair a true pair is two rows with the same person_key; "links" counts our
accepted pairwise links, "persons" counts pairs given the same person_id (what
the rules consume), Splink counts its predictions at the same threshold.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import linkage_splink
import linkage_synth

from hecha.dataset import Dataset
from hecha.index import PersonIndex
from hecha.policy import LinkagePolicy
from matching.resolve import person_frames, resolve

PAIRS = [
    ("roll", "deaths"),
    ("roll", "real_estate"),
    ("roll", "vehicles"),
    ("roll", "payroll"),
    ("roll", "household_registry"),
    ("roll", "roll"),
]


def load(args: argparse.Namespace) -> tuple[Dataset, pd.DataFrame, str]:
    if args.synthetic:
        frames = linkage_synth.county_frames(args.synthetic, seed=args.seed)
        return linkage_synth.to_dataset(frames), linkage_synth.truth_of(frames), f"synthetic {args.synthetic} people"
    from checks.ingest import load_dataset
    from sample.generate import generate_county

    with tempfile.TemporaryDirectory(prefix="hecha-linkage-") as root:
        folder = generate_county(Path(root), "429006", "2026-10", args.households, args.seed)
        truth = pd.read_csv(folder / "_truth" / "records.csv", dtype={"person_key": str})
        dataset = load_dataset(folder, "429006", "2026-10")
    people = len(dataset.frames["household_registry"])
    return dataset, truth, f"generator: {args.households} households, {people} registry rows"


def true_pairs(truth: pd.DataFrame, left: str, right: str) -> set[tuple[int, int]]:
    a = truth[truth.source == left].dropna(subset=["person_key"])
    b = truth[truth.source == right].dropna(subset=["person_key"])
    joined = a.merge(b, on="person_key", suffixes=("_l", "_r"))
    if left == right:
        joined = joined[joined.row_l < joined.row_r]
    return set(zip(joined.row_l.astype(int), joined.row_r.astype(int), strict=True))


def _pr(found: set[tuple[int, int]], truth: set[tuple[int, int]]) -> tuple[float, float]:
    tp = len(found & truth)
    return (tp / len(found) if found else 1.0, tp / len(truth) if truth else 1.0)


def ours(index: PersonIndex, left: str, right: str) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    """(direct links, same person_id) as (row_l, row_r) sets."""
    links = index.pairs(left, right)
    direct = {
        (min(a, b), max(a, b)) if left == right else (a, b) for a, b in zip(links.row_l, links.row_r, strict=True)
    }
    recs = index.records
    a = recs[recs.source == left][["row", "person_id"]]
    b = recs[recs.source == right][["row", "person_id"]]
    joined = a.merge(b, on="person_id", suffixes=("_l", "_r"))
    if left == right:
        joined = joined[joined.row_l < joined.row_r]
    return direct, set(zip(joined.row_l.astype(int), joined.row_r.astype(int), strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=3000)
    parser.add_argument("--synthetic", type=int, default=0, help="people in a synthetic county instead")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-splink", action="store_true")
    args = parser.parse_args()

    dataset, truth, label = load(args)
    policy = LinkagePolicy()
    began = time.perf_counter()
    index = resolve(dataset, policy)
    our_seconds = time.perf_counter() - began

    frames = person_frames(dataset)
    rows = []
    splink_seconds = 0.0
    for left, right in PAIRS:
        if left not in frames or right not in frames:
            continue
        truth_set = true_pairs(truth, left, right)
        direct, persons = ours(index, left, right)
        p, r = _pr(direct, truth_set)
        pp, pr_ = _pr(persons, truth_set)
        stats = index.stats.get(f"{left}~{right}", {})
        row = {
            "pair": f"{left}~{right}",
            "true": len(truth_set),
            "links": len(direct),
            "P": round(p, 4),
            "R": round(r, 4),
            "P_persons": round(pp, 4),
            "R_persons": round(pr_, 4),
            "fuzzy_share": stats.get("fuzzy_share", 0.0),
        }
        if not args.no_splink:
            t = time.perf_counter()
            fl, fr = frames[left], frames[right]
            pred = linkage_splink.link(fl, None if left == right else fr, policy.default_threshold)
            splink_seconds += time.perf_counter() - t
            row_l, row_r = fl["row"].to_numpy(), fr["row"].to_numpy()
            found = set(zip(row_l[pred.pos_l.to_numpy()], row_r[pred.pos_r.to_numpy()], strict=True))
            found = {(int(a), int(b)) for a, b in found}
            sp, sr = _pr(found, truth_set)
            row.update({"splink_links": len(found), "splink_P": round(sp, 4), "splink_R": round(sr, 4)})
        rows.append(row)

    table = pd.DataFrame(rows)
    pd.set_option("display.width", 200)
    print(f"# Linkage accuracy — {label}")
    print(table.to_string(index=False))
    print(f"\nhecha resolve (all {len(index.stats)} source pairs): {our_seconds:.1f} s")
    if not args.no_splink:
        print(f"Splink 5 + DuckDB (the {len(rows)} pairs above, training included): {splink_seconds:.1f} s")
        print("\nDuckDB string distances on Chinese (bytes, not characters):")
        print(linkage_splink.byte_vs_character().to_string(index=False))


if __name__ == "__main__":
    main()
