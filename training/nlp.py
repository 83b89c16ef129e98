"""spaCy preprocessing: one tokenisation pass whose arrays every feature and the evidence reuse."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import spacy
from spacy.attrs import IDX, IS_DIGIT, IS_PUNCT, IS_SPACE, LENGTH, LOWER, ORTH, SENT_START
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.vocab import Vocab

# The longest run of non-space characters spaCy's tokenizer sees as one piece (the samples'
# longest word is 53 characters).
MAX_RUN = 200
_LONG_RUN = re.compile(rf"\S{{{MAX_RUN + 1},}}")
SENTENCE_END_MARKS = (".", "!", "?", "…", "...", ";", "!!", "?!", "!?", "??", "!!!", "???")
NUMBER_WORD = "<num>"
_ATTRS = [ORTH, LOWER, IS_SPACE, IS_PUNCT, IS_DIGIT, IDX, LENGTH]
_ORTH, _LOWER, _IS_SPACE, _IS_PUNCT, _IS_DIGIT, _IDX, _LENGTH = range(len(_ATTRS))


@dataclass(frozen=True)
class TokenBatch:
    """The word tokens of many notes as flat arrays, plus their sentences.

    Features are built from these arrays with numpy instead of per-token Python, and the
    sentence arrays give evidence spans as character offsets into the original texts.
    Sentences without a word (a lone bullet, a row of dashes) are left out.
    """

    n_docs: int
    word_ids: np.ndarray  # uint64 hash of the lower-cased word (digit runs share one id)
    word_doc: np.ndarray  # int64 note index of each word
    word_sentence: np.ndarray  # int64 sentence index of each word
    sentence_doc: np.ndarray  # int64 note index of each sentence (non-decreasing)
    sentence_start: np.ndarray  # int64 character offset where each sentence starts
    sentence_end: np.ndarray  # int64 character offset where each sentence ends (exclusive)

    @property
    def n_sentences(self) -> int:
        return int(self.sentence_doc.shape[0])


class _Marks:
    """Hashes of sentence-final punctuation and of whitespace tokens holding a line break."""

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab
        self.end_marks = np.array(
            sorted(vocab.strings.add(mark) for mark in SENTENCE_END_MARKS), dtype=np.uint64
        )
        self._line_break: dict[int, bool] = {}

    def is_end_mark(self, orth: np.ndarray) -> np.ndarray:
        position = np.searchsorted(self.end_marks, orth)
        position[position >= self.end_marks.shape[0]] = 0
        return np.asarray(self.end_marks[position] == orth)

    def is_line_break(self, orth: np.ndarray, is_space: np.ndarray) -> np.ndarray:
        result = np.zeros(orth.shape[0], dtype=bool)
        spaces = np.flatnonzero(is_space)
        if spaces.shape[0] == 0:
            return result
        distinct, inverse = np.unique(orth[spaces], return_inverse=True)
        for value in distinct.tolist():
            if value not in self._line_break:
                self._line_break[value] = "\n" in self.vocab.strings[value]
        breaks = np.array([self._line_break[value] for value in distinct.tolist()], dtype=bool)
        result[spaces] = breaks[inverse.ravel()]
        return result


def sentence_starts(table: np.ndarray, doc_of_token: np.ndarray, marks: _Marks) -> np.ndarray:
    """Boolean mask of tokens that start a sentence, for the tokens of one or many notes.

    A sentence starts at each note's first token, after a line break (bullets and forms
    rarely end lines with a full stop), and at a word that follows sentence-final
    punctuation (so a closing quote or bracket stays with the sentence it closes).
    """
    orth = table[:, _ORTH]
    is_space = table[:, _IS_SPACE] == 1
    is_punct = table[:, _IS_PUNCT] == 1
    starts = np.zeros(orth.shape[0], dtype=bool)
    if orth.shape[0] == 0:
        return starts
    starts[0] = True
    starts[1:] |= doc_of_token[1:] != doc_of_token[:-1]
    visible = np.flatnonzero(~is_space)
    line_breaks = np.cumsum(marks.is_line_break(orth, is_space))
    previous, current = visible[:-1], visible[1:]
    same_doc = doc_of_token[previous] == doc_of_token[current]
    broken = line_breaks[current - 1] - line_breaks[previous] > 0
    starts[current[same_doc & broken]] = True
    content = visible[~is_punct[visible]]
    ends = np.cumsum(marks.is_end_mark(orth))
    previous, current = content[:-1], content[1:]
    same_doc = doc_of_token[previous] == doc_of_token[current]
    closed = ends[current - 1] - ends[previous] > 0
    starts[current[same_doc & closed]] = True
    return starts


class NoteSentences:
    """spaCy component: the same sentence rules for a single Doc (``doc.sents`` works)."""

    def __init__(self, vocab: Vocab) -> None:
        self.marks = _Marks(vocab)

    def __call__(self, doc: Doc) -> Doc:
        if len(doc) == 0:
            return doc
        table = doc.to_array(_ATTRS)
        starts = sentence_starts(table, np.zeros(len(doc), dtype=np.int64), self.marks)
        values = np.where(starts, 1, -1).astype(np.int64).view(np.uint64)
        doc.from_array([SENT_START], values.reshape(-1, 1))  # type: ignore[arg-type]
        return doc


@Language.factory("note_sentences")
def make_note_sentences(nlp: Language, name: str) -> NoteSentences:
    return NoteSentences(nlp.vocab)


@lru_cache(maxsize=1)
def blank_pipeline() -> Language:
    """A blank English pipeline with rule-based sentence segmentation (no downloaded model)."""
    nlp = spacy.blank("en")
    nlp.add_pipe("note_sentences")
    return nlp


def _space_out(run: re.Match[str]) -> str:
    chars = list(run.group())
    for position in range(MAX_RUN, len(chars), MAX_RUN + 1):
        chars[position] = " "
    return "".join(chars)


def break_long_runs(text: str) -> str:
    """``text`` with every ``MAX_RUN + 1``-th character of a longer run of non-space
    characters made a space; its length, so every offset, stays the same. spaCy strips
    punctuation and emoji off a run one at a time, rescanning the rest each time: a note of
    20,000 emoji took 80 s to tokenise, one of 200-character runs takes 20 ms."""
    return _LONG_RUN.sub(_space_out, text) if len(text) > MAX_RUN else text


def tokenize(texts: Sequence[str], *, batch_size: int = 1000) -> TokenBatch:
    """Tokenise ``texts`` once and segment all of them into sentences in one vectorised pass.

    The tokenizer runs per note; everything after it works on the concatenated token
    arrays, so per-note Python work is one ``to_array`` call.
    """
    nlp = blank_pipeline()
    component: NoteSentences = nlp.get_pipe("note_sentences")  # type: ignore[assignment]
    tokenizer: Tokenizer = nlp.tokenizer
    tables, lengths = [], []
    for doc in tokenizer.pipe(map(break_long_runs, texts), batch_size=batch_size):
        tables.append(doc.to_array(_ATTRS))
        lengths.append(len(doc))
    table = np.concatenate(tables) if tables else np.empty((0, len(_ATTRS)), dtype=np.uint64)
    doc_of_token = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    starts = sentence_starts(table, doc_of_token, component.marks)
    sentence_of_token = np.cumsum(starts) - 1
    is_space = table[:, _IS_SPACE] == 1
    content = ~is_space & (table[:, _IS_PUNCT] == 0)

    n_raw = int(sentence_of_token[-1]) + 1 if sentence_of_token.shape[0] else 0
    has_word = np.zeros(n_raw, dtype=bool)
    has_word[sentence_of_token[content]] = True
    visible = np.flatnonzero(~is_space)
    start_char = table[:, _IDX].view(np.int64)
    end_char = start_char + table[:, _LENGTH].view(np.int64)
    first = np.zeros(n_raw, dtype=np.int64)
    last = np.zeros(n_raw, dtype=np.int64)
    # Reversed assignment keeps each sentence's first visible token, forward its last.
    first[sentence_of_token[visible][::-1]] = start_char[visible][::-1]
    last[sentence_of_token[visible]] = end_char[visible]
    renumber = np.cumsum(has_word) - 1

    number_id = np.uint64(nlp.vocab.strings.add(NUMBER_WORD))
    words = np.where(table[content, _IS_DIGIT] == 1, number_id, table[content, _LOWER])
    first_token_of_sentence = np.flatnonzero(starts)
    return TokenBatch(
        n_docs=len(texts),
        word_ids=words.astype(np.uint64),
        word_doc=doc_of_token[content],
        word_sentence=renumber[sentence_of_token[content]],
        sentence_doc=doc_of_token[first_token_of_sentence][has_word],
        sentence_start=first[has_word],
        sentence_end=last[has_word],
    )


def word_text(word_id: int) -> str:
    """The lower-cased string behind a word id."""
    return str(blank_pipeline().vocab.strings[int(word_id)])
