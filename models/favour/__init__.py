"""FAVOUR_RISK 人情保/关系保风险: a short ranked list of households for inspectors.

`score_households` builds household features, scores them without labels
(AnomalyScorer) and, once inspectors have decided enough cases both ways,
with a supervised model trained on those decisions (FavourClassifier), then
caps the list, explains every entry in Chinese and reports villages, fairness
and precision. A flag is a reason to verify, never a decision.

When the supervised model trains (policy `min_labels_per_class`, 5): once inspectors have
confirmed at least 5 households and there are at least 5 not-favour examples. Five, because
the supervised model is the anomaly score (not shrunk) plus non-negative, L2-shrunk
re-weightings of the features: it needs only enough positives to say which signs matter in
this county, and with fewer than five a single household is over a fifth of all it knows
about favour. A month's list of 5–10 households reviewed at 60–80% yields 3–7 confirmations,
so a county trains in its second or third month instead of waiting a year for 20 of each.
Until then the card says why (`fallback_reason`) and the unsupervised list is used.

Positive-unlabelled learning: most flagged households are never decided, and inspectors clear
few (a good list has few false alarms), so confirmed-vs-cleared alone would be a handful of
negatives, all hard cases. The not-favour side is therefore inspectors' clearances plus
reliable negatives (`store.reliable_negatives`: never flagged by any month's model, never
decided; a percent or two of them may be favour-based, which the L2 penalty absorbs). Flagged-but-undecided households are left out of training: treating
them as negatives (the naive PU reading) would teach the model that the list itself is clean.
The Elkan–Noto correction (classify labelled vs unlabelled, divide by the label rate) was
not chosen: it assumes labels are a random sample of the positives, and ours are exactly
the positives the unsupervised list ranked highest.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from hecha.dataset import Dataset
from hecha.findings import FINDING_COLUMNS
from hecha.index import PersonIndex
from hecha.policy import FavourPolicy, Policy
from models.favour.explain import ANOMALY, finding_rows
from models.favour.fairness import fairness_report
from models.favour.features import (
    FAMILY_CODES,
    FEATURE_NAMES,
    HouseholdFeatures,
    assert_no_protected,
    build_features,
)
from models.favour.model import AnomalyScorer, FavourClassifier
from models.favour.precision import precision_by_model, precision_by_rule
from models.favour.ranking import VILLAGE_COLUMNS, flagged_list, list_end_note, village_ranking
from models.favour.store import ModelStore, favour_labels, model_version, reliable_negatives, training_set

__all__ = ["FavourResult", "ModelStore", "precision_by_model", "precision_by_rule", "score_households"]
log = logging.getLogger(__name__)
CODE = "FAVOUR_RISK"


@dataclass
class FavourResult:
    findings: pd.DataFrame  # FINDING_COLUMNS, flagged households only
    villages: pd.DataFrame  # ranking.VILLAGE_COLUMNS
    fairness: dict[str, Any]
    model_info: dict[str, Any]
    precision: pd.DataFrame  # precision.PRECISION_COLUMNS
    # every roll household: features, anomaly_score, score, flagged, rule_case (has a rule case this month)
    scores: pd.DataFrame = field(default_factory=pd.DataFrame)
    not_run: dict[str, str] = field(default_factory=dict)  # "FAVOUR_RISK" -> reason, when it did not run


def _fit(
    feats: HouseholdFeatures,
    outcomes: pd.DataFrame | None,
    fp: FavourPolicy,
    models: ModelStore,
    snapshots: pd.DataFrame,
    county: str,
    period: str,
) -> tuple[pd.Series, pd.DataFrame, pd.Series, dict[str, Any], pd.DataFrame]:
    """Score every household; return score, contributions, norms, model card and the scored frame."""
    X = feats.X
    unsup = AnomalyScorer(
        n_estimators=fp.n_estimators, z_weight=fp.z_weight, groups=FAMILY_CODES, random_state=fp.random_state
    )
    anomaly = pd.Series(unsup.fit_risk(X.to_numpy()), index=X.index)
    full = X.assign(**{ANOMALY: anomaly})
    norms = pd.Series(unsup.center_, index=FEATURE_NAMES)
    labels = favour_labels(outcomes)
    Xt, y = training_set(labels, snapshots, full, period)
    n_pos, n_neg = int(y.sum()), int((y == 0).sum())
    rn = reliable_negatives(full, labels, snapshots) if fp.pu_reliable_negatives else full.iloc[:0]
    card: dict[str, Any] = {
        "county": county,
        "period": period,
        "features": FEATURE_NAMES,
        "n_labels": n_pos + n_neg,
        "n_confirmed": n_pos,
        "n_cleared": n_neg,
        "n_reliable_negatives": len(rn),
        "min_labels_per_class": fp.min_labels_per_class,
        "protected_check": "passed",
    }
    if n_pos >= fp.min_labels_per_class and n_neg + len(rn) >= fp.min_labels_per_class:
        sup = FavourClassifier(
            C=fp.C,
            calibrate_min_per_class=fp.calibrate_min_per_class,
            anomaly_last=True,  # ANOMALY is full's last column: the unsupervised ranking is the prior
            random_state=fp.random_state,
        )
        Xt = pd.concat([Xt, rn[Xt.columns].set_axis("rn:" + rn.index.astype(str), axis=0)])
        y = pd.concat([y, pd.Series(0, index=Xt.index[len(y) :])]).astype(int)
        sup.fit(Xt.to_numpy(), y.to_numpy())
        score = pd.Series(sup.predict_proba(full.to_numpy())[:, 1], index=X.index)
        contrib = pd.DataFrame(sup.contributions(full.to_numpy()), index=X.index, columns=full.columns)
        params = sup.get_params()
        card |= {
            "kind": "supervised",
            "estimator": "PositiveLogisticRegression" if sup.nonnegative else "LogisticRegression",
            "calibrated": sup.calibrated_,
            "version": model_version(Xt, params, y),
            "params": params,
            "coefficients": dict(
                zip(full.columns, np.round(sup.explainer_.named_steps["lr"].coef_[0], 4).tolist(), strict=True)
            ),
        }
        model: object = sup
        norms[ANOMALY] = float(anomaly.median())
    else:
        score, model, params = anomaly, unsup, unsup.get_params()
        contrib = pd.DataFrame(unsup.deviations(X.to_numpy()), index=X.index, columns=FEATURE_NAMES)
        card |= {
            "kind": "unsupervised",
            "estimator": "AnomalyScorer(robust z + IsolationForest)",
            "version": model_version(X, params, None),
            "params": params,
        }
        card["fallback_reason"] = (
            f"标签不足，仍用无监督模型：核实属实 {n_pos} 户、排除 {n_neg} 户（另有可靠负例 {len(rn)} 户），"
            f"核实属实与非人情保两类各至少需 {fp.min_labels_per_class} 户 "
            f"(too few decisions: {n_pos} confirmed, {n_neg} cleared + {len(rn)} reliable negatives; "
            f"{fp.min_labels_per_class} of each kind needed)"
        )
    card["path"] = str(models.save_model(model, card))
    return score, contrib, norms, card, full


def score_households(
    dataset: Dataset,
    index: PersonIndex,
    rule_findings: pd.DataFrame,
    policy: Policy,
    outcomes: pd.DataFrame | None,
    models: ModelStore,
) -> FavourResult:
    """Rank roll households by favour risk; explain, cap, and report villages, fairness and precision.

    `outcomes` are inspectors' decisions so far (cases.outcomes.load_outcomes, or None before any);
    `models` is where this county's models and feature snapshots persist.
    """
    fp = policy.favour
    assert_no_protected(FEATURE_NAMES)
    if dataset.frames["roll"].empty or not fp.enabled:
        return FavourResult(
            pd.DataFrame(columns=FINDING_COLUMNS),
            pd.DataFrame(columns=VILLAGE_COLUMNS),
            {},
            {"kind": "none", "n_labels": 0},
            precision_by_rule(outcomes),
            not_run={CODE: "名册为空 empty roll" if fp.enabled else "策略已关闭 disabled by policy"},
        )
    feats = build_features(dataset, index, rule_findings, fp)
    snapshots = models.snapshots(dataset.county)  # before this month's is written
    score, contrib, norms, card, full = _fit(feats, outcomes, fp, models, snapshots, dataset.county, dataset.period)
    already = set(feats.context.index[feats.context["rule_cases"] > 0])
    recusal = feats.context["handler_same_hukou"].reindex(score.index, fill_value=False) & fp.recusal_first
    model_score = score
    score = score.mask(recusal, 1.0)  # 经办未回避: first on the list whatever the model says
    flagged, list_end = flagged_list(score, fp, already, floor_by=full[ANOMALY], first=recusal)
    scored = full.assign(score=score, flagged=flagged, model_kind=card["kind"], model_version=card["version"])
    models.save_snapshot(scored, dataset.county, dataset.period)
    findings = finding_rows(dataset, feats, full, score, flagged, contrib, norms, card, fp, model_score, recusal)
    fairness = fairness_report(feats.context["head_name"], flagged, fp.fairness_ratio_warn)
    parts = [precision_by_rule(outcomes), precision_by_model(outcomes, snapshots).rename(columns={"model": "finding"})]
    precision = pd.concat([p for p in parts if not p.empty] or parts[:1], ignore_index=True)
    info = {k: card[k] for k in ("kind", "version", "n_labels", "n_confirmed", "n_cleared", "path")}
    info |= {
        "calibrated": card.get("calibrated", False),
        "fallback_reason": card.get("fallback_reason", ""),
        "n_reliable_negatives": card["n_reliable_negatives"],
        "flagged": int(flagged.sum()),
        "households": len(score),
        "list_end": list_end,
        "list_note_zh": list_end_note(list_end, int(flagged.sum()), fp, int((flagged & recusal).sum())),
    }
    log.info(
        "favour risk: %s model %s, %d of %d households flagged",
        info["kind"],
        info["version"],
        info["flagged"],
        len(score),
    )
    return FavourResult(
        findings,
        village_ranking(feats.context, score, flagged),
        fairness,
        info,
        precision,
        scored.drop(columns=["model_kind", "model_version"]).assign(
            rule_case=feats.context["rule_cases"].reindex(score.index) > 0
        ),
    )
