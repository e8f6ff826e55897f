"""Blocking by integer keys gives the pairs, in the order, of recordlinkage's Block index it replaced."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest
import recordlinkage as rl
from match_fixtures import legacy15, make_id, typo
from recordlinkage.base import BaseIndexAlgorithm

from hecha import idnumber
from matching.blocking import candidate_pairs, pairs_of, source_keys
from matching.prepare import person_frame

SURNAMES = "李王张"
GIVEN = "明华秀英"


def _reference_keys(people: pd.DataFrame) -> pd.DataFrame:
    """The rule keys as text and dates, as the recordlinkage indexer read them."""
    sound = people["name_sound"].where(people["name_sound"] != "")
    county = people["county"].where(people["county"] != "")
    bare = people["id_key"].isna() & people["birth_date"].isna()
    birth = people["birth_date"].to_numpy().astype("datetime64[D]").astype("int64")
    return people[["id_number", "id_status", "id_key"]].assign(
        k_id=people["id_key"],
        k_birth=pd.Series(birth, index=people.index).where(people["birth_date"].notna()),
        k_sound=sound,
        k_county=county,
        k_bare_county=county.where(bare),
    )


class _OneDigit(BaseIndexAlgorithm):
    def _link_index(self, df_a: pd.DataFrame, df_b: pd.DataFrame) -> pd.MultiIndex:
        parts = []
        for fixed, other, flip in ((df_a, df_b, False), (df_b, df_a, True)):
            bad = fixed["id_number"][(fixed["id_status"] == "invalid") & (fixed["id_number"].str.len() == 18)]
            fixes = pd.Series({i: idnumber.one_digit_corrections(v) for i, v in bad.items()}, dtype="object")
            fixes = fixes.explode().dropna()
            corr = pd.DataFrame({"pos": fixes.index.to_numpy(dtype=np.int64), "key": fixes.to_numpy(dtype=object)})
            keys = pd.DataFrame({"key": other["id_key"].to_numpy(), "pos_o": np.arange(len(other))}).dropna()
            joined = corr.merge(keys, on="key")
            pair = (joined["pos_o"], joined["pos"]) if flip else (joined["pos"], joined["pos_o"])
            parts.append(np.column_stack([pair[0].to_numpy(np.int64), pair[1].to_numpy(np.int64)]))
        codes = np.concatenate(parts)
        return pd.MultiIndex.from_arrays([df_a.index[codes[:, 0]], df_b.index[codes[:, 1]]])


def _reference(left: pd.DataFrame, right: pd.DataFrame | None) -> list[tuple[int, int]]:
    indexer = rl.Index()
    indexer.add(rl.index.Block("k_id", "k_id"))
    indexer.add(_OneDigit())
    indexer.add(rl.index.Block(["k_birth", "k_sound"], ["k_birth", "k_sound"]))
    indexer.add(rl.index.Block(["k_bare_county", "k_sound"], ["k_county", "k_sound"]))
    indexer.add(rl.index.Block(["k_county", "k_sound"], ["k_bare_county", "k_sound"]))
    a = _reference_keys(left)
    pairs = indexer.index(a, a if right is None else _reference_keys(right))
    out = list(zip(pairs.get_level_values(0), pairs.get_level_values(1), strict=True))
    return [(i, j) for i, j in out if i < j] if right is None else out


def _people(rng: random.Random, n: int, source: str) -> pd.DataFrame:
    """Few names and births, so every rule fires: typos, legacy numbers, no number, age-only records."""
    rows = []
    for _ in range(n):
        birth = f"19{rng.randint(40, 42)}0{rng.randint(1, 2)}0{rng.randint(1, 3)}"
        number = make_id(birth, rng.randint(10, 14))
        kind = rng.random()
        if kind < 0.15:
            number = typo(number, rng.randint(0, 16))
        elif kind < 0.25:
            number = legacy15(number)
        elif kind < 0.4:
            number = None
        row = {"name": rng.choice(SURNAMES) + rng.choice(GIVEN), "id_number": number}
        row["region_code"] = rng.choice(["429006101201", "429005101201", None])
        if number is None and rng.random() < 0.5:
            row.update(age=rng.randint(80, 85), death_date="2026-09-10")
        rows.append(row)
    return person_frame(pd.DataFrame(rows), source)


@pytest.mark.parametrize("seed", range(6))
def test_pairs_equal_the_recordlinkage_index(seed: int) -> None:
    """Same pairs in the same order as rl.Index with Block rules, for a link and a deduplication."""
    rng = random.Random(seed)
    left, right = _people(rng, 60, "roll"), _people(rng, 90, "deaths")
    assert list(candidate_pairs(left, right)) == _reference(left, right)
    assert list(candidate_pairs(left)) == _reference(left, None)


def test_a_single_rule_keeps_its_own_order() -> None:
    """With only one-digit pairs (no union sorts them), the pairs keep the order the rule found them in."""
    one, two = make_id("19480203", 21), make_id("19520611", 33)
    left = person_frame(pd.DataFrame({"name": ["甲", "乙"], "id_number": [one, typo(two, 3)]}), "roll")
    right = person_frame(pd.DataFrame({"name": ["丙", "丁"], "id_number": [two, typo(one, 3)]}), "payroll")
    left["birth_date"], right["birth_date"] = pd.NaT, pd.NaT  # no birth rule
    assert list(candidate_pairs(left, right)) == _reference(left, right) == [(1, 0), (0, 1)]


def test_keys_of_many_sources_join_any_two() -> None:
    """Keys coded once for several sources give the pairs of each two coded alone."""
    rng = random.Random(9)
    frames = {s: _people(rng, 40, s) for s in ("roll", "deaths", "payroll")}
    keys = source_keys(frames)
    for a, b in (("roll", "deaths"), ("deaths", "payroll"), ("roll", "payroll")):
        assert list(pairs_of(keys[a], keys[b])) == list(candidate_pairs(frames[a], frames[b]))
    assert list(pairs_of(keys["roll"])) == list(candidate_pairs(frames["roll"]))
