"""Identity resolution for one county-month: `resolve(dataset, policy) -> PersonIndex`.

Sequence: person frames per source (prepare) → candidate pairs per source pair
(blocking) → comparison levels (compare) → Fellegi–Sunter probabilities
(classify) → accepted links and clusters (cluster) → evidence for inspectors.
"""

from __future__ import annotations

import logging
import time

import numpy as np
import pandas as pd
import recordlinkage as rl

from hecha.contract import PERSON_COLUMNS
from hecha.dataset import Dataset
from hecha.index import LINK_COLUMNS, RECORD_COLUMNS, PersonIndex
from hecha.policy import LinkagePolicy
from hecha.progress import Step, no_progress
from matching.blocking import pairs_of, source_keys
from matching.classify import FellegiSunter
from matching.cluster import person_ids, select_links, union
from matching.compare import LEVELS, compare
from matching.distinct import involved
from matching.evidence import FUZZY_FREE, link_facts, sentences
from matching.prepare import USABLE, mark_shared, person_frame
from matching.repeats import REPEAT_COLUMNS, person_keys, registry_repeats

log = logging.getLogger(__name__)

REFERENCE_SOURCES = (
    "household_registry", "poverty_registry", "deaths", "disability_registry", "real_estate",
    "vehicles", "businesses", "payroll", "cadres", "cadre_kin_filings",
)  # fmt: skip
# (left, right): the roll against every reference and itself; registry people against
# what the missed-entitlement and cadre rules need.
LINK_PAIRS: tuple[tuple[str, str], ...] = (
    *(("roll", s) for s in REFERENCE_SOURCES),
    ("roll", "roll"),
    ("household_registry", "deaths"),
    ("household_registry", "poverty_registry"),
    ("household_registry", "disability_registry"),
    ("household_registry", "cadres"),
    ("household_registry", "cadre_kin_filings"),
    ("disability_registry", "deaths"),
    ("poverty_registry", "deaths"),
)
U_SAMPLE = 20_000  # random pairs per source pair for the u estimates


def pair_key(left: str, right: str) -> str:
    return f"{left}~{right}"


def person_frames(dataset: Dataset, repeats: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """Person frames of every present source, with numbers two registry people share (重号) marked."""
    frames = {s: person_frame(dataset.frames[s], s, dataset.county) for s in PERSON_COLUMNS if dataset.has(s)}
    if repeats is None:
        repeats = registry_repeats_of(dataset)
    return mark_shared(frames, person_keys(repeats))


def registry_repeats_of(dataset: Dataset) -> pd.DataFrame:
    """Identity numbers the household registry lists twice (一人多户 / 重号), see matching.repeats."""
    if not dataset.has("household_registry") or "household_registry" in dataset.absent:
        return pd.DataFrame(columns=REPEAT_COLUMNS)
    return registry_repeats(dataset.frames["household_registry"])


def _random_levels(left: pd.DataFrame, right: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Levels of random pairs; those sharing a number are dropped (true matches bias u)."""
    n = min(U_SAMPLE, len(left) * len(right))
    pairs = rl.index.Random(n, random_state=seed).index(left, right)
    lv = compare(pairs, left, right)
    return lv[~lv["id"].isin([0, 1])]


def _todo(frames: dict[str, pd.DataFrame]) -> list[tuple[str, str]]:
    return [(a, b) for a, b in LINK_PAIRS if a in frames and b in frames and len(frames[a]) and len(frames[b])]


def block_all(
    frames: dict[str, pd.DataFrame], todo: list[tuple[str, str]] | None = None
) -> dict[tuple[str, str], pd.MultiIndex]:
    """Candidate pairs of every present source pair (or of the pairs in `todo`)."""
    todo = _todo(frames) if todo is None else todo
    keys = source_keys({s: frames[s] for s in dict.fromkeys(x for pair in todo for x in pair)})
    return {(a, b): pairs_of(keys[a]) if a == b else pairs_of(keys[a], keys[b]) for a, b in todo}


def compare_all(
    frames: dict[str, pd.DataFrame], candidates: dict[tuple[str, str], pd.MultiIndex]
) -> dict[tuple[str, str], pd.DataFrame]:
    return {(a, b): compare(pairs, frames[a], frames[b]) for (a, b), pairs in candidates.items()}


def train(frames: dict[str, pd.DataFrame], levels: dict[tuple[str, str], pd.DataFrame]) -> FellegiSunter:
    """u from random pairs of every source pair, then m and λ by EM on all candidate pairs."""
    randoms = [_random_levels(frames[a], frames[b], seed=i) for i, (a, b) in enumerate(levels)]
    model = FellegiSunter().fit_u(pd.concat(randoms))
    all_levels = pd.concat(levels.values(), ignore_index=True)
    keys = np.array([pair_key(a, b) for a, b in levels], dtype=object)
    groups = pd.Series(np.repeat(keys, [len(lv) for lv in levels.values()]))  # no list of one text per pair
    sizes = {pair_key(a, b): (len(frames[a]), len(frames[b])) for a, b in levels}
    model.fit(all_levels, groups, sizes)
    log.info("linkage EM: lambda %s", {k: f"{v:.3g}" for k, v in model.lambda_.items()})
    return model


def persons(ids: np.ndarray) -> np.ndarray:
    """A person code per record for `FellegiSunter.prob`: one valid number = one person, no number = itself.

    Coded per record, not per pair: the cremation rule pairs each registry
    person with many death records, and texts per pair cost more than the scoring.
    """
    codes = pd.factorize(ids)[0].astype(np.int64)
    return np.where(ids != "", codes, len(ids) + np.arange(len(ids)))


def score(
    frames: dict[str, pd.DataFrame],
    levels: dict[tuple[str, str], pd.DataFrame],
    model: FellegiSunter,
    policy: LinkagePolicy,
) -> pd.DataFrame:
    """Every candidate pair with its levels, probability and its pair's threshold."""
    scored = []
    for (a, b), lv in levels.items():
        if lv.empty:
            continue
        pl, pr = lv.index.get_level_values(0), lv.index.get_level_values(1)
        usable_l = frames[a]["id_status"].isin(USABLE).to_numpy()[pl]
        usable_r = frames[b]["id_status"].isin(USABLE).to_numpy()[pr]
        key = pair_key(a, b)
        df = lv.reset_index(drop=True)
        df["pos_l"], df["pos_r"], df["source_l"], df["source_r"] = pl, pr, a, b
        rows, at = involved(np.asarray(pl), len(frames[a]))
        person_l = persons(frames[a]["id_person"].to_numpy()[rows])[at]
        df["probability"] = model.prob(df, key, np.asarray(pr), person_l, usable_l & usable_r)
        df["threshold"] = policy.thresholds.get(key, policy.default_threshold)
        scored.append(df)
    return pd.concat(scored, ignore_index=True) if scored else pd.DataFrame()


def _all_records(frames: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, dict[str, int]]:
    sizes = [len(f) for f in frames.values()]
    offsets = dict(zip(frames, np.cumsum([0, *sizes])[:-1].tolist(), strict=True))
    records = pd.concat(frames.values(), ignore_index=True)  # one copy, not one per source and then another
    records["source"] = np.repeat(np.array(list(frames), dtype=object), sizes)
    records["usable_id"] = records["id_person"].fillna("").astype(str)  # number, 重号 person key, or ""
    return records, offsets


def _links_table(links: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
    if links.empty:
        return pd.DataFrame(columns=LINK_COLUMNS)
    cols = ["name", "id_status", "age", "birth_lo", "birth_hi", "death_source"]
    node_l, node_r = links["node_l"].to_numpy(), links["node_r"].to_numpy()
    left = {c: records[c].to_numpy()[node_l] for c in cols}
    right = {c: records[c].to_numpy()[node_r] for c in cols}
    agreements, evidence = sentences(links, link_facts(links, left, right))
    rows = records["row"].to_numpy()
    fuzzy_free = [LEVELS["id"].index(level) for level in FUZZY_FREE]
    return pd.DataFrame(
        {
            "source_l": links["source_l"].to_numpy(),
            "row_l": rows[node_l].astype(int).tolist(),
            "source_r": links["source_r"].to_numpy(),
            "row_r": rows[node_r].astype(int).tolist(),
            "probability": links["probability"].to_numpy(dtype=float),
            "fuzzy": ~np.isin(links["id"].to_numpy(), fuzzy_free),
            "agreement": agreements,
            "evidence_zh": evidence,
        },
        columns=LINK_COLUMNS,
    )


def build_index(frames: dict[str, pd.DataFrame], scored: pd.DataFrame, candidates: dict[str, int],
                margin: float, repeats: pd.DataFrame | None = None) -> PersonIndex:  # fmt: skip
    """Accepted links → clusters → person ids, records, links with evidence, stats."""
    records, offsets = _all_records(frames)
    usable = records["usable_id"].to_numpy()
    links = scored.iloc[0:0]
    if not scored.empty:
        accepted = scored[scored["probability"] >= scored["threshold"]]  # select_links' first step, on fewer rows
        node_l = accepted["source_l"].map(offsets).to_numpy() + accepted["pos_l"].to_numpy()
        node_r = accepted["source_r"].map(offsets).to_numpy() + accepted["pos_r"].to_numpy()
        nodes = accepted.assign(node_l=node_l, node_r=node_r, idk_l=usable[node_l], idk_r=usable[node_r])
        links = select_links(nodes, margin)
    cluster, used = union(len(records), links, usable)
    links = links[used]
    records["person_id"], records["id_resolved"] = person_ids(records, cluster)
    best = pd.Series(dtype=float)
    if not links.empty:
        ends = pd.concat([links[["node_l", "probability"]].set_axis(["node", "p"], axis=1),
                          links[["node_r", "probability"]].set_axis(["node", "p"], axis=1)])  # fmt: skip
        best = ends.groupby("node")["p"].max()
    p = best.to_numpy()
    attached = np.full(len(records), np.nan, dtype=p.dtype)
    attached[best.index.to_numpy(dtype=np.int64)] = p
    records["link_probability"] = np.where(np.isnan(attached), 1.0, attached).astype(p.dtype)
    link_table = _links_table(links, records)
    return PersonIndex(
        records=records[RECORD_COLUMNS],  # concat gave it a fresh RangeIndex
        links=link_table,
        stats=_stats(link_table, candidates),
        repeats=_with_persons(repeats, records),
    )


def _with_persons(repeats: pd.DataFrame | None, records: pd.DataFrame) -> pd.DataFrame:
    """The registry's repeated numbers with the person each row was resolved to."""
    if repeats is None or repeats.empty:
        return pd.DataFrame(columns=[*REPEAT_COLUMNS, "person_id"])
    mask = (records["source"] == "household_registry").to_numpy()
    reg = pd.Series(records["person_id"].to_numpy()[mask], index=records["row"].to_numpy()[mask])
    return repeats.assign(person_id=repeats["row"].map(reg)).reset_index(drop=True)


def _stats(links: pd.DataFrame, candidates: dict[str, int]) -> dict[str, dict[str, float]]:
    stats: dict[str, dict[str, float]] = {}
    for key, n in candidates.items():
        a, b = key.split("~")
        sel = links[(links.source_l == a) & (links.source_r == b)]
        fuzzy = int(sel["fuzzy"].sum())
        share = round(fuzzy / len(sel), 4) if len(sel) else 0.0
        stats[key] = {"candidates": n, "links": len(sel), "fuzzy": fuzzy, "fuzzy_share": share}
    return stats


_STEPS = {
    "prepare": "整理",
    "blocking": "分块",
    "compare": "逐对比较",
    "train": "训练",
    "classify": "判定",
    "cluster": "归并",
}


def resolve_timed(
    dataset: Dataset, policy: LinkagePolicy, progress: Step = no_progress
) -> tuple[PersonIndex, dict[str, float]]:
    """`resolve` plus seconds per stage (for the run summary and the benchmarks)."""
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    progress(f"身份识别：{_STEPS['prepare']}", 0, len(_STEPS))

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = round(now - clock, 3)
        clock = now
        following = list(_STEPS)[len(timings) : len(timings) + 1]
        progress(f"身份识别：{_STEPS[following[0]] if following else '完成'}", len(timings), len(_STEPS))

    repeats = registry_repeats_of(dataset)
    frames = person_frames(dataset, repeats)
    lap("prepare")
    pairs = block_all(frames)
    lap("blocking")
    levels = compare_all(frames, pairs)
    lap("compare")
    candidates = {pair_key(a, b): len(p) for (a, b), p in pairs.items()}
    del pairs
    scored = pd.DataFrame()
    if levels:
        model = train(frames, levels)
        lap("train")
        scored = score(frames, levels, model, policy)
        lap("classify")
    index = build_index(frames, scored, candidates, policy.ambiguity_margin, repeats)
    lap("cluster")
    return index, timings


def resolve(dataset: Dataset, policy: LinkagePolicy, progress: Step = no_progress) -> PersonIndex:
    """Link every person-bearing row of the county-month and cluster them into persons."""
    return resolve_timed(dataset, policy, progress)[0]
