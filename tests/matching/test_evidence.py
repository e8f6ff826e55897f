"""Evidence built per distinct pattern says what the per-link sentence says."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd

from matching.compare import FIELDS, LEVELS, NULL
from matching.evidence import agreement, evidence_zh, link_facts, sentences

COLUMNS = ["name", "id_status", "age", "birth_lo", "birth_hi", "death_source"]


def _record(rng: random.Random) -> dict[str, object]:
    born = pd.Timestamp("1948-02-03")
    age_only = rng.random() < 0.4
    return {
        "name": rng.choice(["张伟", "張偉", "张 伟", "王秀英"]),
        "id_status": rng.choice(["valid", "missing", "invalid", "upgraded"]),
        "age": float(rng.randint(70, 90)) if age_only or rng.random() < 0.2 else np.nan,
        "birth_lo": born - pd.Timedelta(days=365) if age_only else (pd.NaT if rng.random() < 0.1 else born),
        "birth_hi": born if rng.random() < 0.9 else pd.NaT,
        "death_source": rng.choice(["火化", "户籍注销", None]),
    }


def test_sentences_equal_the_sentence_of_each_link() -> None:
    """Agreement and Chinese sentence per link, computed once per pattern, equal those of evidence_zh."""
    rng = random.Random(3)
    n = 400
    levels = pd.DataFrame(
        {f: np.array([rng.randint(NULL, len(LEVELS[f]) - 1) for _ in range(n)], dtype=np.int8) for f in FIELDS}
    )
    left, right = [_record(rng) for _ in range(n)], [_record(rng) for _ in range(n)]

    def columns(records: list[dict[str, object]]) -> dict[str, np.ndarray]:
        return {c: pd.DataFrame(records)[c].to_numpy() for c in COLUMNS}

    agreements, texts = sentences(levels, link_facts(levels, columns(left), columns(right)))
    for k in range(n):
        want = agreement(levels.iloc[k].to_dict())
        assert agreements[k] == want
        assert texts[k] == evidence_zh(want, left[k], right[k])
    assert len(set(texts)) > 20  # the patterns vary: names written differently, ages, missing numbers
    assert agreements[0] is not agreements[1]  # every link its own dict
