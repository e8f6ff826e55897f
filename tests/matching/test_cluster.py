"""Clustering: merges best first, never two numbers in one person; ids stable; same as one plain loop."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from hecha.privacy import pseudonym
from matching.cluster import person_ids, union


def _reference_union(n: int, links: pd.DataFrame, usable: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every link in one loop, best first, refusing a merge of two clusters with different numbers."""
    parent = list(range(n))
    ids = [{u} if u else set() for u in usable]

    def find(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    nl, nr = links["node_l"].to_numpy(), links["node_r"].to_numpy()
    used = np.zeros(len(links), dtype=bool)
    for k in np.lexsort((nr, nl, -links["probability"].to_numpy())):
        a, b = find(int(nl[k])), find(int(nr[k]))
        if a != b:
            if ids[a] and ids[b] and not ids[a] & ids[b]:
                continue
            parent[b], ids[a] = a, ids[a] | ids[b]
        used[k] = True
    graph = coo_matrix((np.ones(int(used.sum())), (nl[used], nr[used])), shape=(n, n))
    return connected_components(graph, directed=False)[1], used


@pytest.mark.parametrize("seed", range(5))
def test_union_refuses_the_merges_one_loop_refuses(seed: int) -> None:
    """Random links among records with a few numbers: same clusters and same refused links as the plain loop."""
    rng = np.random.default_rng(seed)
    n = 300
    usable = np.where(rng.random(n) < 0.5, rng.choice(["A", "B", "C", "D"], n), "").astype(object)
    m = 400
    links = pd.DataFrame(
        {
            "node_l": rng.integers(0, n, m),
            "node_r": rng.integers(0, n, m),
            "probability": rng.choice([0.91, 0.95, 0.99, 1.0], m).astype(np.float32),
        }
    )
    links = links[links.node_l != links.node_r].reset_index(drop=True)
    cluster, used = union(n, links, usable)
    want_cluster, want_used = _reference_union(n, links, usable)
    assert (used == want_used).all() and not used.all()  # some merges were refused
    assert (cluster == want_cluster).all()
    for c in np.unique(cluster):
        assert len({u for u in usable[cluster == c] if u}) <= 1


def test_person_ids_take_the_most_frequent_number_and_the_smallest_on_a_tie() -> None:
    """A cluster's id hashes its most frequent number, the smallest text on a tie; number-less ones hash name, birth, place."""
    numbers = ["B", "A", "A", "D", "C", "", ""]
    cluster = np.array([0, 0, 0, 1, 1, 2, 2])
    records = pd.DataFrame(
        {
            "usable_id": numbers,
            "name_norm": ["x"] * 5 + ["王秀英", "王秀英"],
            "birth_date": pd.to_datetime(["1950-01-01"] * 5 + ["1948-02-03", None]),
            "region_code": ["429006101201"] * 5 + ["429006101201", None],
        }
    )
    pid, resolved = person_ids(records, cluster)
    assert list(resolved) == ["A", "A", "A", "C", "C", "", ""]
    assert pid[0] == pseudonym("A", prefix="P") and pid[3] == pseudonym("C", prefix="P")
    first = min("noid|王秀英|19480203|429006101201", "noid|王秀英||")
    assert pid[5] == pid[6] == pseudonym(first, prefix="P")


def test_person_ids_resolve_a_shared_number_key_to_its_number() -> None:
    """A 重号 person key (number#name#birth) gives the number as resolved and keeps the key in the id."""
    key = "429006194802030022#王秀英#19480203"
    records = pd.DataFrame(
        {
            "usable_id": [key],
            "name_norm": ["王秀英"],
            "birth_date": pd.to_datetime(["1948-02-03"]),
            "region_code": [None],
        }
    )
    pid, resolved = person_ids(records, np.array([0]))
    assert resolved[0] == "429006194802030022" and pid[0] == pseudonym(key, prefix="P")


def test_many_random_clusters_keep_their_ids() -> None:
    """Ids do not depend on the order of the records within the frame."""
    rnd = random.Random(4)
    numbers = [rnd.choice(["N1", "N2", "N3", ""]) for _ in range(60)]
    cluster = np.array([rnd.randrange(10) for _ in range(60)])
    records = pd.DataFrame({"usable_id": numbers, "name_norm": "x", "birth_date": pd.NaT, "region_code": None})
    pid, _ = person_ids(records, cluster)
    perm = np.array(rnd.sample(range(60), 60))
    pid2, _ = person_ids(records.iloc[perm].reset_index(drop=True), cluster[perm])
    assert list(pid2) == list(pid.iloc[perm])
