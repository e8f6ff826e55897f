"""From scored pairs to persons: pick links, then union them into clusters.

Two guards keep one cluster = one person:
* per record and partner source, candidates carrying different valid numbers
  are different people: if two of them score within the ambiguity margin of the
  best (two 王秀英 aged 78 in one town) the record is ambiguous and none of its
  links there is accepted — an inspector must not act on a coin toss; otherwise
  only the best person's links survive. Candidates without a number are kept
  (the same death reported by cremation and by the hukou office);
* links are unioned best first and a merge that would put two different valid
  numbers in one cluster is refused.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from hecha.privacy import pseudonym
from hecha.runs import run_starts
from matching.repeats import base_number


def _one_person_per_record(pairs: pd.DataFrame, side: str, other: str, margin: float) -> np.ndarray:
    """Mask of pairs kept when each `side` record may link to one person of the other source."""
    node, key = pairs[f"node_{side}"].to_numpy(), pairs[f"idk_{other}"].to_numpy()
    df = pd.DataFrame({"node": node, "key": key, "p": pairs["probability"].to_numpy()})
    df = df.sort_values(["node", "p", "key"], ascending=[True, False, True])
    best_p = df.groupby("node")["p"].transform("max")
    keyed = df[df["key"] != ""]
    top_key = keyed.drop_duplicates("node").set_index("node")["key"]
    near_keys = keyed[keyed["p"] >= best_p[keyed.index] - margin].groupby("node")["key"].nunique()
    ambiguous = df["node"].map(near_keys).fillna(0) > 1
    same = (df["key"] == "") | (df["key"] == df["node"].map(top_key))
    keep = (same & ~ambiguous).sort_index()
    return keep.to_numpy()


def select_links(pairs: pd.DataFrame, margin: float) -> pd.DataFrame:
    """Accepted pairs (probability at or above threshold) after the one-person rule on both sides.

    `pairs`: node_l, node_r, source_l, source_r, idk_l, idk_r, probability, threshold.
    The rule applies per record and partner source: every source pair at once,
    each record's node numbered apart per source pair.
    """
    acc = pairs[pairs["probability"] >= pairs["threshold"]].reset_index(drop=True)
    keep = np.ones(len(acc), dtype=bool)
    linked = np.flatnonzero((acc["source_l"] != acc["source_r"]).to_numpy())  # a self-link is the point of it
    if len(linked):
        grp = acc.iloc[linked].reset_index(drop=True)
        group = grp.groupby(["source_l", "source_r"], sort=False).ngroup().to_numpy(dtype=np.int64)
        width = int(max(grp["node_l"].max(), grp["node_r"].max())) + 1
        grp = grp.assign(
            node_l=group * width + grp["node_l"].to_numpy(), node_r=group * width + grp["node_r"].to_numpy()
        )
        keep[linked] = _one_person_per_record(grp, "l", "r", margin) & _one_person_per_record(grp, "r", "l", margin)
    return acc[keep]


def _components(n_nodes: int, nl: np.ndarray, nr: np.ndarray) -> np.ndarray:
    graph = coo_matrix((np.ones(len(nl)), (nl, nr)), shape=(n_nodes, n_nodes))
    return connected_components(graph, directed=False)[1]


def _contested(component: np.ndarray, nl: np.ndarray, nr: np.ndarray, usable_id: np.ndarray) -> np.ndarray:
    """Mask of links inside a component (of all links) whose records carry two or more different numbers.

    Only there can a merge be refused; everywhere else every link is used.
    """
    nodes = np.unique(np.concatenate([nl, nr]))
    nodes = nodes[usable_id[nodes] != ""]
    numbers = pd.DataFrame({"c": component[nodes], "id": usable_id[nodes]}).drop_duplicates()
    several = numbers["c"].value_counts()
    return np.isin(component[nl], several.index[several.to_numpy() > 1].to_numpy())


def union(n_nodes: int, links: pd.DataFrame, usable_id: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cluster label per node, and a mask of links actually used (conflicting merges refused).

    Links are merged best first; a merge that would put two different numbers in
    one cluster is refused. That order matters only in components of the link
    graph holding two or more numbers, so only their links go through the loop.
    """
    if links.empty:
        return np.arange(n_nodes), np.zeros(0, dtype=bool)
    parent: dict[int, int] = {}  # only nodes touched by a link
    ids: dict[int, set[str]] = {}  # valid numbers held by a root's cluster

    def find(x: int) -> int:
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    def ids_of(root: int) -> set[str]:
        return ids.get(root, {usable_id[root]} if usable_id[root] else set())

    nl, nr = links["node_l"].to_numpy(), links["node_r"].to_numpy()
    contested = _contested(_components(n_nodes, nl, nr), nl, nr, usable_id)
    used = ~contested
    order = np.lexsort((nr, nl, -links["probability"].to_numpy()))
    for k in order[contested[order]]:
        a, b = find(int(nl[k])), find(int(nr[k]))
        if a != b:
            ia, ib = ids_of(a), ids_of(b)
            if ia and ib and not ia & ib:
                continue
            parent[b] = a
            ids[a] = ia | ib
            ids.pop(b, None)
        used[k] = True
    return _components(n_nodes, nl[used], nr[used]), used


def _unique_counts(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`np.unique(values, return_counts=True)` by one sort (numpy's hash-based unique is slower on 1M integers)."""
    ordered = np.sort(values)
    starts = run_starts(ordered)
    return ordered[starts], np.diff(np.r_[starts, len(ordered)])


def person_key_hash(texts: np.ndarray) -> np.ndarray:
    """`hecha.privacy.pseudonym(text, prefix="P")` for many texts (inlined: a 1M registry calls it 1M times)."""
    return np.array(["P" + hashlib.sha256(t.encode("utf-8")).hexdigest()[:16] for t in texts], dtype=object)


def _best_numbers(cluster: np.ndarray, codes: np.ndarray, uniques: np.ndarray, n_clusters: int) -> np.ndarray:
    """Per cluster, the code of its most frequent number (ties: the smallest text), -1 without one.

    Codes are in order of appearance (factorizing 1M numbers sorted would cost a
    sort of text); the few clusters whose top count is shared compare the texts.
    """
    best = np.full(n_clusters, -1, dtype=np.int64)
    if not len(codes):
        return best
    width = len(uniques) + 1
    combined, counts = _unique_counts(cluster * width + codes)
    c_u, k_u = combined // width, combined % width
    top_count = np.zeros(n_clusters, dtype=np.int64)
    np.maximum.at(top_count, c_u, counts)
    top = counts == top_count[c_u]
    c_top, k_top = c_u[top], k_u[top]
    first = np.r_[True, c_top[1:] != c_top[:-1]]
    best[c_top[first]] = k_top[first]
    tied = np.flatnonzero(~first)
    for c in np.unique(c_top[tied]):
        candidates = k_top[c_top == c]
        best[c] = min(candidates.tolist(), key=lambda k: str(uniques[k]))
    return best


def person_ids(records: pd.DataFrame, cluster: np.ndarray) -> tuple[pd.Series, pd.Series]:
    """Stable person_id and the resolved identity number (a 重号 key's number) per record.

    The id hashes the cluster's most frequent usable number (ties: the smallest),
    so it survives re-runs and row order; without a number it hashes name, birth
    and region of the cluster's first record in that order.
    """
    if records.empty:
        return pd.Series(dtype=object), pd.Series(dtype=object)
    usable = records["usable_id"].to_numpy()
    codes, found = pd.factorize(usable)
    uniques = np.asarray(found, dtype=object)
    has = usable != ""
    best_code = _best_numbers(cluster[has].astype(np.int64), codes[has].astype(np.int64), uniques,
                              int(cluster.max()) + 1)  # fmt: skip
    rec_code = best_code[cluster]
    numbers = uniques.copy()
    keyed = np.flatnonzero(np.fromiter(("#" in u for u in uniques), dtype=bool, count=len(uniques)))
    numbers[keyed] = [base_number(u) for u in uniques[keyed]]
    resolved = np.where(rec_code >= 0, numbers[np.maximum(rec_code, 0)], "")
    hashed = np.full(len(uniques), None, dtype=object)
    chosen = _unique_counts(best_code[best_code >= 0])[0]
    hashed[chosen] = person_key_hash(uniques[chosen])
    pid = hashed[np.maximum(rec_code, 0)]  # fancy indexing copies

    no_id = np.flatnonzero(rec_code < 0)
    if len(no_id):
        rec = records.iloc[no_id]
        fallback = (
            "noid|"
            + rec["name_norm"].astype(str)
            + "|"
            + rec["birth_date"].dt.strftime("%Y%m%d").fillna("")
            + "|"
            + rec["region_code"].fillna("").astype(str)
        ).to_numpy()
        first_text = pd.Series(fallback).groupby(cluster[no_id]).transform("min").to_numpy()
        texts, which = np.unique(first_text.astype(str), return_inverse=True)
        pid[no_id] = np.array([pseudonym(t, prefix="P") for t in texts], dtype=object)[which]
    return pd.Series(pid, index=records.index), pd.Series(resolved, index=records.index)
