"""The sign-constrained logistic regression: a scikit-learn estimator that keeps declared signs."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.utils.estimator_checks import parametrize_with_checks

from scorer.learn.constrained import SignConstrainedLogisticRegression


@parametrize_with_checks(
    [SignConstrainedLogisticRegression(), SignConstrainedLogisticRegression(C=0.1, class_weight="balanced")]
)
def test_sklearn_compatible(estimator, check) -> None:  # type: ignore[no-untyped-def]
    check(estimator)


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.RandomState(0)
    X = rng.randn(400, 4)
    y = (X @ np.array([1.0, -2.0, 0.5, 0.0]) + rng.randn(400) > 0).astype(int)
    return X, y


def test_unconstrained_is_sklearn_logistic_regression() -> None:
    X, y = _data()
    w = np.linspace(0.5, 2.0, len(y))
    ours = SignConstrainedLogisticRegression(C=0.5, class_weight="balanced").fit(X, y, sample_weight=w)
    ref = LogisticRegression(C=0.5, class_weight="balanced", tol=1e-10, max_iter=10_000).fit(
        X, y, sample_weight=w
    )
    assert np.allclose(ours.coef_, ref.coef_, atol=1e-4) and np.allclose(
        ours.intercept_, ref.intercept_, atol=1e-4
    )


def test_signs_are_kept_and_unsupported_codes_get_zero() -> None:
    X, y = _data()
    # Column 0 helps, column 1 hurts: asking the opposite leaves both at exactly 0.
    model = SignConstrainedLogisticRegression(C=1.0, signs=[-1, 1, 1, 0]).fit(X, y)
    assert model.coef_[0, 0] == 0.0 and model.coef_[0, 1] == 0.0
    assert model.coef_[0, 2] > 0.0


def test_bad_signs_are_refused() -> None:
    X, y = _data()
    with pytest.raises(ValueError, match="signs"):
        SignConstrainedLogisticRegression(signs=[1, 2, 0, 0]).fit(X, y)
    with pytest.raises(ValueError, match="signs"):
        SignConstrainedLogisticRegression(signs=[1]).fit(X, y)
