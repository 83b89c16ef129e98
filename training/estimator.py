"""ThemeTagger: a scikit-learn multi-label estimator over spaCy tokens, with evidence."""

from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

import numpy as np
import scipy.sparse as sp
from pydantic import Field
from sklearn.base import BaseEstimator
from sklearn.preprocessing import MultiLabelBinarizer
from sklearn.utils.validation import check_is_fitted

from training.errors import ConfigError
from training.evidence import select_evidence
from training.features import (
    LemmaTable,
    SignalLexicon,
    SubwordTable,
    Vocabulary,
    count_matrix,
    sentence_to_doc,
    word_ngram_keys,
)
from training.linear import Regression
from training.nlp import TokenBatch, tokenize
from training.results import TaggedNote, ThemeMatch
from training.thresholds import tune_thresholds
from training.weighting import FEATURE_BLOCKS, FeatureBlock, LinearScorer, Occurrences

SMALL_BATCH = 8  # notes; up to this many are scored without scipy matrices


class ThemeTagger(BaseEstimator):  # type: ignore[misc]
    """Multi-label theme classifier: TF-IDF blocks + one logistic regression per theme.

    Parameters
    ----------
    features
        Feature blocks to use, from ``words`` (word n-grams), ``lemmas`` (n-grams of
        lemmas from spaCy's English lookup table), ``subwords`` (character n-grams inside
        words) and ``signals`` (codebook signal phrases per theme).
    word_max_n
        Longest word (and lemma) n-gram.
    subword_min_n, subword_max_n
        Character n-gram lengths, counted with word-boundary marks.
    min_df
        A word or character n-gram must occur in this many training notes to be a feature.
    subword_weight, signal_weight
        Scale of those blocks against the word block.
    signals
        Theme id -> signal phrases; required with the ``signals`` block.
    C
        Inverse regularisation strength of each logistic regression.
    nb_weighting
        Scale each theme's features by their naive-Bayes log-count ratio before its
        regression (NB-LR, Wang & Manning 2012); folded into the weights, so free at
        prediction time.
    class_weight
        ``"balanced"`` or ``None``, passed to each logistic regression.
    threshold_folds
        Folds of the inner cross-validation whose out-of-fold scores set the thresholds;
        grouped by ``groups`` (the note's source) when ``fit`` receives them.
    threshold_bounds
        Thresholds are kept within these bounds.
    max_evidence
        Most sentences returned as evidence for one theme.
    random_state
        Seed for the fold shuffling and the solver.
    n_jobs
        Threads fitting the per-theme regressions (liblinear releases the GIL).
    """

    # The one place the hyper-parameters are defined: their defaults, and in the Annotated
    # metadata their bounds, which training.config checks a config's [model] table against.
    def __init__(
        self,
        *,
        features: Annotated[Sequence[FeatureBlock], Field(min_length=1)] = (
            "words",
            "lemmas",
            "subwords",
        ),
        word_max_n: Annotated[int, Field(ge=1, le=4)] = 2,
        subword_min_n: Annotated[int, Field(ge=1, le=8)] = 3,
        subword_max_n: Annotated[int, Field(ge=1, le=8)] = 5,
        min_df: Annotated[int, Field(ge=1)] = 2,
        subword_weight: Annotated[float, Field(gt=0)] = 1.0,
        signal_weight: Annotated[float, Field(gt=0)] = 1.0,
        signals: Mapping[str, Sequence[str]] | None = None,
        C: Annotated[float, Field(gt=0)] = 4.0,
        nb_weighting: bool = True,
        class_weight: Literal["balanced"] | None = "balanced",
        threshold_folds: Annotated[int, Field(ge=2)] = 5,
        threshold_bounds: tuple[float, float] = (0.1, 0.9),
        max_evidence: Annotated[int, Field(ge=1)] = 3,
        random_state: int = 0,
        n_jobs: int | None = None,
    ) -> None:
        self.features = features
        self.word_max_n = word_max_n
        self.subword_min_n = subword_min_n
        self.subword_max_n = subword_max_n
        self.min_df = min_df
        self.subword_weight = subword_weight
        self.signal_weight = signal_weight
        self.signals = signals
        self.C = C
        self.nb_weighting = nb_weighting
        self.class_weight = class_weight
        self.threshold_folds = threshold_folds
        self.threshold_bounds = threshold_bounds
        self.max_evidence = max_evidence
        self.random_state = random_state
        self.n_jobs = n_jobs

    # ------------------------------------------------------------------ fitting
    def fit(
        self,
        X: Sequence[str],
        y: Sequence[Sequence[str]],
        *,
        groups: Sequence[str] | None = None,
        sample_weight: Sequence[float] | np.ndarray | None = None,
    ) -> "ThemeTagger":
        """Learn vocabularies, weights and per-theme thresholds from labelled notes.

        Parameters
        ----------
        X
            Note texts.
        y
            The theme ids of each note (possibly empty).
        groups
            The source of each note; when given, thresholds are tuned on sources left out.
        sample_weight
            How much each note counts, as if it were repeated that many times (default 1
            each): in every logistic regression (and its balanced class weights) and in the
            F1 counts that choose the thresholds. The vocabularies, IDF and naive-Bayes
            ratios stay unweighted: they only decide which features exist and how they are
            scaled, and a feature must still occur in ``min_df`` distinct notes.
        """
        self._validate_params()
        texts = list(X)
        if len(texts) != len(y):
            raise ConfigError(f"X has {len(texts)} notes but y has {len(y)} label lists")
        note_weights = _checked_weights(sample_weight, len(texts))
        binarizer = MultiLabelBinarizer()
        truth = binarizer.fit_transform([list(labels) for labels in y])
        self.classes_ = np.array(binarizer.classes_)
        if self.classes_.shape[0] == 0:
            raise ConfigError("y has no labels at all: nothing to learn")
        batch = tokenize(texts)
        self.subwords_ = SubwordTable(min_n=self.subword_min_n, max_n=self.subword_max_n)
        self.lemmas_ = LemmaTable()
        self.lexicon_ = SignalLexicon(self.signals or {}) if "signals" in self.features else None
        self.vocabularies_ = self._learn_vocabularies(batch)
        doc_counts = self._doc_counts(batch)
        regression = self._regression()
        self.thresholds_ = tune_thresholds(
            doc_counts,
            truth,
            groups=groups,
            note_weights=note_weights,
            regression=regression,
            folds=self.threshold_folds,
            bounds=self.threshold_bounds,
            random_state=self.random_state,
        )
        self.idf_, self.coef_, self.intercept_ = regression.fit(doc_counts, truth, note_weights)
        return self

    def _validate_params(self) -> None:
        unknown = set(self.features) - set(FEATURE_BLOCKS)
        if not self.features or unknown:
            raise ConfigError(
                f"features must be a non-empty subset of {FEATURE_BLOCKS}, got {self.features!r}"
            )
        if "signals" in self.features and not self.signals:
            raise ConfigError("features include 'signals' but no signals were given")
        low, high = self.threshold_bounds
        if not 0 < low <= high < 1:
            raise ConfigError(f"threshold_bounds must satisfy 0 < low <= high < 1, got {low, high}")

    def _learn_vocabularies(self, batch: TokenBatch) -> dict[str, Vocabulary]:
        vocabularies = {}
        if "words" in self.features:
            sentences, keys = word_ngram_keys(batch, self.word_max_n)
            vocabularies["words"] = Vocabulary.from_occurrences(
                keys, batch.sentence_doc[sentences], min_df=self.min_df
            )
        if "lemmas" in self.features:
            sentences, keys = word_ngram_keys(self.lemmas_.lemmatize(batch), self.word_max_n)
            vocabularies["lemmas"] = Vocabulary.from_occurrences(
                keys, batch.sentence_doc[sentences], min_df=self.min_df
            )
        if "subwords" in self.features:
            sentences, keys = self.subwords_.occurrences(batch)
            vocabularies["subwords"] = Vocabulary.from_occurrences(
                keys, batch.sentence_doc[sentences], min_df=self.min_df
            )
        return vocabularies

    def _regression(self) -> Regression:
        return Regression(
            C=self.C,
            class_weight=self.class_weight,
            nb_weighting=self.nb_weighting,
            random_state=self.random_state,
            n_jobs=self.n_jobs,
            block_weights=self._block_weights(),
        )

    # ------------------------------------------------------------------ features
    def _occurrences(
        self, batch: TokenBatch, *, expand_subwords: bool = True
    ) -> dict[str, Occurrences]:
        """Sentence index and column of every known feature occurrence, per block.

        Subword occurrences are many (a dozen per word); the sparse path counts them
        without expanding, so it can ask for them to be left out.
        """
        blocks: dict[str, Occurrences] = {}
        for block in ("words", "lemmas"):
            if block in self.features:
                words = self.lemmas_.lemmatize(batch) if block == "lemmas" else batch
                vocabulary = self.vocabularies_[block]
                sentences, keys = word_ngram_keys(words, self.word_max_n)
                known, columns = vocabulary.lookup(keys)
                blocks[block] = Occurrences(sentences[known], columns, len(vocabulary))
        if "subwords" in self.features and expand_subwords:
            vocabulary = self.vocabularies_["subwords"]
            sentences, columns = self.subwords_.known_occurrences(batch, vocabulary)
            blocks["subwords"] = Occurrences(sentences, columns, len(vocabulary))
        if self.lexicon_ is not None:
            sentences, columns = self.lexicon_.occurrences(batch)
            blocks["signals"] = Occurrences(sentences, columns, self.lexicon_.n_features)
        return blocks

    def _sentence_matrices(self, batch: TokenBatch) -> dict[str, sp.csr_matrix]:
        """Sentences x features count matrices, per block."""
        matrices = {}
        for block, found in self._occurrences(batch, expand_subwords=False).items():
            matrices[block] = count_matrix(
                found.rows, found.columns, batch.n_sentences, found.n_columns
            )
        if "subwords" in self.features:
            matrices["subwords"] = self.subwords_.counts(batch, self.vocabularies_["subwords"])
        return matrices

    def _doc_counts(self, batch: TokenBatch) -> dict[str, sp.csr_matrix]:
        """Notes x features count matrices: the regression's raw input."""
        to_doc = sentence_to_doc(batch)
        return {b: (to_doc @ m).tocsr() for b, m in self._sentence_matrices(batch).items()}

    def _block_weights(self) -> dict[str, float]:
        return {
            "words": 1.0,
            "lemmas": 1.0,
            "subwords": self.subword_weight,
            "signals": self.signal_weight,
        }

    # ------------------------------------------------------------------ prediction
    def predict_proba(self, X: Sequence[str]) -> np.ndarray:
        """Score of every theme (columns in ``classes_`` order) for each note."""
        check_is_fitted(self)
        doc_scores, _ = self._note_and_sentence_scores(tokenize(list(X)), sentences=False)
        return doc_scores

    def predict(self, X: Sequence[str]) -> np.ndarray:
        """0/1 theme indicator matrix, using the tuned per-theme thresholds."""
        return (self.predict_proba(X) >= self.thresholds_).astype(np.int64)

    def tag(self, X: Sequence[str]) -> list[list[ThemeMatch]]:
        """Themes of each note, best first, each with the sentences that support it."""
        return [list(note.matches) for note in self.tag_notes(X)]

    def tag_notes(self, X: Sequence[str]) -> list[TaggedNote]:
        """Like ``tag``, with each note's margin: how near its closest theme score is to
        that theme's threshold (what a review queue sorts by)."""
        check_is_fitted(self)
        texts = list(X)
        batch = tokenize(texts)
        doc_scores, sentence_scores = self._note_and_sentence_scores(batch, sentences=True)
        evidence = select_evidence(
            batch,
            texts,
            doc_scores,
            sentence_scores,
            thresholds=self.thresholds_,
            max_evidence=self.max_evidence,
        )
        distances = np.abs(doc_scores - self.thresholds_)
        closest = distances.argmin(axis=1) if distances.size else np.zeros(0, dtype=np.int64)
        results: list[TaggedNote] = []
        for doc, (row, chosen) in enumerate(
            zip(doc_scores, doc_scores >= self.thresholds_, strict=True)
        ):
            matches = [
                ThemeMatch(
                    theme=str(self.classes_[column]),
                    score=round(float(row[column]), 4),
                    evidence=evidence.get((doc, int(column)), ()),
                )
                for column in np.flatnonzero(chosen)
            ]
            matches.sort(key=lambda match: -match.score)
            column = int(closest[doc])
            results.append(
                TaggedNote(
                    matches=tuple(matches),
                    margin=round(float(distances[doc, column]), 4),
                    uncertain_theme=str(self.classes_[column]),
                )
            )
        return results

    def _note_and_sentence_scores(
        self, batch: TokenBatch, *, sentences: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        """Theme scores of every note and (when asked) every sentence.

        Few notes: numpy on occurrence arrays, because building scipy matrices costs more
        than the arithmetic. Many notes: sparse matrices, which count a dozen subword
        n-grams per word without expanding them. Tests hold both to the training path.
        """
        scorer = LinearScorer(self.idf_, self.coef_, self.intercept_, self._block_weights())
        if batch.n_docs <= SMALL_BATCH:
            found = self._occurrences(batch)
            doc_scores = scorer.from_occurrences(found, batch.sentence_doc, batch.n_docs)
            if not sentences:
                return doc_scores, np.empty((0, doc_scores.shape[1]))
            everyone = np.arange(batch.n_sentences)
            return doc_scores, scorer.from_occurrences(found, everyone, batch.n_sentences)
        matrices = self._sentence_matrices(batch)
        to_doc = sentence_to_doc(batch)
        doc_scores = scorer.from_matrices({b: (to_doc @ m).tocsr() for b, m in matrices.items()})
        if not sentences:
            return doc_scores, np.empty((0, doc_scores.shape[1]))
        return doc_scores, scorer.from_matrices(matrices)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags


def _checked_weights(sample_weight: Sequence[float] | np.ndarray | None, n: int) -> np.ndarray:
    """One finite, non-negative weight per note (ones when none are given)."""
    if sample_weight is None:
        return np.ones(n)
    weights = np.asarray(sample_weight, dtype=np.float64)
    if weights.shape != (n,):
        raise ConfigError(f"sample_weight has shape {weights.shape} but X has {n} notes")
    bad = np.flatnonzero(~(np.isfinite(weights) & (weights >= 0)))
    if bad.size:
        raise ConfigError(
            f"sample_weight[{bad[0]}] is {weights[bad[0]]}: weights must be finite and >= 0"
        )
    if not weights.any():
        raise ConfigError("sample_weight is zero for every note: nothing to learn")
    return weights
