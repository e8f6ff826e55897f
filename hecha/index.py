"""The person index: which records across all sources are the same person.

Built by `matching.resolve.resolve(dataset, policy)`; read by the findings, the
risk model, the case store and the reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

# records: one row per person-bearing row of every source.
RECORD_COLUMNS = [
    "source",  # contract source name
    "row",  # the row number in that source's file (Dataset.frames[source]["_row"])
    "person_id",  # stable across runs: derived from the cluster's identity number when it has one
    "name",  # as given
    "name_norm",  # normalised (NFKC, simplified, separators unified, no spaces)
    "name_sound",  # toneless pinyin key
    "id_number",  # normalised number as given (may be invalid or empty)
    "id_status",  # valid | upgraded | invalid | missing
    "id_resolved",  # the cluster's best identity number ("" if none): corrected by linkage
    "birth_date",  # datetime64: from the number, or the source's birth date column
    "sex",  # M | F | NA
    "region_code",  # 12-digit code if the source has one
    "link_probability",  # probability of this record's attachment to its cluster (1.0 = exact id)
]

# links: accepted pairwise links (probability >= the pair's threshold).
LINK_COLUMNS = [
    "source_l",
    "row_l",
    "source_r",
    "row_r",
    "probability",  # 0-1 match probability
    "fuzzy",  # True if the identity numbers were not exactly equal
    "agreement",  # dict field -> level, e.g. {"id": "one_digit", "name": "same_sound", "birth": "exact", "region": "same_village"}
    "evidence_zh",  # e.g. "身份证号一位不同；姓名同音；出生日期一致；同村"
]


# repeats: household-registry rows whose identity number is on another registry row too.
REPEAT_COLUMNS = [
    "id_number",  # the repeated number (normalised)
    "kind",  # one_person (一人多户: same name and birth) | shared_number (重号: different people)
    "person",  # 0, 1, ... : which of the number's people this row is (all 0 for one_person)
    "row",  # registry file row
    "hukou_id",
    "name",
    "name_norm",
    "birth_date",  # the registry's 出生日期
    "person_id",  # the person linkage resolved the row to
]


@dataclass
class PersonIndex:
    records: pd.DataFrame
    links: pd.DataFrame
    stats: dict[str, dict[str, float]] = field(default_factory=dict)  # per "a~b": candidates, links, fuzzy share
    repeats: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REPEAT_COLUMNS))

    def pairs(self, left: str, right: str) -> pd.DataFrame:
        """Links between two sources oriented left→right: row_l, row_r, probability, fuzzy, agreement, evidence_zh."""
        lk = self.links
        a = lk[(lk.source_l == left) & (lk.source_r == right)]
        b = lk[(lk.source_l == right) & (lk.source_r == left)].rename(
            columns={"row_l": "row_r", "row_r": "row_l", "source_l": "source_r", "source_r": "source_l"}
        )
        cols = ["row_l", "row_r", "probability", "fuzzy", "agreement", "evidence_zh"]
        return pd.concat([a[cols], b[cols]], ignore_index=True)

    def person_of(self, source: str) -> pd.Series:
        """Series row -> person_id for one source."""
        r = self.records[self.records.source == source]
        return pd.Series(r["person_id"].to_numpy(), index=r["row"].to_numpy(), name="person_id")
