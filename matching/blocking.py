"""Candidate pairs: which records are worth comparing at all.

Recall is decided here: a pair never blocked together can never link. Four
rules, unioned by a `recordlinkage.Index`:

1. the same identity number (valid, upgraded 15→18, or the same invalid text);
2. an invalid number one digit away from the other side's number — MOD 11-2
   catches every single-digit typo, so the typo's one-digit corrections
   (idnumber.one_digit_corrections, at most 18) always contain the true number;
3. the same birth date and the same name sound (no number, or a bad one);
4. the same county and the same name sound, only for records with neither a
   number nor a birth date (cremation records that give an age).

Every rule is an equality join, so a 1M-row registry costs a few hash merges.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import recordlinkage as rl
from recordlinkage.base import BaseIndexAlgorithm

from hecha import idnumber


def blocking_keys(people: pd.DataFrame) -> pd.DataFrame:
    """The key columns each rule joins on (NA = the record takes no part in that rule)."""
    birth_day = people["birth_date"].to_numpy().astype("datetime64[D]").astype("int64")
    sound = people["name_sound"].where(people["name_sound"] != "")
    county = people["county"].where(people["county"] != "")
    bare = people["id_key"].isna() & people["birth_date"].isna()
    return pd.DataFrame(
        {
            "k_id": people["id_key"],
            "k_birth": pd.Series(birth_day, index=people.index).where(people["birth_date"].notna()),
            "k_sound": sound,
            "k_county": county,
            "k_bare_county": county.where(bare),
        },
        index=people.index,
    )


def _corrections(ids: pd.Series, status: pd.Series) -> pd.DataFrame:
    """(position, corrected number) for every invalid 18-character number."""
    bad = ids[(status == "invalid") & (ids.str.len() == 18)]
    fixes = pd.Series({i: idnumber.one_digit_corrections(v) for i, v in bad.items()}, dtype="object")
    fixes = fixes.explode().dropna()
    return pd.DataFrame({"pos": fixes.index.to_numpy(dtype=np.int64), "key": fixes.to_numpy(dtype=object)})


class OneDigitBlock(BaseIndexAlgorithm):
    """Pairs where one side's invalid number corrects (one digit) to the other's number."""

    def _link_index(self, df_a: pd.DataFrame, df_b: pd.DataFrame) -> pd.MultiIndex:
        parts = []
        for fixed, other, flip in ((df_a, df_b, False), (df_b, df_a, True)):
            corr = _corrections(fixed["id_number"], fixed["id_status"])
            if corr.empty:
                continue
            keys = pd.DataFrame({"key": other["id_key"].to_numpy(), "pos_o": np.arange(len(other))}).dropna()
            joined = corr.merge(keys, on="key")
            pair = (joined["pos_o"], joined["pos"]) if flip else (joined["pos"], joined["pos_o"])
            parts.append(np.column_stack([pair[0].to_numpy(np.int64), pair[1].to_numpy(np.int64)]))
        codes = np.concatenate(parts) if parts else np.empty((0, 2), dtype=np.int64)
        return pd.MultiIndex.from_arrays([df_a.index[codes[:, 0]], df_b.index[codes[:, 1]]])

    def _dedup_index(self, df_a: pd.DataFrame) -> pd.MultiIndex:
        pairs = self._link_index(df_a, df_a)
        return pairs[pairs.codes[0] > pairs.codes[1]]


def _indexer() -> rl.Index:
    indexer = rl.Index()
    indexer.add(rl.index.Block("k_id", "k_id"))
    indexer.add(OneDigitBlock())
    indexer.add(rl.index.Block(["k_birth", "k_sound"], ["k_birth", "k_sound"]))
    indexer.add(rl.index.Block(["k_bare_county", "k_sound"], ["k_county", "k_sound"]))
    indexer.add(rl.index.Block(["k_county", "k_sound"], ["k_bare_county", "k_sound"]))
    return indexer


def blocking_frame(people: pd.DataFrame) -> pd.DataFrame:
    """The columns the indexer reads: numbers with status, and the rule keys (compute once per source)."""
    return pd.concat([people[["id_number", "id_status", "id_key"]], blocking_keys(people)], axis=1)


def candidate_pairs(left: pd.DataFrame, right: pd.DataFrame | None = None) -> pd.MultiIndex:
    """Candidate (left position, right position) pairs; `right=None` deduplicates `left`.

    Takes person frames or their `blocking_frame`s (reused when one source is linked to many).
    """
    a = left if "k_id" in left.columns else blocking_frame(left)
    if right is None:
        # Linking the frame with itself keeps the asymmetric county rule symmetric.
        pairs = _indexer().index(a, a)
        keep = pairs.get_level_values(0) < pairs.get_level_values(1)
        return pairs[keep]
    b = right if "k_id" in right.columns else blocking_frame(right)
    return _indexer().index(a, b)
