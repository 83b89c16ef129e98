"""The declarative training configuration (``config.toml``) and its validation.

``[model]`` holds values only: its keys are ThemeTagger's parameters, checked against
the types, bounds and defaults of its ``__init__`` signature, so a hyper-parameter is
defined in the estimator and nowhere else. Two parameters are not set there:
``random_state`` is the top-level ``seed`` and ``signals`` come from the codebook.
"""

import inspect
import tomllib
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from training.errors import ConfigError
from training.estimator import ThemeTagger

# Package data, so an installed package trains with the same settings as a checkout.
DEFAULT_CONFIG: Traversable = files("training") / "config.toml"

# ThemeTagger parameters that a config does not set, and what sets them instead.
SET_ELSEWHERE = {"random_state": "the top-level seed", "signals": "the codebook"}

if TYPE_CHECKING:
    ModelParameters = BaseModel
else:
    ModelParameters = create_model(
        "ModelParameters",
        __config__=ConfigDict(extra="forbid"),
        **{
            name: (parameter.annotation, parameter.default)
            for name, parameter in inspect.signature(ThemeTagger).parameters.items()
            if name not in SET_ELSEWHERE
        },
    )


class EvaluationConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stratified_folds: int = Field(default=5, ge=2)
    # 0 leaves a cross-validation out (each fold is a fit of the whole design).
    grouped_folds: int = Field(default=8, ge=0)
    family_folds: int = Field(default=5, ge=0)
    # Labelled notes of other genres and writers, never trained on: the final model is
    # scored on them when the file exists (relative to the working directory).
    transfer_set: str | None = "data/transfer/dev.jsonl"


class SelectionConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    candidates: dict[str, dict[str, Any]] = Field(default_factory=dict)


class TrainingConfig(BaseModel):
    """Everything that decides what a training run produces."""

    model_config = ConfigDict(extra="forbid")

    seed: int = 13
    model: ModelParameters = Field(default_factory=ModelParameters)
    evaluation: EvaluationConfig = Field(default_factory=EvaluationConfig)
    selection: SelectionConfig = Field(default_factory=SelectionConfig)

    def candidate(self, name: str) -> BaseModel:
        """The model parameters of a selection candidate: ``[model]`` with its overrides."""
        try:
            overrides = self.selection.candidates[name]
        except KeyError:
            known = ", ".join(sorted(self.selection.candidates)) or "none"
            raise ConfigError(f"unknown candidate {name!r}; known: {known}") from None
        try:
            return ModelParameters.model_validate({**self.model.model_dump(), **overrides})
        except ValidationError as exc:
            raise ConfigError(f"candidate {name!r}: {_problems(exc, parameters=())}") from exc


def load_config(path: Traversable = DEFAULT_CONFIG) -> TrainingConfig:
    """Read and validate a TOML training config, naming the file and field on error."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: bad TOML: {exc}") from exc
    try:
        return TrainingConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {_problems(exc)}") from exc


def _problems(exc: ValidationError, *, parameters: tuple[str, ...] = ("model",)) -> str:
    """Every error as ``field.path: message``; ``parameters`` is where the model parameters
    are in the validated object (nowhere else does an unknown key get the list of known ones)."""
    problems = []
    for error in exc.errors():
        loc = error["loc"]
        message = error["msg"]
        if error["type"] == "extra_forbidden" and loc[:-1] == parameters:
            message = _not_a_parameter(str(loc[-1]))
        problems.append(f"{'.'.join(str(part) for part in loc)}: {message}")
    return "; ".join(problems)


def _not_a_parameter(key: str) -> str:
    if key in SET_ELSEWHERE:
        return f"not set in [model]: it is {SET_ELSEWHERE[key]}"
    known = ", ".join(sorted(ModelParameters.model_fields))
    return f"not a ThemeTagger hyper-parameter; the known ones are {known}"
