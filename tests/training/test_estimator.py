import pickle
from typing import Any

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from training.errors import ConfigError
from training.estimator import ThemeTagger
from training.samples import Sample
from training.thresholds import best_thresholds
from training.weighting import weigh

LOGISTICS = [
    "Rescheduled to Thursday at 3pm, same room.",
    "Session cancelled, mentee unwell.",
    "no show today. sent a calendar invite for next week",
]


def test_predict_methods_refuse_an_unfitted_tagger() -> None:
    with pytest.raises(NotFittedError):
        ThemeTagger().predict(["anything"])


def test_init_only_stores_parameters_so_clone_works() -> None:
    tagger = ThemeTagger(C=2.0, features=("words",))
    assert clone(tagger).get_params() == tagger.get_params()


def test_invalid_parameters_are_reported_at_fit() -> None:
    with pytest.raises(ConfigError, match="features must be a non-empty subset"):
        ThemeTagger(features=("emoji",)).fit(["a"], [["skills"]])
    with pytest.raises(ConfigError, match="no signals were given"):
        ThemeTagger(features=("words", "signals")).fit(["a"], [["skills"]])


def test_scores_and_thresholds_cover_every_theme(fitted_tagger: ThemeTagger) -> None:
    scores = fitted_tagger.predict_proba(["She rehearsed the pitch twice.", ""])
    assert scores.shape == (2, len(fitted_tagger.classes_))
    assert np.all((scores >= 0) & (scores <= 1))
    low, high = fitted_tagger.threshold_bounds
    assert np.all((fitted_tagger.thresholds_ >= low) & (fitted_tagger.thresholds_ <= high))
    assert sorted(fitted_tagger.classes_) == [
        "career",
        "confidence",
        "learning",
        "networking",
        "resilience",
        "skills",
    ]


def test_logistics_notes_get_no_theme(fitted_tagger: ThemeTagger) -> None:
    assert fitted_tagger.tag(LOGISTICS) == [[], [], []]


def test_clear_notes_get_their_themes(fitted_tagger: ThemeTagger) -> None:
    results = fitted_tagger.tag(
        [
            "She has applied for the senior analyst promotion and we went through her CV "
            "line by line.",
            "He went to his first industry meetup and introduced himself to three people; "
            "one offered to connect him on LinkedIn.",
        ]
    )
    assert "career" in {m.theme for m in results[0]}
    assert "networking" in {m.theme for m in results[1]}


def test_evidence_offsets_slice_the_original_text(fitted_tagger: ThemeTagger) -> None:
    texts = [
        "Rough week.  She was turned down for the team lead job and felt crushed.\n"
        "- we talked through how to bounce back\n- she will ask for feedback from the panel",
        "I still doubt myself in meetings. My mentor says my analysis is strong and I should "
        "speak up more.",
    ]
    for text, matches in zip(texts, fitted_tagger.tag(texts), strict=True):
        assert matches, text
        for match in matches:
            assert 1 <= len(match.evidence) <= fitted_tagger.max_evidence
            assert list(match.evidence) == sorted(match.evidence, key=lambda e: -e.score)
            for evidence in match.evidence:
                assert text[evidence.start : evidence.end] == evidence.text
                assert 0 <= evidence.score <= 1


def test_themes_come_best_first(fitted_tagger: ThemeTagger) -> None:
    (matches,) = fitted_tagger.tag(
        [
            "Nervous before the panel interview for the promotion, so we rehearsed answers and "
            "she signed up for a leadership course."
        ]
    )
    scores = [m.score for m in matches]
    assert scores == sorted(scores, reverse=True)


def test_same_data_and_seed_give_the_same_model(small_samples: list[Sample]) -> None:
    texts = [s.text for s in small_samples[:300]]
    labels = [s.labels for s in small_samples[:300]]
    first = ThemeTagger(threshold_folds=3, random_state=3).fit(texts, labels)
    second = ThemeTagger(threshold_folds=3, random_state=3).fit(texts, labels)
    assert np.array_equal(first.coef_, second.coef_)
    assert np.array_equal(first.thresholds_, second.thresholds_)


def test_pickled_tagger_predicts_the_same(fitted_tagger: ThemeTagger) -> None:
    restored = pickle.loads(pickle.dumps(fitted_tagger))
    texts = ["We practised negotiating her salary offer.", "Cancelled."]
    assert restored.tag(texts) == fitted_tagger.tag(texts)


def test_a_theme_without_negatives_in_the_data_still_fits() -> None:
    texts = ["practised SQL joins", "practised code review", "practised a pitch", "practised Excel"]
    tagger = ThemeTagger(threshold_folds=2, min_df=1).fit(texts, [["skills"]] * 4)
    assert tagger.predict(["practised writing"]).shape == (1, 1)


def test_nb_weighting_is_folded_into_the_weights(small_samples: list[Sample]) -> None:
    texts = [s.text for s in small_samples[:300]]
    labels = [s.labels for s in small_samples[:300]]
    plain = ThemeTagger(threshold_folds=2, nb_weighting=False).fit(texts, labels)
    weighted = ThemeTagger(threshold_folds=2, nb_weighting=True).fit(texts, labels)
    assert plain.coef_.shape == weighted.coef_.shape
    assert not np.allclose(plain.coef_, weighted.coef_)
    assert weighted.predict_proba(texts[:5]).shape == (5, len(weighted.classes_))


def test_prediction_path_matches_the_training_features(fitted_tagger: ThemeTagger) -> None:
    """predict_proba scores from occurrence arrays; fit uses sparse matrices. Same numbers."""
    from training.nlp import tokenize

    texts = ["She rehearsed the pitch twice.\nThen applied!", "", "Cancelled.", "ok ok ok"]
    batch = tokenize(texts)
    weighted = weigh(
        fitted_tagger._doc_counts(batch), fitted_tagger.idf_, fitted_tagger._block_weights()
    )
    expected = 1 / (1 + np.exp(-(weighted @ fitted_tagger.coef_ + fitted_tagger.intercept_)))
    assert np.allclose(fitted_tagger.predict_proba(texts), expected)


def test_signal_block_scores_the_same_on_both_paths(small_samples: list[Sample]) -> None:
    from training.nlp import tokenize

    tagger = ThemeTagger(
        features=("words", "signals"),
        signals={"confidence": ["nervous", "self-doubt"], "networking": ["meetup", "linkedin"]},
        threshold_folds=2,
    ).fit([s.text for s in small_samples[:300]], [s.labels for s in small_samples[:300]])
    texts = ["Nervous before the meetup. Added two people on LinkedIn.", "Rescheduled."]
    weighted = weigh(tagger._doc_counts(tokenize(texts)), tagger.idf_, tagger._block_weights())
    expected = 1 / (1 + np.exp(-(weighted @ tagger.coef_ + tagger.intercept_)))
    assert np.allclose(tagger.predict_proba(texts), expected)


def test_large_and_small_batches_tag_alike(
    fitted_tagger: ThemeTagger, small_samples: list[Sample]
) -> None:
    """Batches over SMALL_BATCH take the sparse path, single notes the occurrence path."""
    from training.estimator import SMALL_BATCH

    texts = [s.text for s in small_samples[:30]]
    assert len(texts) > SMALL_BATCH
    together = fitted_tagger.tag(texts)
    one_by_one = [fitted_tagger.tag([text])[0] for text in texts]
    assert together == one_by_one
    assert np.allclose(
        fitted_tagger.predict_proba(texts),
        np.vstack([fitted_tagger.predict_proba([text]) for text in texts]),
    )


def test_odd_text_never_breaks_tagging(fitted_tagger: ThemeTagger) -> None:
    odd = [
        "",
        " \n\t",
        "😀🚀 confidence!!",
        "مرحبا she was nervous \u200fbefore the interview",
        "zero\u200bwidth\u200bspace",
        "x" * 20_000,
        "She practised SQL. " * 1_000,
        "\x00\x01 control characters",
    ]
    for text, matches in zip(odd, fitted_tagger.tag(odd), strict=True):
        for match in matches:
            assert match.theme in fitted_tagger.classes_
            assert 0 <= match.score <= 1
            for evidence in match.evidence:
                assert text[evidence.start : evidence.end] == evidence.text


def test_sample_weight_of_ones_fits_the_same_model_as_none(small_samples: list[Sample]) -> None:
    texts = [s.text for s in small_samples[:300]]
    labels = [s.labels for s in small_samples[:300]]
    plain = ThemeTagger(threshold_folds=2).fit(texts, labels)
    ones = ThemeTagger(threshold_folds=2).fit(texts, labels, sample_weight=np.ones(len(texts)))
    assert np.allclose(ones.predict_proba(texts[:40]), plain.predict_proba(texts[:40]))
    assert np.array_equal(ones.thresholds_, plain.thresholds_)


ROTA_FILLERS = ("nothing else to note", "same room", "short one", "both on time", "notes to follow")


@pytest.mark.parametrize(("weight", "tagged"), [(1.0, False), (50.0, True)])
def test_a_heavily_weighted_file_outvotes_the_notes_it_contradicts(
    small_samples: list[Sample], weight: float, tagged: bool
) -> None:
    """60 notes say a rota check-in has no theme; a file of 10 says it is networking. At
    weight 1 the majority wins (score ~0.15); at weight 50 the file does (~0.9)."""
    base = small_samples[:200]
    rota = [f"Quarterly rota check-in, {ROTA_FILLERS[i % 5]}." for i in range(70)]
    texts = [s.text for s in base] + rota
    labels = [list(s.labels) for s in base] + [[]] * 60 + [["networking"]] * 10
    weights = [1.0] * (len(base) + 60) + [weight] * 10
    # class_weight=None: "balanced" would up-weight the rarer positives whatever the file's weight.
    tagger = ThemeTagger(threshold_folds=2, class_weight=None).fit(
        texts, labels, sample_weight=weights
    )
    column = list(tagger.classes_).index("networking")
    queries = ["Quarterly rota check-in.", "Quarterly rota check-in, nothing else to note."]
    assert ((tagger.predict_proba(queries)[:, column] > 0.5) == tagged).all()  # the regression
    assert (tagger.predict(queries)[:, column] == tagged).all()  # and with its threshold


def test_thresholds_are_tuned_on_weighted_counts(
    small_samples: list[Sample], monkeypatch: pytest.MonkeyPatch
) -> None:
    import training.thresholds

    received: list[np.ndarray | None] = []

    def recording(*args: Any, sample_weight: np.ndarray | None = None, **kwargs: Any) -> Any:
        received.append(sample_weight)
        return best_thresholds(*args, sample_weight=sample_weight, **kwargs)

    monkeypatch.setattr(training.thresholds, "best_thresholds", recording)
    texts = [s.text for s in small_samples[:100]]
    weights = np.linspace(0.5, 3.0, len(texts))
    ThemeTagger(threshold_folds=2).fit(
        texts, [s.labels for s in small_samples[:100]], sample_weight=weights
    )
    assert len(received) == 1
    assert np.array_equal(received[0], weights)


def test_invalid_sample_weights_are_named() -> None:
    texts, labels = ["practised SQL", "practised Excel"], [["skills"], ["skills"]]
    with pytest.raises(ConfigError, match=r"sample_weight\[1\] is -1.0"):
        ThemeTagger().fit(texts, labels, sample_weight=[1.0, -1.0])
    with pytest.raises(ConfigError, match=r"sample_weight has shape \(3,\) but X has 2 notes"):
        ThemeTagger().fit(texts, labels, sample_weight=[1.0, 1.0, 1.0])


def test_tag_notes_gives_the_margin_to_the_nearest_threshold(fitted_tagger: ThemeTagger) -> None:
    texts = [*LOGISTICS, "She rehearsed her pitch and felt far more confident.", "x " * 300]
    scores = fitted_tagger.predict_proba(texts)
    distances = np.abs(scores - fitted_tagger.thresholds_)
    tagged = fitted_tagger.tag_notes(texts)
    assert [list(note.matches) for note in tagged] == fitted_tagger.tag(texts)
    for row, note in zip(distances, tagged, strict=True):
        assert note.margin == pytest.approx(row.min(), abs=1e-4)
        assert note.uncertain_theme == fitted_tagger.classes_[row.argmin()]
    assert fitted_tagger.tag_notes([]) == []
