import json
from pathlib import Path

import pytest

from training.errors import ModelError
from training.estimator import ThemeTagger
from training.registry import (
    list_cards,
    load_model,
    new_version,
    read_active,
    save_model,
    set_active,
)


def save(models: Path, tagger: ThemeTagger, version: str) -> Path:
    return save_model(models, version, tagger, {"libraries": _installed(), "labels": []})


def _installed() -> dict[str, str]:
    from training.registry import library_versions

    return library_versions()


def test_first_model_becomes_active_and_loads(tmp_path: Path, fitted_tagger: ThemeTagger) -> None:
    save(tmp_path, fitted_tagger, "v1")
    save(tmp_path, fitted_tagger, "v2")
    assert read_active(tmp_path) == "v1"
    loaded = load_model(tmp_path)
    assert loaded.version == "v1"
    assert loaded.tagger.tag(["We practised her pitch."]) == fitted_tagger.tag(
        ["We practised her pitch."]
    )
    assert [card["version"] for card in list_cards(tmp_path)] == ["v1", "v2"]


def test_set_active_replaces_the_pointer_and_refuses_unknown_versions(
    tmp_path: Path, fitted_tagger: ThemeTagger
) -> None:
    save(tmp_path, fitted_tagger, "v1")
    save(tmp_path, fitted_tagger, "v2")
    set_active(tmp_path, "v2")
    assert read_active(tmp_path) == "v2"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".active")]
    with pytest.raises(ModelError, match="no model version 'v9'"):
        set_active(tmp_path, "v9")


def test_a_corrupted_model_file_is_refused(tmp_path: Path, fitted_tagger: ThemeTagger) -> None:
    folder = save(tmp_path, fitted_tagger, "v1")
    with (folder / "model.joblib").open("ab") as handle:
        handle.write(b"tampered")
    with pytest.raises(ModelError, match="checksum .* does not match"):
        load_model(tmp_path)


def test_a_model_from_another_library_version_asks_for_retraining(
    tmp_path: Path, fitted_tagger: ThemeTagger
) -> None:
    folder = save(tmp_path, fitted_tagger, "v1")
    card = json.loads((folder / "card.json").read_text())
    card["libraries"]["scikit-learn"] = "0.24.2"
    (folder / "card.json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match=r"made with scikit-learn 0\.24\.2 .* retrain"):
        load_model(tmp_path)


def test_no_active_model_says_how_to_get_one(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="no active model .*'mentor-themes train'"):
        load_model(tmp_path)
    with pytest.raises(ModelError, match="no model version or folder 'nope'"):
        load_model(tmp_path, "nope")


def test_new_versions_are_unique_and_sortable(tmp_path: Path) -> None:
    first = new_version(tmp_path, "abcdef0123")
    (tmp_path / first).mkdir()
    second = new_version(tmp_path, "abcdef0123")
    assert first != second
    assert first.endswith("abcdef01") and second.startswith(first)
