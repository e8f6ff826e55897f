"""Identity resolution at county scale: time and peak memory per stage, and Splink on the same data.

Run on demand (takes minutes):  .venv/bin/python benchmarks/linkage_scale.py [--people 1000000]

The county comes from benchmarks/linkage_synth.py (the project generator is
built for realism, not for 1M people in seconds). Peak memory is the process's
maximum resident set size (resource.getrusage) after each stage — monotonic, so
a stage's figure includes everything before it. Splink 5 + DuckDB links the
largest pair (roll~household_registry) and household_registry~deaths on the same
person frames, with the training sequence of benchmarks/linkage_splink.py.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import linkage_splink
import linkage_synth

from hecha.policy import LinkagePolicy
from matching import resolve as rs


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--no-splink", action="store_true")
    args = parser.parse_args()

    t = time.perf_counter()
    frames = linkage_synth.county_frames(args.people, seed=args.seed)
    dataset = linkage_synth.to_dataset(frames)
    truth = linkage_synth.truth_of(frames)
    del frames
    setup = time.perf_counter() - t
    sizes = {s: len(f) for s, f in dataset.frames.items()}
    base = peak_mb()

    rows = []
    clock = time.perf_counter()

    def stage(name: str, detail: str = "") -> None:
        nonlocal clock
        now = time.perf_counter()
        rows.append(
            {"stage": name, "seconds": round(now - clock, 1), "peak_rss_mb": round(peak_mb()), "detail": detail}
        )
        clock = now

    policy = LinkagePolicy()
    people = rs.person_frames(dataset)
    stage("prepare (names, ids, births)", f"{sum(len(f) for f in people.values()):,} records")
    pairs = rs.block_all(people)
    stage("blocking", f"{sum(len(p) for p in pairs.values()):,} candidate pairs")
    levels = rs.compare_all(people, pairs)
    candidates = {rs.pair_key(a, b): len(p) for (a, b), p in pairs.items()}
    del pairs
    stage("compare")
    model = rs.train(people, levels)
    stage("train (u sample + EM)")
    scored = rs.score(people, levels, model, policy)
    del levels
    stage("classify")
    index = rs.build_index(people, scored, candidates, policy.ambiguity_margin)
    stage("cluster + evidence", f"{len(index.links):,} links, {index.records.person_id.nunique():,} persons")
    total = float(sum(float(str(r["seconds"])) for r in rows))

    table = pd.DataFrame(rows)
    pd.set_option("display.width", 200)
    print(f"# Linkage scale — synthetic county, {args.people:,} people; rows per source: {sizes}")
    print(f"(data generation + ingestion-equivalent normalisation: {setup:.1f} s; RSS before linkage {base:.0f} MB)")
    print(table.to_string(index=False))
    print(f"hecha resolve total: {total:.1f} s, peak RSS {peak_mb():.0f} MB")

    # accuracy on the largest pair, so speed is not bought with recall
    recs = index.records
    key = truth.set_index(["source", "row"])["person_key"]
    for left, right in (("roll", "household_registry"), ("household_registry", "deaths")):
        a = truth[truth.source == left].merge(truth[truth.source == right], on="person_key")
        true_set = set(zip(a.row_x, a.row_y, strict=True))
        got = index.pairs(left, right)
        found = set(zip(got.row_l, got.row_r, strict=True))
        tp = len(found & true_set)
        same = recs[recs.source == left][["row", "person_id"]].merge(
            recs[recs.source == right][["row", "person_id"]], on="person_id"
        )
        persons = set(zip(same.row_x, same.row_y, strict=True))
        tpp = len(persons & true_set)
        print(
            f"{left}~{right}: links {len(found):,}, P {tp / max(len(found), 1):.4f}, R {tp / max(len(true_set), 1):.4f};"
            f" same person_id: P {tpp / max(len(persons), 1):.4f}, R {tpp / max(len(true_set), 1):.4f}"
        )
    del recs, key

    if args.no_splink:
        return
    print("\n# Splink 5 + DuckDB on the same person frames")
    srows = []
    for left, right in (("roll", "household_registry"), ("household_registry", "deaths")):
        t = time.perf_counter()
        pred = linkage_splink.link(people[left], people[right], policy.default_threshold, sample=0.1)
        seconds = time.perf_counter() - t
        ours = index.stats[rs.pair_key(left, right)]
        rows_l, rows_r = people[left]["row"].to_numpy(), people[right]["row"].to_numpy()
        found = set(zip(rows_l[pred.pos_l.to_numpy()], rows_r[pred.pos_r.to_numpy()], strict=True))
        a = truth[truth.source == left].merge(truth[truth.source == right], on="person_key")
        true_set = set(zip(a.row_x, a.row_y, strict=True))
        tp = len(found & true_set)
        srows.append({"pair": f"{left}~{right}", "splink_seconds": round(seconds, 1), "splink_links": len(pred),
                      "splink_P": round(tp / max(len(found), 1), 4), "splink_R": round(tp / max(len(true_set), 1), 4),
                      "hecha_links": ours["links"], "peak_rss_mb": round(peak_mb())})  # fmt: skip
    splink = pd.DataFrame(srows)
    print(splink.to_string(index=False))
    print(f"Splink total {splink.splink_seconds.sum():.1f} s for 2 pairs vs hecha {total:.1f} s for all "
          f"{len(index.stats)} pairs: ratio hecha/splink = {total / splink.splink_seconds.sum():.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
