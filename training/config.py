"""The declarative training configuration (``config.toml``) and its validation."""

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from training.errors import ConfigError

DEFAULT_CONFIG_PATH = Path(__file__).resolve().parent / "config.toml"

FeatureBlock = Literal["words", "lemmas", "subwords", "signals"]


class ModelConfig(BaseModel):
    """Hyper-parameters of the ThemeTagger (see its docstring)."""

    model_config = ConfigDict(extra="forbid")

    features: list[FeatureBlock] = Field(default=["words", "lemmas", "subwords"], min_length=1)
    word_max_n: int = Field(default=2, ge=1, le=4)
    subword_min_n: int = Field(default=3, ge=1, le=8)
    subword_max_n: int = Field(default=5, ge=1, le=8)
    min_df: int = Field(default=2, ge=1)
    subword_weight: float = Field(default=1.0, gt=0)
    signal_weight: float = Field(default=1.0, gt=0)
    C: float = Field(default=4.0, gt=0)
    nb_weighting: bool = True
    class_weight: Literal["balanced"] | None = "balanced"
    threshold_folds: int = Field(default=5, ge=2)
    threshold_bounds: tuple[float, float] = (0.1, 0.9)
    max_evidence: int = Field(default=3, ge=1)
    n_jobs: int | None = None


class EvaluationConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stratified_folds: int = Field(default=5, ge=2)
    grouped_folds: int = Field(default=8, ge=2)


class SelectionConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    candidates: dict[str, dict[str, Any]] = Field(default_factory=dict)


class TrainingConfig(BaseModel):
    """Everything that decides what a training run produces."""

    model_config = ConfigDict(extra="forbid")

    seed: int = 13
    model: ModelConfig = Field(default_factory=ModelConfig)
    evaluation: EvaluationConfig = Field(default_factory=EvaluationConfig)
    selection: SelectionConfig = Field(default_factory=SelectionConfig)

    def candidate(self, name: str) -> ModelConfig:
        """The model config of a selection candidate: ``[model]`` with its overrides."""
        try:
            overrides = self.selection.candidates[name]
        except KeyError:
            known = ", ".join(sorted(self.selection.candidates)) or "none"
            raise ConfigError(f"unknown candidate {name!r}; known: {known}") from None
        try:
            return ModelConfig.model_validate({**self.model.model_dump(), **overrides})
        except ValidationError as exc:
            raise ConfigError(f"candidate {name!r}: {exc}") from exc


def load_config(path: Path = DEFAULT_CONFIG_PATH) -> TrainingConfig:
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
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"
            for error in exc.errors()
        )
        raise ConfigError(f"{path}: {problems}") from exc
