"""A logistic regression whose coefficients keep declared signs: a scikit-learn estimator.

Every signal code declares its direction (`features.directions`): a flag may only lower the score,
a piece of evidence only raise it. An unconstrained logistic regression over correlated signals gives
some of them the wrong sign (a byline that lowers the score, a flag that raises it) and the
explanation of a score then points the wrong way. Here the signs are bounds of the optimisation
(L-BFGS-B), so a code that the data cannot support in its declared direction gets exactly 0 instead.

The objective is scikit-learn's `LogisticRegression(penalty="l2")`: sum of sample-weighted log losses
plus `||w||^2 / (2C)`, the intercept unpenalised.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data


class SignConstrainedLogisticRegression(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Binary L2 logistic regression with per-coefficient sign constraints.

    Parameters
    ----------
    C : float, default=1.0
        Inverse regularisation strength, as in `LogisticRegression`.
    signs : sequence of {-1, 0, 1} or None, default=None
        One per feature: -1 keeps the coefficient <= 0, 1 keeps it >= 0, 0 leaves it free. None: all free.
    class_weight : "balanced", dict or None, default=None
        As in `LogisticRegression`.
    max_iter : int, default=2000
    tol : float, default=1e-8
        Tolerance of L-BFGS-B on the projected gradient.
    """

    def __init__(
        self,
        C: float = 1.0,
        signs: Sequence[int] | None = None,
        class_weight: Any = None,
        max_iter: int = 2000,
        tol: float = 1e-8,
    ) -> None:
        self.C = C
        self.signs = signs
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.tol = tol

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> SignConstrainedLogisticRegression:
        """Fit the model; returns self."""
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        self.classes_ = np.unique(y)
        if len(self.classes_) > 2:
            raise ValueError(f"Only binary classification is supported: y has {len(self.classes_)} classes")
        if len(self.classes_) < 2:
            raise ValueError(f"y has 1 class ({self.classes_[0]!r}): a classifier needs two")
        if not self.C > 0:
            raise ValueError(f"C must be > 0, got {self.C}")
        n = X.shape[1]
        signs = np.zeros(n, dtype=int) if self.signs is None else np.asarray(self.signs, dtype=int)
        if signs.shape != (n,) or not np.isin(signs, (-1, 0, 1)).all():
            raise ValueError(f"signs must hold {n} values among -1, 0 and 1")
        target = (y == self.classes_[1]).astype(np.float64)
        sw = _check_sample_weight(sample_weight, X, dtype=np.float64)
        if len(np.unique(y[sw > 0])) < 2:
            raise ValueError("only 1 class has non-zero sample weight: a classifier needs two")
        if self.class_weight is not None:
            # Class frequencies counted with the sample weights, as LogisticRegression does: a weight of 2
            # is the same as the row twice.
            cw = compute_class_weight(self.class_weight, classes=self.classes_, y=y, sample_weight=sw)
            sw = sw * cw[np.searchsorted(self.classes_, y)]
        total = sw.sum()
        if not total > 0:
            raise ValueError("sample weights sum to zero")
        sw = sw / total  # same minimiser, better conditioned
        alpha = 1.0 / (self.C * total)

        def loss_grad(wb: np.ndarray) -> tuple[float, np.ndarray]:
            w, b = wb[:-1], wb[-1]
            z = X @ w + b
            loss = float(sw @ (np.logaddexp(0.0, z) - target * z) + 0.5 * alpha * (w @ w))
            r = sw * (expit(z) - target)
            return loss, np.append(X.T @ r + alpha * w, r.sum())

        bounds = [(None, 0.0) if s < 0 else (0.0, None) if s > 0 else (None, None) for s in signs]
        bounds.append((None, None))
        res = minimize(
            loss_grad,
            np.zeros(n + 1),
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options={"maxiter": self.max_iter, "gtol": self.tol, "ftol": 1e-12},
        )
        wb = res.x
        self.coef_ = wb[:-1].reshape(1, -1)
        self.intercept_ = wb[-1:].copy()
        self.n_iter_ = np.array([res.nit])
        self.converged_ = bool(res.success)
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        """The logit of the second class."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return np.asarray(X @ self.coef_[0] + self.intercept_[0])

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probabilities of both classes, in `classes_` order."""
        p = expit(self.decision_function(X))
        return np.column_stack([1.0 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        """The more likely class."""
        check_is_fitted(self)
        return np.asarray(self.classes_[(self.decision_function(X) > 0).astype(int)])
