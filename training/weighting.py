"""The regression's input and its scores: each feature block's counts as sublinear TF-IDF,
L2-normalised per block and scaled by the block's weight, and the theme scores of a
fitted linear model over them, from sparse matrices (many notes) or occurrence arrays
(a few notes, where building scipy matrices costs more than the arithmetic)."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import scipy.sparse as sp

FeatureBlock = Literal["words", "lemmas", "subwords", "signals"]
FEATURE_BLOCKS: tuple[FeatureBlock, ...] = get_args(FeatureBlock)


@dataclass(frozen=True)
class Occurrences:
    """One feature block's occurrences: a sentence row and a column per occurrence."""

    rows: np.ndarray
    columns: np.ndarray
    n_columns: int

    def counted(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, column, count) triples sorted by row, with ``rows`` replacing the sentence
        rows (pass note indices to count per note)."""
        keys = rows.astype(np.int64) * self.n_columns + self.columns
        distinct, counts = np.unique(keys, return_counts=True)
        return distinct // self.n_columns, distinct % self.n_columns, counts.astype(np.float64)


def weighted_blocks(
    counts: dict[str, sp.csr_matrix],
    idf: dict[str, np.ndarray],
    block_weights: Mapping[str, float],
) -> list[sp.csr_matrix]:
    """Sublinear TF-IDF, L2-normalised per block and scaled, in FEATURE_BLOCKS order."""
    blocks = []
    for block in FEATURE_BLOCKS:
        if block not in counts:
            continue
        matrix = counts[block].astype(np.float64, copy=True)
        if block == "signals":
            matrix.data = np.log1p(matrix.data)
        else:
            matrix.data = (1.0 + np.log(matrix.data)) * idf[block][matrix.indices]
            normalize_rows(matrix)
        matrix.data *= block_weights[block]
        blocks.append(matrix)
    return blocks


def weigh(
    counts: dict[str, sp.csr_matrix],
    idf: dict[str, np.ndarray],
    block_weights: Mapping[str, float],
) -> sp.csr_matrix:
    """The weighted blocks side by side: the regression's input."""
    return sp.hstack(weighted_blocks(counts, idf, block_weights), format="csr")


@dataclass(frozen=True)
class LinearScorer:
    """A fitted model's weights: IDF per block, a coefficient column and an intercept per
    theme, and the blocks' scales."""

    idf: dict[str, np.ndarray]
    coef: np.ndarray
    intercept: np.ndarray
    block_weights: Mapping[str, float]

    def from_matrices(self, counts: dict[str, sp.csr_matrix]) -> np.ndarray:
        """Theme scores of each row of the count matrices."""
        logits = np.tile(self.intercept, (next(iter(counts.values())).shape[0], 1))
        offset = 0
        for matrix in weighted_blocks(counts, self.idf, self.block_weights):
            logits += matrix @ self.coef[offset : offset + matrix.shape[1]]
            offset += matrix.shape[1]
        return sigmoid(logits)

    def from_occurrences(
        self, occurrences: dict[str, Occurrences], row_of_sentence: np.ndarray, n_rows: int
    ) -> np.ndarray:
        """The same sublinear TF-IDF, per-block L2 norm and block weights as
        ``weighted_blocks``, on (row, column, count) triples."""
        logits = np.tile(self.intercept, (n_rows, 1))
        offset = 0
        for block in FEATURE_BLOCKS:
            if block not in occurrences:
                continue
            found = occurrences[block]
            rows, columns, counts = found.counted(row_of_sentence[found.rows])
            if block == "signals":
                values = np.log1p(counts)
            else:
                values = (1.0 + np.log(counts)) * self.idf[block][columns]
                norms = np.sqrt(np.bincount(rows, weights=values**2, minlength=n_rows))
                values /= norms[rows]
            values *= self.block_weights[block]
            if rows.shape[0]:
                starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
                contributions = values[:, None] * self.coef[offset + columns]
                logits[rows[starts]] += np.add.reduceat(contributions, starts, axis=0)
            offset += found.n_columns
        return sigmoid(logits)


def normalize_rows(matrix: sp.csr_matrix) -> None:
    """L2-normalise each row in place (sklearn's normalize costs ~1 ms of checks a call)."""
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    norms = np.sqrt(np.bincount(rows, weights=matrix.data**2, minlength=matrix.shape[0]))
    norms[norms == 0] = 1.0
    matrix.data /= norms[rows]


def sigmoid(values: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-values)))
