"""The shared machinery the rules read: person pairs, rows as dicts, birth dates, sums."""

from __future__ import annotations

import pandas as pd
from rules_helpers import dataset, exact_index, pid, policy, registry_row, roll_row

from hecha import idnumber
from models.rules.common import birth_of, births, rows_by, total
from models.rules.context import RuleContext
from models.rules.rows import RowLookup

A, B, C = pid(1), pid(2), pid(3)


def _context() -> RuleContext:
    """Three people: A paid twice, B once; C only in the registry, listed in two hukous; B's second
    roll row attached to A by a weak fuzzy link (a stand-in for linkage)."""
    ds = dataset(
        roll=[
            roll_row("H1", "张伟", A),
            roll_row("H2", "李娜", B),
            roll_row("H1", "张伟", A, program="tekun"),
            roll_row("H3", "李娜", B, program="tekun"),
        ],
        household_registry=[
            registry_row("R1", "张伟", A),
            registry_row("R2", "李娜", B),
            registry_row("R3", "王芳", C),
            registry_row("R4", "王芳", C, relation="女"),
        ],
    )
    return RuleContext(ds, exact_index(ds, attach={("roll", 5): (A, 0.8)}), policy())


def _text_join(ctx: RuleContext, left: str, right: str) -> pd.DataFrame:
    """The pairs as joining the two sources' person ids as text gives them."""
    pl, pr = ctx.person_of(left), ctx.person_of(right)
    lf = pd.DataFrame({"row_l": pl.index, "person_id": pl.to_numpy()})
    rf = pd.DataFrame({"row_r": pr.index, "person_id": pr.to_numpy()})
    m = lf.merge(rf, on="person_id")
    m = m[m.person_id.notna() & (m.person_id.astype(str) != "")]
    return m[m.row_l != m.row_r] if left == right else m


def test_matches_pair_the_rows_a_text_join_of_person_ids_pairs_in_its_order() -> None:
    """It pairs the same rows, in the same order, as joining person ids as text, for every source pair."""
    ctx = _context()
    for left, right in [("roll", "household_registry"), ("household_registry", "roll"), ("roll", "roll")]:
        got = ctx.matches(left, right, 0.0)
        want = _text_join(ctx, left, right)
        assert list(zip(got.row_l, got.row_r, strict=True)) == list(zip(want.row_l, want.row_r, strict=True))
        assert list(got.person_id) == list(want.person_id)


def test_matches_keep_the_weak_link_and_its_probability() -> None:
    """A row attached by a weak link pairs with the person's records at that link's probability,
    and is left out once the rule asks for more."""
    ctx = _context()
    weak = ctx.matches("roll", "household_registry", 0.0).query("row_l == 5")
    assert list(weak.row_r) == [2] and weak.probability.iloc[0] == 0.8 and weak.fuzzy.iloc[0]
    assert 5 not in set(ctx.matches("roll", "household_registry", 0.9).row_l)


def test_linked_rows_either_way_round_are_the_same_pairs() -> None:
    """Pairs read back from the other orientation are the pairs `matches` gives this way round."""
    ctx = _context()
    ctx.matches("roll", "household_registry", 0.0)  # worked out roll -> registry only
    back = ctx.linked_rows("household_registry", "roll", 0.9)
    fresh = _context().matches("household_registry", "roll", 0.9)
    assert set(zip(back.row_l, back.row_r, strict=True)) == set(zip(fresh.row_l, fresh.row_r, strict=True))
    assert len(back) == len(fresh) > 0


def test_rows_by_groups_as_groupby_does() -> None:
    """Groups come in groupby's key order, rows in frame order, and a missing key makes no group."""
    df = pd.DataFrame({"k": ["b", None, "a", "b", "a"], "v": [1, 2, 3, 4, 5]})
    got = [(k, [r["v"] for r in rows]) for k, rows in rows_by(df, "k")]
    want = [(k, list(g["v"])) for k, g in df.groupby("k", sort=True)]
    assert got == want == [("a", [3, 5]), ("b", [1, 4])]


def test_total_sums_as_pandas_does() -> None:
    """Blanks and non-numbers count as 0, and the sum is numpy's, as `to_numeric(...).fillna(0).sum()`."""
    values = [0.1, None, "3", "x", 0.2, float("nan"), 0.3, 0.1, 0.2, 0.7]
    want = float(pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").fillna(0.0).sum())
    assert total(values) == want
    assert total([]) == 0.0


def test_row_lookup_reads_the_first_of_repeated_rows_and_nothing_for_unknown_ones() -> None:
    """A repeated `_row` reads its first row; an unknown row reads None; columns it lacks are left out."""
    df = pd.DataFrame({"_row": [2, 3, 3], "name": ["甲", "乙", "丙"]})
    rows = RowLookup(df)
    assert rows.get(3) == {"_row": 3, "name": "乙"}
    assert rows.get(9) is None
    assert rows.get(2, ["name", "missing"]) == {"name": "甲"}


def test_births_read_as_birth_of_reads_each_row() -> None:
    """The vectorised birth dates equal the row-by-row ones: the index's date, a corrected number's,
    the row's own date, or a legacy 15-digit number's."""
    corrected = pid(7, "19450203")
    legacy = "429006530101001"  # 1953-01-01, 15 digits
    df = pd.DataFrame(
        {
            "id_number": [A, "42900619451234567X", legacy, None, B],
            "id_resolved": ["", corrected, "", None, B],
            "idx_birth_date": [pd.Timestamp("1960-01-01"), pd.Timestamp("1999-09-09"), pd.NaT, pd.NaT, pd.NaT],
            "birth_date": [pd.NaT, pd.NaT, pd.NaT, pd.Timestamp("1970-05-06"), pd.NaT],
        },
        index=[10, 11, 12, 13, 14],
    )
    want = [birth_of(r) for _, r in df.iterrows()]
    got = births(df)
    assert list(got.index) == list(df.index)
    assert [None if pd.isna(g) else g for g in got] == want
    assert want[1] == pd.Timestamp(idnumber.decode(corrected).birth_date)
    assert want[2] == pd.Timestamp("1953-01-01") and want[3] == pd.Timestamp("1970-05-06")
