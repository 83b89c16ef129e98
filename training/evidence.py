"""Evidence: the sentences of a note that support each theme predicted for it."""

import numpy as np

from training.nlp import TokenBatch
from training.results import Evidence


def select_evidence(
    batch: TokenBatch,
    texts: list[str],
    doc_scores: np.ndarray,
    sentence_scores: np.ndarray,
    *,
    thresholds: np.ndarray,
    max_evidence: int,
) -> dict[tuple[int, int], tuple[Evidence, ...]]:
    """For every predicted (note, theme): its best sentence, plus up to ``max_evidence``
    sentences that pass the theme's threshold on their own, best first."""
    predicted_for_sentence = (doc_scores >= thresholds)[batch.sentence_doc]
    evidence: dict[tuple[int, int], list[Evidence]] = {}
    for column in range(sentence_scores.shape[1]):
        candidates = np.flatnonzero(predicted_for_sentence[:, column])
        scores = sentence_scores[candidates, column]
        docs = batch.sentence_doc[candidates]
        order = np.lexsort((-scores, docs))
        sorted_docs = docs[order]
        new_doc = np.ones(order.shape[0], dtype=bool)
        new_doc[1:] = sorted_docs[1:] != sorted_docs[:-1]
        group_start = np.maximum.accumulate(np.where(new_doc, np.arange(order.shape[0]), 0))
        rank = np.arange(order.shape[0]) - group_start
        keep = (rank < max_evidence) & ((rank == 0) | (scores[order] >= thresholds[column]))
        kept = candidates[order[keep]]
        scores = sentence_scores[:, column]
        for doc, start, end, score in zip(
            batch.sentence_doc[kept].tolist(),
            batch.sentence_start[kept].tolist(),
            batch.sentence_end[kept].tolist(),
            scores[kept].tolist(),
            strict=True,
        ):
            evidence.setdefault((doc, column), []).append(
                Evidence(text=texts[doc][start:end], start=start, end=end, score=round(score, 4))
            )
    return {key: tuple(items) for key, items in evidence.items()}
