from pathlib import Path

import pytest

from training.config import load_config
from training.errors import ConfigError


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
