import numpy as np

from training.features import (
    LemmaTable,
    SignalLexicon,
    SubwordTable,
    Vocabulary,
    word_ngram_keys,
)
from training.nlp import tokenize


def test_bigrams_never_cross_a_sentence_boundary() -> None:
    batch = tokenize(["not nervous. confident now"])
    sentences, keys = word_ngram_keys(batch, 2)
    # 4 unigrams + 1 bigram per sentence; "nervous confident" is not a bigram.
    assert keys.shape[0] == 6
    assert sorted(np.bincount(sentences).tolist()) == [3, 3]


def test_vocabulary_keeps_keys_seen_in_enough_notes() -> None:
    keys = np.array([5, 5, 7, 9, 9], dtype=np.uint64)
    docs = np.array([0, 0, 1, 1, 2])
    vocabulary = Vocabulary.from_occurrences(keys, docs, min_df=2)
    assert vocabulary.keys.tolist() == [9]
    known, columns = vocabulary.lookup(np.array([9, 5, 11], dtype=np.uint64))
    assert known.tolist() == [True, False, False]
    assert columns.tolist() == [0]


def test_known_subword_occurrences_match_all_occurrences() -> None:
    batch = tokenize(["confidnce grew", "confidence grew again"])
    table = SubwordTable(min_n=3, max_n=4)
    sentences, keys = table.occurrences(batch)
    vocabulary = Vocabulary(keys)
    known_sentences, columns = table.known_occurrences(batch, vocabulary)
    assert np.array_equal(np.sort(vocabulary.keys[columns]), np.sort(keys))
    assert np.bincount(known_sentences).tolist() == np.bincount(sentences).tolist()
    # The typo shares most character n-grams with the word it misspells.
    typo = set(columns[known_sentences == 0].tolist())
    word = set(columns[known_sentences == 1].tolist())
    assert len(typo & word) > 0.5 * len(typo)


def test_signal_lexicon_counts_phrases_per_theme() -> None:
    lexicon = SignalLexicon(
        {"networking": ["networking event", "linkedin"], "confidence": ["nervous"]}
    )
    batch = tokenize(["Went to a networking event. Updated LinkedIn.", "Felt nervous, so nervous."])
    sentences, columns = lexicon.occurrences(batch)
    assert lexicon.themes == ["confidence", "networking"]
    assert sorted(zip(sentences.tolist(), columns.tolist(), strict=True)) == [
        (0, 1),
        (1, 1),
        (2, 0),
        (2, 0),
    ]


def test_lemma_table_gives_word_forms_one_id() -> None:
    batch = tokenize(["applied applying applies apply zzqx"])
    lemmas = LemmaTable().lemmatize(batch)
    ids = lemmas.word_ids.tolist()
    assert ids[0] == ids[1] == ids[2] == ids[3]
    assert ids[4] == batch.word_ids[4]
    assert np.array_equal(lemmas.word_sentence, batch.word_sentence)
