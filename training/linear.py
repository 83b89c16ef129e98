"""One logistic regression per theme on the weighted feature blocks, with the naive-Bayes
scaling (NB-LR) when asked, fitted in threads."""

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.linear_model import LogisticRegression

from training.weighting import weigh


@dataclass(frozen=True)
class Regression:
    """The estimator's parameters that shape the regressions (see ThemeTagger)."""

    C: float
    class_weight: str | None
    nb_weighting: bool
    random_state: int
    n_jobs: int | None
    block_weights: Mapping[str, float]

    def fit(
        self, doc_counts: dict[str, sp.csr_matrix], truth: np.ndarray, note_weights: np.ndarray
    ) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
        """IDF per block, coefficients (features x themes) and intercepts from note counts."""
        n_docs = truth.shape[0]
        idf = {
            block: np.log(
                (1 + n_docs) / (1 + np.bincount(counts.indices, minlength=counts.shape[1]))
            )
            + 1.0
            for block, counts in doc_counts.items()
            if block != "signals"
        }
        weighted = weigh(doc_counts, idf, self.block_weights)
        # Canonical (sorted, deduplicated) up front: scikit-learn would otherwise canonicalise
        # the shared matrix in place from several threads at once.
        weighted.sum_duplicates()
        fitted = Parallel(n_jobs=self.n_jobs, prefer="threads")(
            delayed(self._fit_one)(weighted, truth[:, column], note_weights)
            for column in range(truth.shape[1])
        )
        coef = np.stack([weights for weights, _ in fitted], axis=1)
        intercept = np.array([bias for _, bias in fitted])
        return idf, coef, intercept

    def _fit_one(
        self, weighted: sp.csr_matrix, target: np.ndarray, note_weights: np.ndarray
    ) -> tuple[np.ndarray, float]:
        """Weights and bias of one theme's logistic regression, fitted with note weights."""
        if target.min() == target.max():  # a fold without one of the classes
            prevalence = float(np.clip(np.average(target, weights=note_weights), 1e-3, 1 - 1e-3))
            return np.zeros(weighted.shape[1]), float(np.log(prevalence / (1 - prevalence)))
        ratio = nb_ratio(weighted, target) if self.nb_weighting else None
        inputs = weighted if ratio is None else weighted @ sp.diags(ratio, format="csr")
        # The dual formulation is the faster one when features outnumber notes.
        model = LogisticRegression(
            C=self.C,
            class_weight=self.class_weight,
            solver="liblinear",
            dual=True,
            max_iter=1000,
            random_state=self.random_state,
        ).fit(inputs, target, sample_weight=note_weights)
        weights = model.coef_[0] if ratio is None else model.coef_[0] * ratio
        return weights, float(model.intercept_[0])


def nb_ratio(features: sp.csr_matrix, target: np.ndarray) -> np.ndarray:
    """Naive-Bayes log-count ratio of each feature for one theme (add-one smoothed)."""
    positive = np.asarray(features[target == 1].sum(axis=0)).ravel() + 1.0
    negative = np.asarray(features[target == 0].sum(axis=0)).ravel() + 1.0
    return np.asarray(np.log(positive / positive.sum()) - np.log(negative / negative.sum()))
