"""Three months of inspectors on a small generated county, through the real case store and workflow.

The loop is the benchmark's (benchmarks/favour_loop.py): write_run, assign/decide on a random
60–80% of the open FAVOUR_RISK cases (confirmed where planted, cleared otherwise), decisions
read back with load_outcomes, and the favour stage trained on them the next month.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from benchmarks.favour_loop import CountySpec, simulate
from hecha.policy import load_policy


@pytest.mark.slow
def test_three_months_of_decisions_train_the_supervised_model(tmp_path: Path) -> None:
    rows, fires = simulate(CountySpec(seed=13, households=1500, clans=0.8), load_policy(), tmp_path)
    t = pd.DataFrame(rows).set_index(["month", "model"])
    # month 1 has no decisions: both pipelines are the same unsupervised model
    assert t.loc[(1, "learning"), "kind"] == "unsupervised" and t.loc[(1, "learning"), "reviewed"] > 0
    learned = t.xs("learning", level="model")
    trained = learned.index[learned["kind"] == "supervised"]
    assert len(trained) > 0, learned[["kind", "labels(conf/clr/rn)"]]
    for m in trained:
        sup, uns = t.loc[(m, "learning")], t.loc[(m, "unsupervised")]
        assert sup["k"] == uns["k"] > 0
        assert sup["recall@k"] >= uns["recall@k"]  # precision@k at k = planted count: the same figure
        conf = int(str(sup["labels(conf/clr/rn)"]).split("/")[0])
        assert conf >= load_policy().favour.min_labels_per_class  # labels came back from the case store
    # the month-1 firing report covers every feature, as shares
    assert ((fires >= 0) & (fires <= 1)).all().all() and len(fires) > 10
    assert (fires["reason"] <= fires["> 0"] + 1e-9).all()
