from training.crossval import cross_validate, make_folds
from training.estimator import ThemeTagger
from training.samples import Sample


def test_grouped_folds_never_share_a_source(small_samples: list[Sample]) -> None:
    labels = sorted({label for s in small_samples for label in s.labels})
    folds = make_folds(small_samples, labels, scheme="grouped", n_splits=4, seed=1)
    assert len(folds) == 4
    for fold in folds:
        train_sources = {small_samples[i].source for i in fold.train}
        test_sources = {small_samples[i].source for i in fold.test}
        assert not train_sources & test_sources


def test_stratified_folds_partition_the_samples(small_samples: list[Sample]) -> None:
    labels = sorted({label for s in small_samples for label in s.labels})
    folds = make_folds(small_samples, labels, scheme="stratified", n_splits=3, seed=1)
    tested = sorted(i for fold in folds for i in fold.test.tolist())
    assert tested == list(range(len(small_samples)))
    for fold in folds:
        assert not set(fold.train.tolist()) & set(fold.test.tolist())


def test_cross_validate_scores_every_note_out_of_fold(small_samples: list[Sample]) -> None:
    subset = small_samples[:300]
    seen: list[str] = []
    result = cross_validate(
        ThemeTagger(threshold_folds=2),
        subset,
        scheme="grouped",
        n_splits=3,
        seed=1,
        on_fold=seen.append,
    )
    assert result["folds"] == 3 == len(seen)
    assert result["pooled"]["n"] == len(subset)
    assert 0.2 < result["pooled"]["macro_f1"] <= 1.0
    assert set(result["per_source_macro_f1"]) == {s.source for s in subset}
