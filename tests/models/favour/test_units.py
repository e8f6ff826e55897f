"""Precision, fairness and the estimators on their own, with tiny inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from hecha.policy import load_policy
from models.favour import precision_by_rule
from models.favour.fairness import fairness_report, is_minority_name, ratio_interval, wilson
from models.favour.model import AnomalyScorer, FavourClassifier
from models.favour.ranking import clear_break, flagged_list, list_end_note, select_flagged


def test_precision_by_rule_counts_decisions() -> None:
    """confirmed/included/rectified count as confirmed, cleared as false positive, open ones not at all."""
    o = pd.DataFrame(
        {
            "finding": ["VEHICLE_OWNED"] * 4 + ["FAVOUR_RISK"] * 3 + ["MISSED_DIBAO"],
            "decision": ["confirmed", "rectified", "cleared", "open", "cleared", "cleared", "included", "open"],
        }
    )
    t = precision_by_rule(o).set_index("finding")
    assert list(t.loc["VEHICLE_OWNED"]) == [2, 1, pytest.approx(2 / 3, abs=1e-4)]
    assert t.loc["FAVOUR_RISK", "precision"] == pytest.approx(1 / 3, abs=1e-4)
    assert "MISSED_DIBAO" not in t.index
    assert precision_by_rule(None).empty


def test_minority_names() -> None:
    """Separators or a long transliterated name mark a minority-looking name; Han names do not."""
    assert (
        is_minority_name("阿卜杜拉·艾力") and is_minority_name("买买提.吐尔逊") and is_minority_name("古丽娜尔买买提")
    )
    assert not is_minority_name("张伟") and not is_minority_name("欧阳娜娜") and not is_minority_name(None)


def test_fairness_ratio_and_warning() -> None:
    """Flag rates by group, their ratio, a warning past the threshold, and none for a tiny group."""
    names = pd.Series(["阿卜杜拉·艾力"] * 40 + ["张伟"] * 160, index=[f"h{i}" for i in range(200)])
    flagged = pd.Series(False, index=names.index)
    flagged.iloc[[0, 1, 2, 3, 40, 41, 42, 43]] = True  # 4/40 vs 4/160
    f = fairness_report(names, flagged, 1.25)
    assert f["ratio"] == pytest.approx(4.0) and f["warn"] and "4.00 倍" in f["note_zh"]
    flagged.iloc[[0, 1, 2, 3]] = False  # 0/40 vs 4/160
    f = fairness_report(names, flagged, 1.25)
    assert f["ratio"] == 0.0 and f["warn"]
    small = fairness_report(names.iloc[36:], flagged.iloc[36:], 1.25)  # 4 minority-name households
    assert small["ratio"] == 0.0 and not small["warn"] and "仅供参考" in small["note_zh"]


def test_fairness_intervals_small_groups() -> None:
    """Wilson intervals for the rates and a Katz interval for the ratio; a small group gets a wide one."""
    assert wilson(0, 10) is not None and wilson(0, 10)[0] == 0.0 and 0.25 < wilson(0, 10)[1] < 0.35
    lo, hi = wilson(50, 100)  # type: ignore[misc]
    assert lo < 0.5 < hi and abs((lo + hi) / 2 - 0.5) < 1e-9
    small = ratio_interval(1, 10, 30, 1000)  # 10% vs 3%
    large = ratio_interval(100, 1000, 30, 1000)
    assert small is not None and large is not None
    assert small[0] < 10 / 3 < small[1] and large[0] < 10 / 3 < large[1]
    assert small[1] - small[0] > 3 * (large[1] - large[0])
    zero = ratio_interval(0, 12, 20, 500)
    assert zero is not None and zero[0] < 1 < zero[1]  # nobody flagged among 12: cannot tell
    names = pd.Series(["艾力·买买提"] * 12 + ["王伟"] * 500)
    rep = fairness_report(names, pd.Series([False] * 12 + [True] * 20 + [False] * 480), 1.25)
    assert rep["ratio"] == 0.0 and rep["ratio_ci95"] == pytest.approx(zero) and "置信区间" in rep["note_zh"]


def test_select_flagged_cap_and_floor() -> None:
    """The cap is a share of all households; ties beyond it stay off; nothing under the floor."""
    p = load_policy().favour.model_copy(update={"max_flag_share": 0.05, "min_score": 0.5, "list_break": False})
    s = pd.Series(np.linspace(0, 1, 100), index=[f"h{i}" for i in range(100)])
    f = select_flagged(s, p)
    assert f.sum() == 5 and f[["h99", "h95"]].all() and not f["h94"]
    assert select_flagged(pd.Series([0.4] * 100), p).sum() == 0
    # households that already have a rule case this month give their places to the next ones
    g = select_flagged(s, p, {"h99", "h98"})
    assert g.sum() == 5 and not g[["h99", "h98"]].any() and g[["h97", "h93"]].all()


def test_select_flagged_ends_at_the_sharpest_drop() -> None:
    """The list stops where scores fall most sharply (not before min_flag_share, never past the cap)."""
    p = load_policy().favour.model_copy(update={"max_flag_share": 0.10, "min_flag_share": 0.02, "min_score": 0.5})
    s = pd.Series([0.95, 0.94, 0.93, 0.92, 0.80, 0.79] + [0.78 - i * 0.001 for i in range(94)])
    assert select_flagged(s, p).sum() == 4  # 0.92 -> 0.80 is the drop
    assert select_flagged(s, p.model_copy(update={"min_flag_share": 0.05})).sum() == 5  # at least 5 places
    flat = pd.Series(np.linspace(1, 0.9, 100))
    assert 2 <= select_flagged(flat, p).sum() <= 10


def _tail(rng: np.random.Generator, n: int = 12_000, top: int = 400) -> np.ndarray:
    """The top scores of a county where nobody stands apart: one smooth (gamma-like) tail."""
    return np.sort(0.5 + rng.gamma(2.0, 0.03, n))[::-1][:top]


def test_clear_break_rarely_fires_on_a_smooth_tail() -> None:
    """Calibrated: with nobody standing apart, a clear break shows in about p of counties, not more."""
    rng = np.random.default_rng(5)
    fired = sum(clear_break(_tail(rng), 0.05) is not None for _ in range(400))
    assert fired <= 0.05 * 400 * 1.6  # ≤ 32 of 400 (binomial mean 20, sd 4.4)
    assert clear_break(_tail(rng, top=20), 0.05) is None  # too few scores below any drop to judge
    # tied scores (households with the same features): a drop after a tie is not a clear drop by itself
    tied = sum(clear_break(np.round(_tail(rng), 3), 0.05) is not None for _ in range(400))
    assert tied <= 0.05 * 400 * 1.6


def test_clear_break_finds_the_group_that_stands_apart() -> None:
    """A group above the tail ends there; a few extreme households above it do not hide it."""
    rng = np.random.default_rng(6)
    tail = _tail(rng)
    group = np.sort(tail[0] + 0.1 + rng.uniform(0, 0.04, 22))[::-1]
    assert clear_break(np.concatenate([group, tail]), 0.01) == 22
    extreme = np.sort(group[0] + 1.0 + rng.uniform(0, 0.02, 3))[::-1]  # clearer than the group's drop
    assert clear_break(np.concatenate([extreme, group, tail]), 0.01) == 25
    assert clear_break(np.round(np.concatenate([group, tail]), 3), 0.01) == 22  # found through ties too
    # a clear break ends the list even before min_flag_share; no clear break: the floor holds
    scores = pd.Series(np.concatenate([group, tail, np.full(11_578, 0.4)]))
    p = load_policy().favour.model_copy(update={"max_flag_share": 0.03, "min_flag_share": 0.003})
    assert select_flagged(scores, p).sum() == 22
    assert select_flagged(scores, p.model_copy(update={"break_p": 0.0})).sum() == 36  # 0.3% of 12,000
    # only drops within `limit` places may end the list (select_flagged: the floor); the rest is the floor's rule
    deep = np.concatenate([tail[:250], tail[250:] - 0.2])
    assert clear_break(deep, 0.01) == 250 and clear_break(deep, 0.01, limit=36) is None
    assert clear_break(np.concatenate([group, deep]), 0.01, limit=36) == 22


def test_the_list_says_why_it_has_its_length() -> None:
    """The run records how the list ended, and the report says it in Chinese."""
    rng = np.random.default_rng(6)
    tail = _tail(rng)
    group = np.sort(tail[0] + 0.1 + rng.uniform(0, 0.04, 22))[::-1]
    scores = pd.Series(np.concatenate([group, tail, np.full(11_578, 0.4)]), index=[f"h{i}" for i in range(12_000)])
    p = load_policy().favour.model_copy(update={"max_flag_share": 0.03, "min_flag_share": 0.003})
    first = pd.Series(scores.index == "h500", index=scores.index)
    flagged, how = flagged_list(scores, p, first=first)
    assert (how, int(flagged.sum())) == ("clear_drop", 23) and flagged["h500"]
    note = list_end_note(how, 23, p, first=1)
    assert "名单 23 户" in note and "显著落差" in note and "低于 1%" in note and "经办未回避 1 户" in note
    assert flagged_list(scores, p.model_copy(update={"break_p": 0.0}))[1] == "floor"
    assert "0.3%" in list_end_note("floor", 36, p)
    assert flagged_list(scores, p.model_copy(update={"list_break": False}))[1] == "cap"
    assert flagged_list(scores.clip(upper=0.45), p)[1] == "all_eligible"
    assert "名单为空" in list_end_note("all_eligible", 0, p)


def test_select_flagged_length_from_the_unsupervised_risk() -> None:
    """A supervised probability chooses who fills the list; the unsupervised risk sets how long it is."""
    p = load_policy().favour.model_copy(update={"max_flag_share": 0.10, "min_flag_share": 0.0, "min_score": 0.5})
    idx = [f"h{i:02d}" for i in range(100)]
    risk = pd.Series([0.95, 0.94, 0.93, 0.92, 0.91, 0.70] + [0.69 - i * 0.001 for i in range(94)], index=idx)
    prob = pd.Series(np.linspace(0.2, 0.01, 100), index=idx)
    prob[["h03", "h40"]] = [0.99, 0.98]  # learned: these two first, then nothing stands out
    assert select_flagged(prob, p).sum() == 2  # cut by its own sharpest drop
    got = select_flagged(prob, p, floor_by=risk)
    assert got.sum() == 5  # the risk's drop after place 5
    assert set(got.index[got]) == {"h03", "h40", "h00", "h01", "h02"}  # filled in probability order
    risk["h40"] = 0.4  # below min_score by the unsupervised risk: never listed
    assert not select_flagged(prob, p, floor_by=risk)["h40"]


def test_anomaly_scorer_conventions() -> None:
    """__init__ only stores; fit returns self; learned state ends in _; random_state makes it repeatable."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 4))
    X[:5, :2] += 5  # several signals at once: one extreme value alone is clipped by design
    est = AnomalyScorer(n_estimators=50, random_state=1)
    assert est.get_params()["n_estimators"] == 50 and not hasattr(est, "center_")
    with pytest.raises(NotFittedError):
        est.risk(X)
    assert est.fit(X) is est
    s = est.risk(X)
    assert ((s >= 0) & (s <= 1)).all() and set(np.argsort(-s)[:5]) == set(range(5))
    np.testing.assert_array_equal(s, clone(est).fit(X).risk(X))
    np.testing.assert_array_equal(est.score_samples(X), -s)  # scikit-learn: lower is more abnormal
    assert set(np.flatnonzero(est.predict(X) == -1)) >= set(range(5))
    assert (est.z_scores(X) >= 0).all() and est.z_scores(X).max() <= est.z_clip


def test_classifier_needs_both_classes_and_explains() -> None:
    """It refuses one-class labels; contributions point at the informative feature."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = (X[:, 1] > 0).astype(int)
    with pytest.raises(ValueError):
        FavourClassifier().fit(X, np.ones(60, dtype=int))
    clf = FavourClassifier(calibrate_min_per_class=20, random_state=0).fit(X, y)
    assert clf.calibrated_ and (clf.predict(X) == y).mean() > 0.9
    contrib = clf.contributions(X[y == 1])
    assert (contrib.argmax(axis=1) == 1).mean() > 0.8


def test_training_set_prefers_snapshot_and_survives_old_snapshots() -> None:
    """A decision uses the features of the month it was flagged; snapshot rows missing a feature fall back."""
    from models.favour.features import FEATURE_NAMES
    from models.favour.store import ANOMALY, training_set

    cols = [*FEATURE_NAMES, ANOMALY]
    current = pd.DataFrame(0.0, index=["h1", "h2"], columns=cols)
    snap = pd.DataFrame(1.0, index=[0, 1], columns=cols).assign(household_id=["h1", "h2"], period="2026-09")
    snap.loc[1, "shared_contact"] = np.nan  # written before that feature existed
    labels = pd.DataFrame({"household_id": ["h1", "h2"], "period": ["2026-09", "2026-09"], "label": [1, 0]})
    X, y = training_set(labels, snap, current, "2026-10")
    assert y.tolist() == [1, 0]
    assert X.iloc[0].eq(1.0).all() and X.iloc[1].eq(0.0).all()


def test_select_flagged_recusal_cases_come_on_top() -> None:
    """Households listed first (经办未回避) get places whatever their score, on top of the scored list, within the cap."""
    p = load_policy().favour.model_copy(update={"max_flag_share": 0.10, "min_flag_share": 0.0, "min_score": 0.5})
    idx = [f"h{i:02d}" for i in range(100)]
    s = pd.Series([0.95, 0.94, 0.93, 0.70] + [0.69 - i * 0.001 for i in range(96)], index=idx)
    base = select_flagged(s, p)
    assert set(base.index[base]) == {"h00", "h01", "h02"}
    first = pd.Series(False, index=idx)
    first[["h90", "h01"]] = True  # h90 scores 0.60, below every other listed household
    got = select_flagged(s, p, first=first)
    assert set(got.index[got]) == {"h90", "h01", "h00", "h02"}  # the rest still ends at its drop, 0.93 -> 0.70
    assert not select_flagged(s, p, {"h90"}, first=first)["h90"]  # a rule case this month is visited through it
    floored = select_flagged(s, p.model_copy(update={"min_flag_share": 0.05}), first=first)
    assert floored.sum() == 5 and floored[["h90", "h01", "h03"]].all()  # the floor counts the whole list
    many = pd.Series(True, index=idx)
    assert select_flagged(s, p, first=many).sum() == 10  # never past the cap
