"""The codebook: shipped as package data and read through importlib.resources."""

import json
import tomllib
from importlib.resources import files
from pathlib import Path

import pytest

from training.errors import SampleError
from training.themes import DEFAULT_THEMES, load_themes

ROOT = Path(__file__).resolve().parents[2]


def test_default_codebook_is_package_data_read_through_importlib_resources() -> None:
    assert DEFAULT_THEMES == files("training").joinpath("themes.json")
    shipped = json.loads(files("training").joinpath("themes.json").read_text(encoding="utf-8"))
    themes = load_themes()
    assert [theme.id for theme in themes] == [entry["id"] for entry in shipped]
    assert len(themes) == 6 and all(theme.definition and theme.signals for theme in themes)


def test_package_data_lists_the_codebook_and_the_config() -> None:
    """pip install (not editable) copies only the listed files into the package."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    shipped = pyproject["tool"]["setuptools"]["package-data"]["training"]
    assert {"themes.json", "config.toml"} <= set(shipped)


def test_no_training_module_builds_a_path_from_its_file() -> None:
    """Paths from __file__ point into a checkout, which an installed package does not have."""
    users = [p.name for p in (ROOT / "training").rglob("*.py") if "__file__" in p.read_text()]
    assert users == []


def test_an_unreadable_codebook_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(SampleError, match="themes.json: cannot read the codebook"):
        load_themes(tmp_path / "themes.json")
