"""The favour-risk scorers pass scikit-learn's own estimator conformance checks."""

from __future__ import annotations

from collections.abc import Callable

from sklearn.base import BaseEstimator
from sklearn.utils.estimator_checks import parametrize_with_checks

from models.favour.model import AnomalyScorer, FavourClassifier, PositiveLogisticRegression


@parametrize_with_checks(
    [
        AnomalyScorer(n_estimators=20, random_state=0),
        FavourClassifier(random_state=0),
        FavourClassifier(nonnegative=False, random_state=0),
        PositiveLogisticRegression(),
    ]
)
def test_sklearn_conformance(estimator: BaseEstimator, check: Callable[[BaseEstimator], None]) -> None:
    """It fits, predicts, validates input and stores learned state as scikit-learn defines an estimator to."""
    check(estimator)
