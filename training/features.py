"""Feature blocks built straight from TokenBatch arrays, per sentence and summed per note.

Word n-grams, lemma n-grams, character n-grams inside words (robust to typos and word
forms) and codebook signal counts. Features are 64-bit hashes mapped to columns through
a vocabulary learnt at fit time (exact, no collisions, compact). Every block is counted
per sentence and the note rows are sums of their sentences, so evidence sentences are
scored with exactly the features the note was scored with, from one tokenisation.
"""

import zlib
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from spacy.lookups import Table, load_lookups

from training.nlp import TokenBatch, blank_pipeline, tokenize

_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)
_OFFSET = np.uint64(0x632BE59BD9B4E019)
_SUBWORD_CACHE_LIMIT = 200_000


def _combine(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Order-sensitive 64-bit hash of two hashes (wrapping arithmetic, vectorised)."""
    mixed = (left * _MULTIPLIER) ^ (
        right + _OFFSET + (left << np.uint64(6)) + (left >> np.uint64(2))
    )
    return np.asarray(mixed, dtype=np.uint64)


def sentence_to_doc(batch: TokenBatch) -> sp.csr_matrix:
    """The notes x sentences 0/1 matrix that sums sentence rows into note rows."""
    n = batch.n_sentences
    return sp.csr_matrix((np.ones(n), (batch.sentence_doc, np.arange(n))), shape=(batch.n_docs, n))


def word_ngram_keys(batch: TokenBatch, max_n: int) -> tuple[np.ndarray, np.ndarray]:
    """Sentence index and hash of every word 1..max_n-gram that stays inside one sentence."""
    keys, sentences = [batch.word_ids], [batch.word_sentence]
    current = batch.word_ids
    total = batch.word_ids.shape[0]
    for n in range(2, max_n + 1):
        if total < n:
            break
        span = total - n + 1
        same_sentence = batch.word_sentence[n - 1 :] == batch.word_sentence[:span]
        current = _combine(current[:-1], batch.word_ids[n - 1 :])
        keys.append(current[same_sentence])
        sentences.append(batch.word_sentence[:span][same_sentence])
    return np.concatenate(sentences), np.concatenate(keys)


def count_matrix(
    rows: np.ndarray, columns: np.ndarray, n_rows: int, n_columns: int
) -> sp.csr_matrix:
    """Sparse counts of (row, column) occurrences."""
    matrix = sp.csr_matrix(
        (np.ones(rows.shape[0], dtype=np.float64), (rows, columns)), shape=(n_rows, n_columns)
    )
    matrix.sum_duplicates()
    return matrix


class Vocabulary:
    """Maps feature hashes to columns; learnt from the training notes, unknown hashes dropped."""

    def __init__(self, keys: np.ndarray) -> None:
        self.keys = np.unique(keys.astype(np.uint64))

    @classmethod
    def from_occurrences(cls, keys: np.ndarray, docs: np.ndarray, *, min_df: int) -> "Vocabulary":
        """Keep hashes that occur in at least ``min_df`` distinct notes."""
        pairs = np.unique(np.stack([docs.astype(np.uint64), keys.astype(np.uint64)]), axis=1)
        distinct, doc_freq = np.unique(pairs[1], return_counts=True)
        return cls(distinct[doc_freq >= min_df])

    def __len__(self) -> int:
        return int(self.keys.shape[0])

    def lookup(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(mask of known keys, their columns)."""
        if len(self) == 0:
            return np.zeros(keys.shape[0], dtype=bool), np.empty(0, dtype=np.int64)
        position = np.searchsorted(self.keys, keys)
        position[position >= len(self)] = 0
        known = self.keys[position] == keys
        return known, position[known].astype(np.int64)


class SubwordTable:
    """Hashed character n-grams of each distinct word, computed once per word and cached."""

    def __init__(self, *, min_n: int, max_n: int) -> None:
        self.min_n = min_n
        self.max_n = max_n
        self._cache: dict[int, np.ndarray] = {}

    def keys_of(self, word_id: int) -> np.ndarray:
        cached = self._cache.get(word_id)
        if cached is not None:
            return cached
        word = f"<{blank_pipeline().vocab.strings[word_id]}>"
        grams = {
            word[start : start + n]
            for n in range(self.min_n, self.max_n + 1)
            for start in range(0, len(word) - n + 1)
        }
        keys = np.fromiter(
            (zlib.crc32(gram.encode("utf-8")) for gram in sorted(grams)),
            dtype=np.uint64,
            count=len(grams),
        )
        if len(self._cache) >= _SUBWORD_CACHE_LIMIT:
            self._cache.clear()
        self._cache[word_id] = keys
        return keys

    def _keys_of_words(self, words: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """All n-gram keys of ``words`` back to back, and how many belong to each word."""
        per_word = [self.keys_of(word_id) for word_id in words.tolist()]
        lengths = np.array([keys.shape[0] for keys in per_word], dtype=np.int64)
        flat = np.concatenate(per_word) if per_word else np.empty(0, dtype=np.uint64)
        return flat, lengths

    def occurrences(self, batch: TokenBatch) -> tuple[np.ndarray, np.ndarray]:
        """Sentence index and key of every character n-gram of every word."""
        distinct, inverse = np.unique(batch.word_ids, return_inverse=True)
        flat, lengths = self._keys_of_words(distinct)
        return _expand(batch.word_sentence, inverse.ravel(), flat, lengths)

    def known_occurrences(
        self, batch: TokenBatch, vocabulary: Vocabulary
    ) -> tuple[np.ndarray, np.ndarray]:
        """Sentence index and vocabulary column of every known character n-gram, looking
        up each distinct word's n-grams once."""
        distinct, inverse = np.unique(batch.word_ids, return_inverse=True)
        flat, lengths = self._keys_of_words(distinct)
        known, columns = vocabulary.lookup(flat)
        word_of_key = np.repeat(np.arange(distinct.shape[0]), lengths)
        known_per_word = np.bincount(word_of_key[known], minlength=distinct.shape[0])
        return _expand(batch.word_sentence, inverse.ravel(), columns, known_per_word)

    def counts(self, batch: TokenBatch, vocabulary: Vocabulary) -> sp.csr_matrix:
        """Sentence x vocabulary counts: sentences x distinct words times distinct words x
        n-grams, so each word's n-grams are expanded once, inside the sparse product."""
        distinct, inverse = np.unique(batch.word_ids, return_inverse=True)
        flat, lengths = self._keys_of_words(distinct)
        known, columns = vocabulary.lookup(flat)
        word_of_key = np.repeat(np.arange(distinct.shape[0]), lengths)
        known_per_word = np.bincount(word_of_key[known], minlength=distinct.shape[0])
        table = sp.csr_matrix(
            (np.ones(columns.shape[0]), columns, np.concatenate(([0], np.cumsum(known_per_word)))),
            shape=(distinct.shape[0], len(vocabulary)),
        )
        occurrences = count_matrix(
            batch.word_sentence, inverse.ravel(), batch.n_sentences, distinct.shape[0]
        )
        return (occurrences @ table).tocsr()

    def __getstate__(self) -> dict[str, int]:
        # The cache is rebuilt on demand; pickling it would bloat model files.
        return {"min_n": self.min_n, "max_n": self.max_n}

    def __setstate__(self, state: dict[str, int]) -> None:
        self.min_n, self.max_n, self._cache = state["min_n"], state["max_n"], {}


class SignalLexicon:
    """Counts, per theme, the codebook signal phrases in each sentence.

    Phrases are matched on lower-cased tokens by hashing them exactly as word n-grams are
    hashed, which is what a spaCy PhraseMatcher on LOWER does, without a second pass.
    """

    def __init__(self, signals: Mapping[str, Sequence[str]], *, max_n: int = 4) -> None:
        self.max_n = max_n
        self.themes = sorted(signals)
        phrase_themes: dict[int, set[int]] = {}
        for column, theme in enumerate(self.themes):
            for phrase in signals[theme]:
                phrase_batch = tokenize([phrase])
                n = phrase_batch.word_ids.shape[0]
                if 1 <= n <= max_n:
                    _, keys = word_ngram_keys(phrase_batch, n)
                    phrase_themes.setdefault(int(keys[-1]), set()).add(column)
        self._keys = Vocabulary(np.array(sorted(phrase_themes), dtype=np.uint64))
        self._themes_of_key = [sorted(phrase_themes[int(key)]) for key in self._keys.keys]

    @property
    def n_features(self) -> int:
        return len(self.themes)

    def occurrences(self, batch: TokenBatch) -> tuple[np.ndarray, np.ndarray]:
        """Sentence index and theme column of every signal phrase found."""
        sentences, keys = word_ngram_keys(batch, self.max_n)
        known, positions = self._keys.lookup(keys)
        themes_per_key = np.array([len(t) for t in self._themes_of_key], dtype=np.int64)
        flat = np.array([c for t in self._themes_of_key for c in t], dtype=np.int64)
        return _expand(sentences[known], positions, flat, themes_per_key)


def _expand(
    rows: np.ndarray, items: np.ndarray, flat: np.ndarray, lengths: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each (row, item) pair, one (row, value) pair per value of that item, where item
    ``i``'s values are ``flat[sum(lengths[:i]) : sum(lengths[:i + 1])]`` (vectorised)."""
    starts = np.cumsum(lengths) - lengths
    repeat = lengths[items]
    within = np.arange(int(repeat.sum())) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    return np.repeat(rows, repeat), flat[np.repeat(starts[items], repeat) + within]


class LemmaTable:
    """Maps word ids to the ids of their lemmas (spaCy's English lookup table), per distinct
    word and cached, so "applied", "applying" and "applies" share the features of "apply"."""

    def __init__(self) -> None:
        self._cache: dict[int, int] = {}

    @staticmethod
    @lru_cache(maxsize=1)
    def _table() -> Table:
        return load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")

    def lemmatize(self, batch: TokenBatch) -> TokenBatch:
        """The same batch with every word replaced by its lemma."""
        distinct, inverse = np.unique(batch.word_ids, return_inverse=True)
        strings = blank_pipeline().vocab.strings
        table = self._table()
        lemmas = np.empty_like(distinct)
        for position, word_id in enumerate(distinct.tolist()):
            lemma = self._cache.get(word_id)
            if lemma is None:
                word = strings[word_id]
                lemma = strings.add(table.get(word, word))
                if len(self._cache) >= _SUBWORD_CACHE_LIMIT:
                    self._cache.clear()
                self._cache[word_id] = lemma
            lemmas[position] = lemma
        return replace(batch, word_ids=lemmas[inverse.ravel()])

    def __getstate__(self) -> dict[str, int]:
        return {}

    def __setstate__(self, state: dict[str, int]) -> None:
        self._cache = {}
