"""Splink 5 (DuckDB) on the same person frames, configured as its documentation recommends.

Inputs are our normalised columns (Splink's docs ask for standardised input), so
the comparison is of the linkage models, not of the cleaning. The model follows
the Splink tutorial sequence: λ from a deterministic rule, u by random sampling,
m by EM on two blocking rules, then predict with the blocking rules below.

Splink is an optional extra (`pip install -e .[bench]`), not in the project's
environment. Without touching that environment, give it a venv of its own that
sees the project's packages:

    python3.11 -m venv /tmp/splink-venv
    echo $PWD/.venv/lib/python3.11/site-packages > /tmp/splink-venv/lib/python3.11/site-packages/hecha.pth
    /tmp/splink-venv/bin/pip install splink==5.0.0 duckdb
    PYTHONPATH=$PWD /tmp/splink-venv/bin/python benchmarks/linkage_scale.py

This module imports without Splink (so `--no-splink` runs work); `link` then
says how to install it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

if TYPE_CHECKING:
    from splink import SettingsCreator

logging.getLogger("splink").setLevel(logging.WARNING)

INSTALL = (
    "Splink is not installed here: it is the optional `bench` extra. Install it into a venv of its own "
    "(see the docstring of benchmarks/linkage_splink.py) and run the benchmark with that venv's python, "
    "or pass --no-splink."
)


def available() -> bool:
    try:
        import duckdb  # noqa: F401
        import splink  # noqa: F401
    except ImportError:
        return False
    return True


def _splink() -> Any:
    if not available():
        raise SystemExit(INSTALL)
    import splink

    return splink


COLUMNS = ["unique_id", "name_norm", "name_sound", "id_number", "birth_date", "sex", "region_code", "county"]


def splink_frame(people: pd.DataFrame) -> pd.DataFrame:
    """Splink's input: strings, NULL for missing, unique_id = position."""
    df = pd.DataFrame(
        {
            "unique_id": people.index.to_numpy(),
            "name_norm": people["name_norm"].replace("", None),
            "name_sound": people["name_sound"].replace("", None),
            "id_number": people["id_number"].replace("", None),
            "birth_date": people["birth_date"].dt.strftime("%Y-%m-%d"),
            "sex": people["sex"],
            "region_code": people["region_code"],
            "county": people["county"].replace("", None),
        }
    )
    out = df.astype(object)
    return out.mask(out.isna(), None)


def settings(link_type: Literal["link_only", "dedupe_only"]) -> SettingsCreator:
    _splink()
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on
    from splink.blocking_rule_library import CustomRule

    return SettingsCreator(
        link_type=link_type,
        comparisons=[
            cl.LevenshteinAtThresholds("id_number", [1, 2]),
            cl.NameComparison("name_norm").configure(term_frequency_adjustments=True),
            cl.ExactMatch("name_sound"),
            cl.DateOfBirthComparison("birth_date", input_is_string=True),
            cl.ExactMatch("sex"),
            cl.ExactMatch("region_code"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("id_number"),
            block_on("birth_date", "name_sound"),
            # records with neither number nor birth date (cremation records): county + sound
            CustomRule(
                "l.county = r.county and l.name_sound = r.name_sound "
                "and (l.birth_date is null or r.birth_date is null) and (l.id_number is null or r.id_number is null)"
            ),
        ],
        retain_intermediate_calculation_columns=False,
    )


def link(left: pd.DataFrame, right: pd.DataFrame | None, threshold: float, sample: float = 1.0) -> pd.DataFrame:
    """Pairs (pos_l, pos_r) Splink predicts at or above `threshold`; `right=None` deduplicates."""
    _splink()
    from splink import DuckDBAPI, Linker, block_on

    db = DuckDBAPI()
    if right is None:
        tables = db.register(splink_frame(left), dataset_display_name="src_l")
        linker = Linker(tables, settings("dedupe_only"), log_level=logging.WARNING)
    else:
        a = db.register(splink_frame(left), dataset_display_name="src_l")
        b = db.register(splink_frame(right), dataset_display_name="src_r")
        linker = Linker([a, b], settings("link_only"), log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match([block_on("id_number")], recall=0.95)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    for rule in (block_on("id_number"), block_on("birth_date", "name_sound")):
        linker.training.estimate_parameters_using_expectation_maximisation(rule, record_sample_proportion=sample)
    pred = linker.inference.predict(threshold_match_probability=threshold).as_pandas_dataframe()
    if pred.empty:
        return pd.DataFrame({"pos_l": [], "pos_r": []}, dtype="int64")
    if right is None:
        lo = pred[["unique_id_l", "unique_id_r"]].min(axis=1)
        hi = pred[["unique_id_l", "unique_id_r"]].max(axis=1)
        return pd.DataFrame({"pos_l": lo.astype("int64"), "pos_r": hi.astype("int64")})
    left_first = pred["source_dataset_l"] == "src_l"
    pos_l = pred["unique_id_l"].where(left_first, pred["unique_id_r"])
    pos_r = pred["unique_id_r"].where(left_first, pred["unique_id_l"])
    return pd.DataFrame({"pos_l": pos_l.astype("int64"), "pos_r": pos_r.astype("int64")})


def byte_vs_character() -> pd.DataFrame:
    """DuckDB string distances on Chinese names count UTF-8 bytes, not characters."""
    _splink()
    import duckdb

    con = duckdb.connect()
    rows = []
    for a, b in (("王秀英", "王秀瑛"), ("张伟", "張偉"), ("张伟", "张玮"), ("李明", "李明华")):
        lev, jw = con.execute("select levenshtein(?, ?), jaro_winkler_similarity(?, ?)", [a, b, a, b]).fetchone() or (
            0,
            0,
        )
        rows.append({"a": a, "b": b, "duckdb_levenshtein": lev, "characters_differing": _char_lev(a, b),
                     "duckdb_jaro_winkler": round(float(jw), 3)})  # fmt: skip
    return pd.DataFrame(rows)


def _char_lev(a: str, b: str) -> int:
    from rapidfuzz.distance import Levenshtein

    return int(Levenshtein.distance(a, b))
