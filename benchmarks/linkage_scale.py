"""Identity resolution at county scale: time and peak memory per stage, and hecha vs Splink per source pair.

Run on demand (takes minutes):  .venv/bin/python benchmarks/linkage_scale.py [--people 1000000]
With Splink (an optional extra in a venv of its own, see benchmarks/linkage_splink.py):
    PYTHONPATH=$PWD /tmp/splink-venv/bin/python benchmarks/linkage_scale.py --people 1000000

The county comes from benchmarks/linkage_synth.py (the project generator is
built for realism, not for 1M people in seconds). Peak memory is the process's
maximum resident set size (resource.getrusage) after each stage — monotonic, so
a stage's figure includes everything before it.

Per source pair, both tools are timed the same way in the same run: from the
same person frames (prepared once, outside both timings; Splink's docs ask for
standardised input) to accepted links, training included. hecha runs its
resolve restricted to that pair (blocking, comparison, u sample and EM,
probabilities, clustering with evidence); Splink runs the training sequence and
predict of benchmarks/linkage_splink.py. The table prints both times and the
ratio Splink s / hecha s (above 1: hecha is faster).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import linkage_splink
import linkage_synth

from hecha.index import PersonIndex
from hecha.policy import LinkagePolicy
from matching import resolve as rs


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def hecha_pair(people: dict[str, pd.DataFrame], left: str, right: str, policy: LinkagePolicy) -> PersonIndex:
    """hecha's resolve on one source pair's person frames: blocking to clusters, training included."""
    frames = {s: people[s] for s in dict.fromkeys((left, right))}
    pairs = rs.block_all(frames, [(left, right)])
    levels = rs.compare_all(frames, pairs)
    candidates = {rs.pair_key(a, b): len(p) for (a, b), p in pairs.items()}
    scored = rs.score(frames, levels, rs.train(frames, levels), policy)
    return rs.build_index(frames, scored, candidates, policy.ambiguity_margin)


def true_pairs(truth: pd.DataFrame, left: str, right: str) -> set[tuple[int, int]]:
    a = truth[truth.source == left].merge(truth[truth.source == right], on="person_key")
    if left == right:
        a = a[a.row_x < a.row_y]
    return set(zip(a.row_x, a.row_y, strict=True))


def precision_recall(found: set[tuple[int, int]], true_set: set[tuple[int, int]]) -> tuple[float, float]:
    tp = len(found & true_set)
    return round(tp / max(len(found), 1), 4), round(tp / max(len(true_set), 1), 4)


def direct_links(index: PersonIndex, left: str, right: str) -> set[tuple[int, int]]:
    got = index.pairs(left, right)
    rows = zip(got.row_l, got.row_r, strict=True)
    return {(min(a, b), max(a, b)) for a, b in rows} if left == right else set(rows)


def stages(dataset: object, policy: LinkagePolicy) -> tuple[pd.DataFrame, dict[str, pd.DataFrame], PersonIndex]:
    """The whole resolve, stage by stage, with seconds and peak RSS."""
    rows = []
    clock = time.perf_counter()

    def stage(name: str, detail: str = "") -> None:
        nonlocal clock
        now = time.perf_counter()
        rows.append(
            {"stage": name, "seconds": round(now - clock, 1), "peak_rss_mb": round(peak_mb()), "detail": detail}
        )
        clock = now

    repeats = rs.registry_repeats_of(dataset)  # type: ignore[arg-type]
    people = rs.person_frames(dataset, repeats)  # type: ignore[arg-type]
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
    index = rs.build_index(people, scored, candidates, policy.ambiguity_margin, repeats)
    stage("cluster + evidence", f"{len(index.links):,} links, {index.records.person_id.nunique():,} persons")
    return pd.DataFrame(rows), people, index


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--no-splink", action="store_true")
    parser.add_argument(
        "--pairs", default="", help="source pairs for the per-pair table, e.g. roll~deaths (default all)"
    )
    args = parser.parse_args()
    if not args.no_splink and not linkage_splink.available():
        raise SystemExit(linkage_splink.INSTALL)

    t = time.perf_counter()
    frames = linkage_synth.county_frames(args.people, seed=args.seed)
    dataset = linkage_synth.to_dataset(frames)
    truth = linkage_synth.truth_of(frames)
    del frames
    setup = time.perf_counter() - t
    sizes = {s: len(f) for s, f in dataset.frames.items()}
    base = peak_mb()
    print(f"# Linkage scale — synthetic county, {args.people:,} people; rows per source: {sizes}")
    print(f"(data generation + ingestion-equivalent normalisation: {setup:.1f} s; RSS before linkage {base:.0f} MB)")
    print(f"load average before: {load()}")

    policy = LinkagePolicy()
    table, people, index = stages(dataset, policy)
    pd.set_option("display.width", 200)
    print(table.to_string(index=False))
    total = float(table["seconds"].sum())
    print(
        f"hecha resolve total: {total:.1f} s ({total / args.people * 1e6:.1f} µs per person), peak RSS {peak_mb():.0f} MB"
    )
    print(f"load average after: {load()}")

    todo = [tuple(p.split("~")) for p in args.pairs.split(",") if p] or rs._todo(people)
    print(
        f"\n# Per source pair, same person frames, same run{'' if args.no_splink else ': hecha vs Splink 5 + DuckDB'}"
    )
    rows = []
    for left, right in todo:
        true_set = true_pairs(truth, left, right)
        full_p, full_r = precision_recall(direct_links(index, left, right), true_set)
        clock = time.perf_counter()
        alone = hecha_pair(people, left, right, policy)
        hecha_s = time.perf_counter() - clock
        p, r = precision_recall(direct_links(alone, left, right), true_set)
        row: dict[str, object] = {"pair": f"{left}~{right}", "true": len(true_set), "hecha_s": round(hecha_s, 2),
                                  "hecha_links": len(alone.links), "hecha_P": p, "hecha_R": r,
                                  "all_pairs_P": full_p, "all_pairs_R": full_r}  # fmt: skip
        if not args.no_splink:
            clock = time.perf_counter()
            pred = linkage_splink.link(people[left], None if left == right else people[right], policy.default_threshold,
                                       sample=0.1)  # fmt: skip
            splink_s = time.perf_counter() - clock
            rows_l, rows_r = people[left]["row"].to_numpy(), people[right]["row"].to_numpy()
            found = set(zip(rows_l[pred.pos_l.to_numpy()], rows_r[pred.pos_r.to_numpy()], strict=True))
            sp, sr = precision_recall(found, true_set)
            row.update({"splink_s": round(splink_s, 2), "splink_links": len(found), "splink_P": sp, "splink_R": sr,
                        "ratio_splink/hecha": round(splink_s / hecha_s, 1)})  # fmt: skip
        row["peak_rss_mb"] = round(peak_mb())
        rows.append(row)
        print(pd.DataFrame([row]).to_string(index=False, header=len(rows) == 1), flush=True)
    result = pd.DataFrame(rows)
    print()
    print(result.to_string(index=False))
    print(f"hecha per pair, summed: {result.hecha_s.sum():.1f} s (the whole resolve, all pairs at once: {total:.1f} s)")
    if not args.no_splink:
        ahead = int((result["ratio_splink/hecha"] > 1).sum())
        print(f"Splink summed: {result.splink_s.sum():.1f} s; ratio Splink/hecha over the same pairs "
              f"{result.splink_s.sum() / result.hecha_s.sum():.1f}; hecha faster on {ahead} of {len(result)} pairs")  # fmt: skip
    print(f"load average at the end: {load()}")


if __name__ == "__main__":
    main()
