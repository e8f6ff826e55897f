"""score_households end to end on the hand-made county: labels none, few and many."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from favour_county import PERIOD, County, make_county

from hecha.findings import FINDING_COLUMNS
from hecha.policy import Policy, load_policy
from models.favour import ModelStore, score_households
from models.favour.explain import _TEXT, LABELS_ZH
from models.favour.features import FEATURE_NAMES, build_features

NO_FINDINGS = pd.DataFrame(columns=FINDING_COLUMNS)


def _policy(**favour: object) -> Policy:
    p = load_policy()
    return p.model_copy(update={"favour": p.favour.model_copy(update=favour)})


def _outcomes(confirmed: list[str], cleared: list[str], period: str = PERIOD) -> pd.DataFrame:
    rows = [(h, "confirmed") for h in confirmed] + [(h, "cleared") for h in cleared]
    return pd.DataFrame(
        [
            {
                "case_id": f"C{i}",
                "finding": "FAVOUR_RISK",
                "category": "favour",
                "subject_key": f"h:{h}",
                "household_id": h,
                "region_code": "",
                "period": period,
                "decision": d,
                "decided_at": pd.Timestamp("2026-11-05"),
            }
            for i, (h, d) in enumerate(rows)
        ]
    )


def test_zero_labels_unsupervised_finds_planted(county: County, tmp_path: Path) -> None:
    """With no outcomes it uses the unsupervised model and the capped list is mostly planted households."""
    res = score_households(county.dataset, county.index, NO_FINDINGS, load_policy(), None, ModelStore(tmp_path))
    assert res.model_info["kind"] == "unsupervised" and res.model_info["n_labels"] == 0
    assert list(res.findings.columns) == FINDING_COLUMNS
    flagged = set(res.findings["household_id"])
    assert len(flagged & county.favour) >= 0.8 * len(flagged) > 0
    row = res.findings.iloc[0]
    assert row["finding"] == "FAVOUR_RISK" and row["category"] == "favour" and row["id_number"] == ""
    assert row["subject_key"] == f"h:{row['household_id']}" and 0 <= row["score"] <= 1
    assert row["est_monthly_overpayment"] == 300.0 * len(row["evidence"]["records"])
    assert Path(res.model_info["path"]).exists()
    card = json.loads(Path(res.model_info["path"]).with_suffix(".json").read_text(encoding="utf-8"))
    assert card["version"] == res.model_info["version"] and card["features"] == FEATURE_NAMES


def test_cap_and_minimum_score_hold(county: County, tmp_path: Path) -> None:
    """Never more than max_flag_share of roll households, never below min_score."""
    res = score_households(
        county.dataset, county.index, NO_FINDINGS, _policy(max_flag_share=0.01), None, ModelStore(tmp_path)
    )
    assert len(res.findings) <= math.floor(0.01 * 240) and res.model_info["flagged"] == len(res.findings)
    res = score_households(
        county.dataset, county.index, NO_FINDINGS, _policy(min_score=0.99), None, ModelStore(tmp_path)
    )
    assert res.findings.empty


def test_explanations_name_features_with_values(county: County, tmp_path: Path) -> None:
    """Every reason is a real feature, with the household's value, the norm and Chinese text quoting them."""
    res = score_households(county.dataset, county.index, NO_FINDINGS, load_policy(), None, ModelStore(tmp_path))
    for ev in res.findings["evidence"]:
        assert ev["rule_zh"] and ev["summary_zh"].startswith("人情保/关系保风险分")
        assert 1 <= len(ev["reasons"]) <= 3
        for r in ev["reasons"]:
            assert r["feature"] in FEATURE_NAMES and r["text_zh"] in ev["summary_zh"]
            assert r["value"] == pytest.approx(ev["facts"]["features"][r["feature"]], abs=1e-3)
    income = [r for ev in res.findings["evidence"] for r in ev["reasons"] if r["feature"] == "income_shortfall"]
    assert income and "本户申报 40 元" in income[0]["text_zh"] and "中位数" in income[0]["text_zh"]


def test_fairness_ratio_reported(county: County, tmp_path: Path) -> None:
    """The minority-name flag-rate ratio is computed from the list and returned."""
    # the full capped list (no break): both groups flagged, so the ratio is a number to check
    policy = _policy(list_break=False)
    res = score_households(county.dataset, county.index, NO_FINDINGS, policy, None, ModelStore(tmp_path))
    f = res.fairness
    assert f["households"]["minority_name"] == 27 and f["households"]["other"] == 213
    assert f["flagged"]["minority_name"] + f["flagged"]["other"] == len(res.findings)
    rate_min, rate_oth = f["flag_rate"]["minority_name"], f["flag_rate"]["other"]
    assert f["ratio"] == pytest.approx(rate_min / rate_oth)


def test_deterministic(county: County, tmp_path: Path) -> None:
    """Same data and random_state: same scores, same list, same model version."""
    a = score_households(county.dataset, county.index, NO_FINDINGS, load_policy(), None, ModelStore(tmp_path / "a"))
    b = score_households(county.dataset, county.index, NO_FINDINGS, load_policy(), None, ModelStore(tmp_path / "b"))
    pd.testing.assert_frame_equal(a.scores, b.scores)
    assert a.model_info["version"] == b.model_info["version"]
    c = score_households(
        county.dataset, county.index, NO_FINDINGS, _policy(random_state=7), None, ModelStore(tmp_path / "c")
    )
    assert c.model_info["version"] != a.model_info["version"]


def test_handful_of_labels_falls_back(county: County, tmp_path: Path) -> None:
    """Three decisions each way are too few: unsupervised, with the reason, and labels counted."""
    fav = sorted(county.favour)
    res = score_households(
        county.dataset,
        county.index,
        NO_FINDINGS,
        load_policy(),
        _outcomes(fav[:3], ["D0001", "D0002", "D0003"]),
        ModelStore(tmp_path),
    )
    assert res.model_info["kind"] == "unsupervised" and res.model_info["n_labels"] == 6
    assert "标签不足" in res.model_info["fallback_reason"]
    assert set(res.precision["finding"]) >= {"FAVOUR_RISK"}


def test_many_labels_train_a_calibrated_supervised_model(tmp_path: Path) -> None:
    """With enough confirmed and cleared households it trains, calibrates and ranks planted ones first."""
    c = make_county(households=400, favour=30, seed=3)
    fav = sorted(c.favour)
    others = [f"D{h:04d}" for h in range(0, 60)]
    out = _outcomes(fav[:24], others)
    res = score_households(
        c.dataset, c.index, NO_FINDINGS, _policy(calibrate_min_per_class=20), out, ModelStore(tmp_path)
    )
    info = res.model_info
    assert info["kind"] == "supervised" and info["calibrated"] and info["n_labels"] == 84
    top = res.scores["score"].sort_values(ascending=False).index[:30]
    assert len(set(top) & c.favour) >= 27
    unseen = sorted(set(fav[24:]))  # planted households no inspector has decided yet
    assert res.scores.loc[unseen, "score"].min() > res.scores.drop(index=fav)["score"].median()
    ev = res.findings["evidence"].iloc[0]
    assert ev["facts"]["model_kind"] == "supervised" and ev["reasons"]


def test_labels_of_households_gone_from_the_roll_come_from_snapshots(tmp_path: Path) -> None:
    """A confirmed household removed from the roll still trains the model through last month's snapshot."""
    c = make_county(households=300, favour=20, seed=5)
    score_households(
        c.dataset, c.index, NO_FINDINGS, load_policy(), None, ModelStore(tmp_path)
    )  # writes the 2026-10 snapshot
    fav = sorted(c.favour)
    roll = c.dataset.frames["roll"]
    nxt = type(c.dataset)(
        county=c.dataset.county,
        period="2026-11",
        folder=c.dataset.folder,
        frames={**c.dataset.frames, "roll": roll[~roll["household_id"].isin(fav[:10])]},
    )
    out = _outcomes(fav[:10], [f"D{h:04d}" for h in range(10)])
    res = score_households(nxt, c.index, NO_FINDINGS, load_policy(), out, ModelStore(tmp_path))
    assert res.model_info["kind"] == "supervised" and res.model_info["n_labels"] == 20
    assert not set(fav[:10]) & set(res.scores.index)
    assert "unsupervised-" in " ".join(res.precision["finding"])


def test_disabled_or_empty_roll_reports_not_run(county: County, tmp_path: Path) -> None:
    """A disabled model or an empty roll yields no findings and says why (never a silent pass)."""
    res = score_households(
        county.dataset, county.index, NO_FINDINGS, _policy(enabled=False), None, ModelStore(tmp_path)
    )
    assert res.findings.empty and "FAVOUR_RISK" in res.not_run
    frames = {**county.dataset.frames, "roll": county.dataset.frames["roll"].iloc[0:0]}
    empty = type(county.dataset)(county="429006", period=PERIOD, folder=Path("."), frames=frames)
    res = score_households(empty, county.index, NO_FINDINGS, load_policy(), None, ModelStore(tmp_path))
    assert res.findings.empty and "名册为空" in res.not_run["FAVOUR_RISK"]


def test_split_and_handler_burst_reasons_in_chinese(county: County, tmp_path: Path) -> None:
    """The kin-split and handler-burst features explain themselves in Chinese with the household's values."""
    policy = _policy(list_break=False)  # the whole capped list, so a kin-split household is on it
    res = score_households(county.dataset, county.index, NO_FINDINGS, policy, None, ModelStore(tmp_path))
    kin = [r for ev in res.findings["evidence"] for r in ev["reasons"] if r["feature"] == "kin_split_hukou"]
    assert kin and "另有 1 个户主同姓的户口" in kin[0]["text_zh"]
    assert set(FEATURE_NAMES) <= set(_TEXT) and set(FEATURE_NAMES) <= set(LABELS_ZH)
    p = load_policy().favour
    feats = build_features(county.dataset, county.index, NO_FINDINGS, p)
    hid = sorted(county.favour)[0]
    v = float(feats.X["handler_tied_burst"][hid])
    row = feats.context.loc[[hid]].iloc[0]
    text = _TEXT["handler_tied_burst"](row, v, 0.0, p)
    assert (
        text == f"经办人经办0在本户纳入前后 {p.burst_window_days} 天内另纳入 7 户新近分户或与干部、经办人有关联的家庭"
    )


def test_handler_of_own_hukou_is_listed_first(county: County, tmp_path: Path) -> None:
    """A household its handler enrolled from the handler's own hukou (经办未回避) heads the list, whatever its score."""
    roll = county.dataset.frames["roll"].copy()
    own = roll["household_id"] == "D0010"  # an ordinary household: whole hukou, old, on the poverty registry
    roll.loc[own, "handler_id_number"] = roll.loc[own, "id_number"].iloc[0]
    ds = type(county.dataset)(
        county=county.dataset.county,
        period=county.dataset.period,
        folder=county.dataset.folder,
        frames={**county.dataset.frames, "roll": roll},
    )
    feats = build_features(ds, county.index, NO_FINDINGS, load_policy().favour)
    assert feats.context["handler_same_hukou"].sum() == 1 and feats.context.at["D0010", "handler_same_hukou"]
    assert feats.X.at["D0010", "handler_tie"] == 1

    res = score_households(ds, county.index, NO_FINDINGS, load_policy(), None, ModelStore(tmp_path / "on"))
    top = res.findings.iloc[0]
    assert top["household_id"] == "D0010" and top["score"] == 1.0
    ev = top["evidence"]
    assert ev["facts"]["recusal_first"] and ev["facts"]["model_score"] < 1.0
    assert ev["summary_zh"].startswith("经办人") and "没有回避" in ev["summary_zh"]
    assert not any(ev["facts"]["recusal_first"] for ev in res.findings["evidence"].iloc[1:])

    off = score_households(
        ds, county.index, NO_FINDINGS, _policy(recusal_first=False), None, ModelStore(tmp_path / "off")
    )
    assert off.scores.at["D0010", "score"] == pytest.approx(ev["facts"]["model_score"], abs=1e-4)
    assert set(off.findings["household_id"]) == set(res.findings["household_id"]) - {"D0010"}
