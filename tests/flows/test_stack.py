"""The pinned stack works together: a bad upgrade of Prefect, FastAPI, pandas, GX or recordlinkage fails here."""

from __future__ import annotations

import importlib.metadata as md

import pandas as pd
import pytest
from prefect import flow, task


def test_pins_are_the_tested_set() -> None:
    """It keeps pandas below 3 (recordlinkage) and FastAPI at 0.150 (Prefect 3.8 server)."""
    assert md.version("pandas").startswith("2.")
    assert md.version("fastapi") == "0.150.0"
    assert md.version("prefect").startswith("3.8.")


@task
def _double(x: int) -> int:
    return 2 * x


@flow
def _tiny_flow(n: int) -> list[int]:
    return [f.result() for f in _double.map(list(range(n)))]


def test_tiny_flow_runs_on_the_ephemeral_server(prefect_harness: None) -> None:
    """It runs a flow with mapped tasks through the pinned Prefect server."""
    assert _tiny_flow(4) == [0, 2, 4, 6]


def test_recordlinkage_compares_on_pinned_pandas() -> None:
    """It builds candidate pairs and compares strings with recordlinkage on this pandas."""
    import recordlinkage

    a = pd.DataFrame({"name": ["zhangwei", "wangxiuying"], "block": ["1", "2"]})
    b = pd.DataFrame({"name": ["zhangwei", "wangxiuyin"], "block": ["1", "2"]})
    pairs = recordlinkage.Index().block("block").index(a, b)
    comp = recordlinkage.Compare()
    comp.string("name", "name", method="jarowinkler", label="name")
    features = comp.compute(pairs, a, b)
    assert len(features) == 2
    assert features["name"].min() > 0.9


def test_great_expectations_validates_offline() -> None:
    """It validates a pandas frame with GX 1.x with analytics off."""
    import great_expectations as gx

    ctx = gx.get_context(mode="ephemeral")
    batch = (
        ctx.data_sources.add_pandas("t")
        .add_dataframe_asset("a")
        .add_batch_definition_whole_dataframe("b")
        .get_batch(batch_parameters={"dataframe": pd.DataFrame({"x": [1, 2, None]})})
    )
    result = batch.validate(gx.expectations.ExpectColumnValuesToNotBeNull(column="x"))
    assert result.success is False
    assert result.result["unexpected_count"] == 1


@pytest.mark.parametrize("module", ["fastapi", "sqlalchemy", "sklearn", "opencc", "pypinyin", "rapidfuzz", "openpyxl"])
def test_imports(module: str) -> None:
    """It imports every runtime library."""
    __import__(module)
