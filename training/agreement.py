"""Agreement between two labellings of the same notes (two people, or a person and the
model): per theme, Cohen's kappa and Krippendorff's alpha on the yes/no decision."""

from collections.abc import Sequence
from dataclasses import dataclass

import krippendorff
import numpy as np
from sklearn.metrics import cohen_kappa_score

from training.errors import SampleError
from training.samples import Sample


@dataclass(frozen=True)
class ThemeAgreement:
    theme: str
    kappa: float | None  # None when neither labelling varies (kappa is undefined)
    alpha: float | None
    both: int  # notes both gave the theme
    only_first: int
    only_second: int


def pair_up(first: Sequence[Sample], second: Sequence[Sample]) -> list[tuple[Sample, Sample]]:
    """The notes both files label, matched by id; every id must appear in both."""
    by_id = {sample.id: sample for sample in second}
    missing = [sample.id for sample in first if sample.id not in by_id]
    extra = sorted(set(by_id) - {sample.id for sample in first})
    if missing or extra:
        raise SampleError(
            "agreement", None,
            f"the files must label the same notes; only in the first: {missing[:5]}, "
            f"only in the second: {extra[:5]}",
        )  # fmt: skip
    return [(sample, by_id[sample.id]) for sample in first]


def agreement(
    pairs: Sequence[tuple[Sample, Sample]], themes: Sequence[str]
) -> list[ThemeAgreement]:
    results = []
    for theme in themes:
        a = np.array([theme in x.labels for x, _ in pairs], dtype=int)
        b = np.array([theme in y.labels for _, y in pairs], dtype=int)
        varied = len(set(a) | set(b)) > 1
        kappa = float(cohen_kappa_score(a, b)) if varied else None
        alpha = (
            float(
                krippendorff.alpha(
                    reliability_data=np.vstack([a, b]), level_of_measurement="nominal"
                )
            )
            if varied
            else None
        )
        results.append(
            ThemeAgreement(
                theme=theme,
                kappa=kappa,
                alpha=alpha,
                both=int(np.sum(a & b)),
                only_first=int(np.sum(a & (1 - b))),
                only_second=int(np.sum((1 - a) & b)),
            )
        )
    return results
