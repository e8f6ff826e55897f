"""The two favour-risk scorers, as scikit-learn estimators.

`AnomalyScorer` needs no labels: a county has none before its first inspections.
Every feature is oriented "higher = more suspicious", so it measures how far
*above* the county median a household is (a one-sided robust z) and blends
that with an IsolationForest over the same z-scores, which catches unusual
combinations no single feature shows. It is an outlier detector as scikit-learn
defines one: `score_samples` is lower for the more abnormal, `decision_function`
is negative and `predict` is -1 for the share `contamination` of the fitted
households; `risk` is the 0–1 score the favour stage ranks by (higher = look first).

`FavourClassifier` learns from inspectors' decisions (confirmed vs cleared) once
there are enough of both. It is a logistic regression because its
coefficient × standardised value is an honest per-household explanation; its
coefficients are bounded at zero (`PositiveLogisticRegression`: every feature means
"more suspicious" as it grows, and a few labels must not turn a sign into a pardon); it is
calibrated (sigmoid, 3-fold) once each class has enough labels.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin, OutlierMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import IsolationForest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import Tags
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data


def binary_classes(y: np.ndarray, needs_two: str) -> tuple[np.ndarray, np.ndarray]:
    """Classes and each label's class index, checked as scikit-learn checks a binary-only classifier."""
    check_classification_targets(y)
    y_type = type_of_target(y, input_name="y", raise_unknown=True)
    if y_type != "binary":
        raise ValueError(f"Only binary classification is supported. The type of the target is {y_type}.")
    classes, index = np.unique(y, return_inverse=True)
    if len(classes) != 2:
        raise ValueError(f"{needs_two}; got {len(classes)} class")
    return classes, index


class AnomalyScorer(OutlierMixin, BaseEstimator):
    """Unsupervised risk 0–1 from one-sided robust z-scores and an IsolationForest."""

    def __init__(
        self,
        n_estimators: int = 200,
        z_weight: float = 0.5,
        z_clip: float = 6.0,
        top_k: int = 4,
        z_half: float = 6.0,
        contamination: float = 0.05,
        groups: tuple[int, ...] | None = None,
        random_state: int | None = None,
    ) -> None:
        self.n_estimators = n_estimators
        self.z_weight = z_weight
        self.z_clip = z_clip
        self.top_k = top_k
        self.z_half = z_half
        self.contamination = contamination
        self.groups = groups
        self.random_state = random_state

    def fit(self, X: np.ndarray, y: object = None) -> AnomalyScorer:
        self.fit_risk(X)
        return self

    def fit_risk(self, X: np.ndarray, y: object = None) -> np.ndarray:
        """Fit, and return the risk of the fitted households (as `risk(X)`, computed once, not twice)."""
        X = validate_data(self, X, dtype=np.float64)
        self.center_ = np.median(X, axis=0)
        dev = np.abs(X - self.center_)
        mad = np.median(dev, axis=0) * 1.4826
        # A rare yes/no feature has MAD 0; its mean deviation still says how rare "yes" is.
        mean_ad = dev.mean(axis=0) * 1.2533
        self.scale_ = np.where(mad > 0, mad, np.where(mean_ad > 0, mean_ad, 1.0))
        if not 0.0 < self.contamination <= 0.5:
            raise ValueError(f"contamination must be in (0, 0.5], got {self.contamination!r}")
        self.forest_ = IsolationForest(n_estimators=self.n_estimators, random_state=self.random_state)
        Z = self._z(X)
        self.forest_.fit(Z)
        risk = self._risk(Z)
        # decision_function < 0 for the `contamination` share of the fitted households
        self.offset_ = float(np.percentile(-risk, 100.0 * self.contamination))
        return risk

    def _z(self, X: np.ndarray) -> np.ndarray:
        return np.clip((X - self.center_) / self.scale_, 0.0, self.z_clip)

    def z_scores(self, X: np.ndarray) -> np.ndarray:
        """How far above the county median each value is, in robust standard deviations (≥ 0)."""
        check_is_fitted(self)
        return self._z(validate_data(self, X, dtype=np.float64, reset=False))

    def deviations(self, X: np.ndarray) -> np.ndarray:
        """Unclipped one-sided z: orders the reasons when several features hit the clip."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return np.maximum((X - self.center_) / self.scale_, 0.0)

    def risk(self, X: np.ndarray) -> np.ndarray:
        """Favour risk 0–1: the sum of the largest z-scores, squashed, blended with the forest's isolation."""
        return self._risk(self.z_scores(X))

    def _risk(self, Z: np.ndarray) -> np.ndarray:
        F = self._family_max(Z)
        k = min(self.top_k, F.shape[1])
        top = np.sort(F, axis=1)[:, ::-1][:, :k].sum(axis=1)
        z_part = top / (top + self.z_half)
        forest_part = -self.forest_.score_samples(Z)  # 0.5 ≈ ordinary, → 1 isolated
        return np.asarray(np.clip(self.z_weight * z_part + (1 - self.z_weight) * forest_part, 0.0, 1.0))

    def _family_max(self, Z: np.ndarray) -> np.ndarray:
        """One z per evidence family (its largest), so one fact seen through several features counts once."""
        if self.groups is None or len(self.groups) != Z.shape[1]:
            return Z
        fam = np.asarray(self.groups)
        return np.column_stack([Z[:, fam == g].max(axis=1) for g in np.unique(fam)])

    def score_samples(self, X: np.ndarray) -> np.ndarray:
        """The opposite of the risk, as scikit-learn wants it: the lower, the more abnormal."""
        return -self.risk(X)

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        """Negative for outliers: the score shifted by the fitted offset."""
        check_is_fitted(self)
        return self.score_samples(X) - self.offset_

    def predict(self, X: np.ndarray) -> np.ndarray:
        """-1 for an outlier (a household to look at first), 1 for the rest."""
        return np.where(self.decision_function(X) < 0, -1, 1)


class PositiveLogisticRegression(ClassifierMixin, BaseEstimator):
    """Binary logistic regression whose coefficients are all ≥ 0 (L2-penalised, balanced classes).

    Every favour feature is oriented "higher = more suspicious", so a fitted weight below zero
    can only mean the few households decided so far happened to lack that sign (the planted
    ones of one month had no 户籍 gap, say); with a handful of labels such weights would push
    the next month's favour households down for showing a real warning sign. Bounding them at
    zero lets the labels re-weight the signs, never invert one.

    `free_last`: the last column is the unsupervised anomaly score and is not penalised, so
    with few labels the model stays close to the unsupervised ranking and departs from it
    only as far as the decisions insist (the L2 penalty shrinks the other weights, not it).
    """

    def __init__(self, C: float = 1.0, free_last: bool = False) -> None:
        self.C = C
        self.free_last = free_last

    def __sklearn_tags__(self) -> Tags:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        tags.classifier_tags.poor_score = True  # generic datasets have signs both ways
        return tags

    def fit(self, X: np.ndarray, y: np.ndarray) -> PositiveLogisticRegression:
        X, y = validate_data(self, X, y, dtype=np.float64)
        self.classes_, t = binary_classes(y, "PositiveLogisticRegression needs samples of 2 classes")
        counts = np.bincount(t)
        w = (len(t) / (2.0 * counts))[t]  # class_weight="balanced"
        d = X.shape[1]
        penalty = np.ones(d) / self.C
        if self.free_last:
            penalty[-1] = 0.0  # the prior score: not shrunk

        def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
            z = X @ theta[:d] + theta[d]
            p = expit(z)
            value = float(np.sum(w * (np.logaddexp(0.0, z) - t * z)) + 0.5 * theta[:d] @ (penalty * theta[:d]))
            g = w * (p - t)
            return value, np.append(X.T @ g + penalty * theta[:d], g.sum())

        res = minimize(loss, np.zeros(d + 1), jac=True, method="L-BFGS-B", bounds=[(0.0, None)] * d + [(None, None)])
        self.coef_ = res.x[:d].reshape(1, -1)
        self.intercept_ = res.x[d:]
        return self

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return np.asarray(X @ self.coef_[0] + self.intercept_[0])

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        p = expit(self.decision_function(X))
        return np.column_stack([1 - p, p])

    def predict(self, X: np.ndarray) -> np.ndarray:
        check_is_fitted(self)
        return np.asarray(self.classes_[(self.decision_function(X) > 0).astype(int)])


class FavourClassifier(ClassifierMixin, BaseEstimator):
    """Supervised risk: P(confirmed) from features plus the anomaly score."""

    def __init__(
        self,
        C: float = 1.0,
        calibrate_min_per_class: int = 20,
        nonnegative: bool = True,
        anomaly_last: bool = False,
        random_state: int | None = None,
    ) -> None:
        self.C = C
        self.calibrate_min_per_class = calibrate_min_per_class
        self.nonnegative = nonnegative
        self.anomaly_last = anomaly_last
        self.random_state = random_state

    def _base(self) -> Pipeline:
        lr: BaseEstimator = (
            PositiveLogisticRegression(C=self.C, free_last=self.anomaly_last)
            if self.nonnegative
            else LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000, random_state=self.random_state)
        )
        return Pipeline([("scale", StandardScaler()), ("lr", lr)])

    def __sklearn_tags__(self) -> Tags:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False  # confirmed vs cleared, nothing else
        # bounded at zero, it cannot fit a generic dataset whose signs run both ways (by design)
        tags.classifier_tags.poor_score = self.nonnegative
        return tags

    def fit(self, X: np.ndarray, y: np.ndarray) -> FavourClassifier:
        X, y = validate_data(self, X, y, dtype=np.float64)
        self.classes_, t = binary_classes(
            y, "需要“核实属实”和“排除”两类标签 FavourClassifier needs labels of 2 classes (confirmed, cleared)"
        )
        counts = np.bincount(t)
        self.explainer_ = self._base().fit(X, y)
        self.calibrated_ = bool(counts.min() >= self.calibrate_min_per_class)
        if self.calibrated_:
            self.model_ = CalibratedClassifierCV(clone(self._base()), method="sigmoid", cv=3).fit(X, y)
        else:
            self.model_ = self.explainer_
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        check_is_fitted(self)
        return np.asarray(self.model_.predict_proba(validate_data(self, X, dtype=np.float64, reset=False)))

    def predict(self, X: np.ndarray) -> np.ndarray:
        check_is_fitted(self)
        return np.asarray(self.classes_[(self.predict_proba(X)[:, 1] >= 0.5).astype(int)])

    def contributions(self, X: np.ndarray) -> np.ndarray:
        """Coefficient × standardised value per feature: what pushed this household's log-odds."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        scaled = self.explainer_.named_steps["scale"].transform(X)
        return np.asarray(scaled * self.explainer_.named_steps["lr"].coef_[0])
