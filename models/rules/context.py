"""What every rule reads: the dataset, the person index and the policy, joined once.

Rules never compare identity strings themselves: a roll row and a registry row
are the same person only when the person index says so (same `person_id`), and
the link probability it gives travels with the finding.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pandas as pd

from hecha.dataset import Dataset
from hecha.index import PersonIndex
from hecha.policy import Policy
from models.rules.rows import RowLookup

T = TypeVar("T")

MATCH_COLUMNS = ["row_l", "row_r", "person_id", "probability", "fuzzy", "agreement", "evidence_zh"]


@dataclass
class RuleContext:
    dataset: Dataset
    index: PersonIndex
    policy: Policy
    _person: dict[str, pd.Series] = field(default_factory=dict)
    _rows: dict[str, RowLookup] = field(default_factory=dict)
    _records: dict[str, pd.DataFrame] = field(default_factory=dict)
    _with_person: dict[str, pd.DataFrame] = field(default_factory=dict)
    _matches: dict[tuple[str, str], pd.DataFrame] = field(default_factory=dict)
    _roll: pd.DataFrame | None = None
    _memo: dict[str, Any] = field(default_factory=dict)

    @property
    def period_start(self) -> pd.Timestamp:
        return self.dataset.period_start

    @property
    def period_end(self) -> pd.Timestamp:
        return self.period_start + pd.offsets.MonthEnd(0)

    def frame(self, source: str) -> pd.DataFrame:
        return self.dataset.frames[source]

    def has(self, source: str) -> bool:
        return self.dataset.has(source) and source not in self.dataset.absent

    def person_of(self, source: str) -> pd.Series:
        """row -> person_id for one source (cached; `PersonIndex.person_of` without a scan per source)."""
        if source not in self._person:
            rec = self.records(source)
            self._person[source] = pd.Series(rec["person_id"].to_numpy(), index=rec.index.to_numpy(), name="person_id")
        return self._person[source]

    def column(self, source: str, name: str) -> pd.Series:
        """One column of a source indexed by `_row` (cached), for `.map` without copying the frame."""
        key = f"column:{source}:{name}"
        df = self.frame(source)
        return self.memo(key, lambda: pd.Series(df[name].to_numpy(), index=df["_row"].to_numpy(), name=name))

    def row(self, source: str, row: int, columns: list[str] | None = None) -> dict[str, Any] | None:
        """One source row as a dict of `columns` it has (all by default; the first row if `_row` repeats),
        None if there is no such row."""
        if source not in self._rows:
            self._rows[source] = RowLookup(self.frame(source))
        return self._rows[source].get(row, columns)

    def records(self, source: str) -> pd.DataFrame:
        """The index's records of one source, indexed by row (cached; do not modify)."""
        if source not in self._records:
            self._records[source] = self.index.records.iloc[self._record_positions().get(source, [])].set_index("row")
        return self._records[source]

    def _record_positions(self) -> dict[Any, Any]:
        """source -> positions of its rows in the index's records (one pass over them)."""
        return self.memo("record_positions", lambda: self.index.records.groupby("source", sort=False).indices)

    def with_person(self, source: str) -> pd.DataFrame:
        """The source frame with `person_id` and the index's `id_resolved`, `birth_date`, `link_probability`
        (cached; do not modify)."""
        if source in self._with_person:
            return self._with_person[source]
        df = self.frame(source)
        rec = self.records(source)
        wanted = {"person_id": "person_id", "id_resolved": "id_resolved", "birth_date": "idx_birth_date"}
        wanted["link_probability"] = "attach_probability"
        found = rec[[c for c in wanted if c in rec.columns]].reindex(df["_row"].to_numpy())  # one look-up per row
        extra = pd.DataFrame(index=df.index)
        for col, new in wanted.items():
            extra[new] = found[col].to_numpy() if col in found.columns else pd.NA
        if df.columns.intersection(extra.columns).empty:  # side by side, without copying the source's columns
            out = pd.concat([df, extra], axis=1, copy=False)
        else:
            out = df.copy()
            out[extra.columns] = extra
        self._with_person[source] = out
        return out

    def roll(self) -> pd.DataFrame:
        """Roll rows of this period with their person (cached; do not modify)."""
        if self._roll is None:
            df = self.with_person("roll")
            if "period" in df.columns:
                df = df[df["period"].isna() | (df["period"].astype(str) == self.dataset.period)]
            self._roll = df
        return self._roll

    def matches(self, left: str, right: str, min_probability: float) -> pd.DataFrame:
        """Pairs (row_l, row_r) of two sources that the index puts in one person.

        The probability is the direct pairwise link's when there is one; otherwise
        (linked through a third record) the weaker of the two attachments. The pairs
        are worked out once per source pair; each call keeps those at `min_probability`.
        """
        m = self._all_matches(left, right)
        if m.empty:
            return pd.DataFrame(columns=MATCH_COLUMNS)
        m = m[m.probability >= min_probability]
        return m.reset_index(drop=True)

    def linked_rows(self, left: str, right: str, min_probability: float) -> pd.DataFrame:
        """The pairs (row_l, row_r) of `matches`, in no particular order.

        A pair and its probability do not depend on which source is on the left, so pairs
        already worked out the other way round serve without joining the sources again.
        """
        if (left, right) not in self._matches and (right, left) in self._matches:
            m = self._matches[(right, left)]
            m = m[m.probability >= min_probability]
            return pd.DataFrame({"row_l": m["row_r"].to_numpy(), "row_r": m["row_l"].to_numpy()})
        return self.matches(left, right, min_probability)[["row_l", "row_r"]]

    def _all_matches(self, left: str, right: str) -> pd.DataFrame:
        if (left, right) not in self._matches:
            self._matches[(left, right)] = self._pairs_of(left, right)
        return self._matches[(left, right)]

    def _pairs_of(self, left: str, right: str) -> pd.DataFrame:
        pl = self.person_of(left)
        pr = self.person_of(right)
        if pl.empty or pr.empty:
            return pd.DataFrame(columns=MATCH_COLUMNS)
        # join on integer person codes (numbered once per source), keeping only real persons first:
        # the same pairs in the same order as joining on the person_id text
        lf = self._coded(left).rename(columns={"row": "row_l"})
        rf = self._coded(right).rename(columns={"row": "row_r"}).drop(columns="person_id")
        m = lf.merge(rf, on="_code").drop(columns="_code")
        if left == right:
            m = m[m.row_l != m.row_r]
        if m.empty:
            return pd.DataFrame(columns=MATCH_COLUMNS)
        direct = self._links(left, right).sort_values("probability", ascending=False)
        direct = direct.drop_duplicates(["row_l", "row_r"])  # a pair listed in both orientations counts once
        m = m.merge(direct, on=["row_l", "row_r"], how="left")
        attach_l = self.records(left)["link_probability"].astype(float)
        attach_r = self.records(right)["link_probability"].astype(float)
        indirect = pd.concat(
            [m.row_l.map(attach_l).reset_index(drop=True), m.row_r.map(attach_r).reset_index(drop=True)], axis=1
        ).min(axis=1)
        no_direct = m.probability.isna().to_numpy()
        m.loc[no_direct, "probability"] = indirect[no_direct].to_numpy()
        m.loc[no_direct, "fuzzy"] = m.loc[no_direct, "probability"] < 1.0
        m.loc[no_direct, "evidence_zh"] = "经其他记录关联为同一人"
        m["agreement"] = pd.Series([a if isinstance(a, dict) else {} for a in m["agreement"]], index=m.index)
        m["probability"] = m["probability"].astype(float).fillna(0.0)
        m["fuzzy"] = m["fuzzy"].astype(bool)
        return m[MATCH_COLUMNS]

    def memo(self, key: str, make: Callable[[], T]) -> T:
        """What `make` builds, built once per run (frames several rules read; do not modify)."""
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    def _coded(self, source: str) -> pd.DataFrame:
        """row, person_id and an integer code of the person (one numbering for the whole index), for the
        rows of `source` attached to a person."""

        def make() -> pd.DataFrame:
            numbering = self.memo("person_codes", lambda: pd.factorize(self.index.records["person_id"])[0])
            codes = numbering[self._record_positions().get(source, [])]
            persons = self.person_of(source)
            real = (persons.notna() & (persons.astype(str) != "")).to_numpy()
            return pd.DataFrame(
                {"row": persons.index[real], "person_id": persons.to_numpy()[real], "_code": codes[real]}
            )

        return self.memo(f"coded:{source}", make)

    def _links(self, left: str, right: str) -> pd.DataFrame:
        """`PersonIndex.pairs(left, right)`, reading the links split by source pair once per run."""
        lk = self.index.links
        at = self.memo("link_positions", lambda: lk.groupby(["source_l", "source_r"], sort=False).indices)
        none: list[int] = []
        a = lk.iloc[at.get((left, right), none)]
        b = lk.iloc[at.get((right, left), none)].rename(
            columns={"row_l": "row_r", "row_r": "row_l", "source_l": "source_r", "source_r": "source_l"}
        )
        cols = ["row_l", "row_r", "probability", "fuzzy", "agreement", "evidence_zh"]
        return pd.concat([a[cols], b[cols]], ignore_index=True)

    def weak(self, probability: float, fuzzy: bool) -> bool:
        return bool(fuzzy) and probability < self.policy.linkage.weak_link_below
