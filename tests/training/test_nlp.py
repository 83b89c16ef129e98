import time

import numpy as np

from training.nlp import MAX_RUN, blank_pipeline, break_long_runs, tokenize, word_text


def sentences(text: str) -> list[str]:
    batch = tokenize([text])
    return [text[s:e] for s, e in zip(batch.sentence_start, batch.sentence_end, strict=True)]


def test_sentences_split_on_final_punctuation_and_keep_closing_quotes() -> None:
    assert sentences('She said "I am nervous." Then we practised!! ok') == [
        'She said "I am nervous."',
        "Then we practised!!",
        "ok",
    ]


def test_bullet_lines_are_separate_sentences() -> None:
    text = "- CV redo, 2 pages\n- ask Sam for an intro\nnext wk"
    assert sentences(text) == ["- CV redo, 2 pages", "- ask Sam for an intro", "next wk"]


def test_words_are_lower_cased_and_digits_share_one_id() -> None:
    batch = tokenize(["Applied to 3 JOBS, then 12 more."])
    words = [word_text(w) for w in batch.word_ids]
    assert words == ["applied", "to", "<num>", "jobs", "then", "<num>", "more"]


def test_offsets_index_the_original_text_across_a_batch() -> None:
    texts = ["  Leading space. Two!", "", "   ", "one\n\ntwo"]
    batch = tokenize(texts)
    assert batch.n_docs == 4
    spans = [
        texts[d][s:e]
        for d, s, e in zip(
            batch.sentence_doc, batch.sentence_start, batch.sentence_end, strict=True
        )
    ]
    assert spans == ["Leading space.", "Two!", "one", "two"]
    assert np.all(np.diff(batch.sentence_doc) >= 0)


def test_pipeline_component_gives_the_same_sentences() -> None:
    text = "First point. Second point\n- third point"
    doc = blank_pipeline()(text)
    assert [s.text.strip() for s in doc.sents] == sentences(text)


def test_runs_up_to_the_limit_are_left_alone() -> None:
    text = "See " + "x" * MAX_RUN + " and https://example.org/a/b?c=d."
    assert break_long_runs(text) == text


def test_a_longer_run_is_broken_up_keeping_its_length() -> None:
    text = "ok. " + "😀?!" * 7_000 + " done"
    broken = break_long_runs(text)
    assert len(broken) == len(text)
    assert max(len(run) for run in broken.split()) == MAX_RUN
    assert broken[:4] == "ok. " and broken[-5:] == " done"


def test_a_note_of_20000_emoji_is_tokenised_at_once() -> None:
    text = "She felt proud. " + "😀" * 20_000
    started = time.perf_counter()
    batch = tokenize([text])
    assert time.perf_counter() - started < 2  # 80 s before long runs were broken up
    assert text[batch.sentence_start[0] : batch.sentence_end[0]] == "She felt proud."
