from importlib.resources import files
from pathlib import Path

import pytest

from training.config import DEFAULT_CONFIG, SET_ELSEWHERE, ModelParameters, load_config
from training.errors import ConfigError
from training.estimator import ThemeTagger


def test_default_config_is_valid_and_seeded() -> None:
    config = load_config()
    assert config.seed == 13
    assert config.model.features
    assert len(config.selection.candidates) >= 3
    for name in config.selection.candidates:
        assert config.candidate(name).features


def test_unknown_or_invalid_fields_are_named(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("seed = 1\n[model]\nC = -1\nfeaturez = []\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert "model.C" in str(caught.value)
    assert "model.featurez" in str(caught.value)


def test_unknown_candidate_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="unknown candidate 'nope'; known: "):
        load_config().candidate("nope")


def test_model_parameters_are_the_estimators_with_its_defaults() -> None:
    tagger = ThemeTagger().get_params()
    parameters = ModelParameters().model_dump()
    assert set(parameters) == set(tagger) - set(SET_ELSEWHERE)
    assert parameters == {name: tagger[name] for name in parameters}


def test_an_unknown_hyper_parameter_is_named_with_the_known_ones(tmp_path: Path) -> None:
    message = _config_error(tmp_path, "[model]\nword_maxn = 3\n")
    assert "model.word_maxn: not a ThemeTagger hyper-parameter" in message
    assert "word_max_n" in message


def test_random_state_and_signals_are_not_set_in_the_model_table(tmp_path: Path) -> None:
    message = _config_error(tmp_path, "[model]\nrandom_state = 3\nsignals = {}\n")
    assert "model.random_state: not set in [model]: it is the top-level seed" in message
    assert "model.signals: not set in [model]: it is the codebook" in message


def test_a_candidate_with_an_unknown_key_is_named(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[selection.candidates.odd]\nnb_weight = false\n")
    with pytest.raises(ConfigError, match="candidate 'odd': nb_weight: not a ThemeTagger"):
        load_config(path).candidate("odd")


def test_default_config_is_package_data_read_through_importlib_resources() -> None:
    assert DEFAULT_CONFIG == files("training").joinpath("config.toml")
    assert load_config(DEFAULT_CONFIG) == load_config()


def _config_error(tmp_path: Path, text: str) -> str:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return str(caught.value)
