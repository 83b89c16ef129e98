"""The model registry on disk: one folder per version (model.joblib + card.json) and an
``active`` file naming the version the service uses, replaced atomically."""

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import joblib

from training.errors import ModelError
from training.estimator import ThemeTagger

# Relative to the working directory, as the service's models_dir setting is by default.
DEFAULT_MODELS_DIR = Path("models")
MODEL_FILE = "model.joblib"
CARD_FILE = "card.json"
ACTIVE_FILE = "active"
CHECKED_LIBRARIES = ("scikit-learn", "spacy")
RECORDED_LIBRARIES = ("scikit-learn", "spacy", "numpy", "scipy", "joblib", "mentor-themes")


@dataclass(frozen=True)
class LoadedModel:
    version: str
    tagger: ThemeTagger
    card: dict[str, Any]
    path: Path

    @property
    def labels(self) -> tuple[str, ...]:
        """The theme ids the model gives, in its column order.

        Read from the fitted tagger (``classes_``): what it predicts. The card's ``labels``
        entries describe the same ids (name, definition)."""
        return tuple(str(label) for label in self.tagger.classes_)


def library_versions() -> dict[str, str]:
    """Versions of the libraries a model file depends on, as recorded in its card."""
    versions = {}
    for name in RECORDED_LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "unknown"
    return versions


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def new_version(models_dir: Path, data_sha256: str, now: datetime | None = None) -> str:
    """A sortable, unique id: UTC time of training plus the start of the data hash."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    base = f"{stamp}-{data_sha256[:8]}"
    version, suffix = base, 1
    while (models_dir / version).exists():
        suffix += 1
        version = f"{base}-{suffix}"
    return version


def _write_atomically(path: Path, content: bytes) -> None:
    """Write to a temporary file in the same folder, fsync, then rename over ``path``."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def save_model(models_dir: Path, version: str, tagger: ThemeTagger, card: dict[str, Any]) -> Path:
    """Write a new version folder; the first model in the registry becomes the active one."""
    folder = models_dir / version
    folder.mkdir(parents=True, exist_ok=False)
    model_path = folder / MODEL_FILE
    joblib.dump(tagger, model_path, compress=3)
    full_card = {**card, "version": version, "sha256": file_sha256(model_path)}
    _write_atomically(folder / CARD_FILE, json.dumps(full_card, indent=2).encode("utf-8") + b"\n")
    if read_active(models_dir) is None:
        set_active(models_dir, version)
    return folder


def read_active(models_dir: Path) -> str | None:
    """The active version named by ``models/active``, or None when there is none yet."""
    try:
        version = (models_dir / ACTIVE_FILE).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return version or None


def set_active(models_dir: Path, version: str) -> None:
    """Point ``models/active`` at ``version`` (which must exist) in one atomic rename."""
    if not (models_dir / version / CARD_FILE).is_file():
        raise ModelError(f"no model version {version!r} in {models_dir}")
    _write_atomically(models_dir / ACTIVE_FILE, f"{version}\n".encode())


def read_card(folder: Path) -> dict[str, Any]:
    try:
        card: dict[str, Any] = json.loads((folder / CARD_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{folder}: no {CARD_FILE}; not a model version folder") from None
    except json.JSONDecodeError as exc:
        raise ModelError(f"{folder / CARD_FILE}: bad JSON: {exc.msg}") from exc
    return card


def resolve(models_dir: Path, version_or_path: str | None) -> Path:
    """The folder of a version id or path; the active version when None."""
    if version_or_path is None:
        active = read_active(models_dir)
        if active is None:
            raise ModelError(
                f"no active model in {models_dir}: train one with 'mentor-themes train'"
            )
        return models_dir / active
    candidate = Path(version_or_path)
    if candidate.is_dir():
        return candidate
    if (models_dir / version_or_path).is_dir():
        return models_dir / version_or_path
    raise ModelError(f"no model version or folder {version_or_path!r} (looked in {models_dir})")


def _major_minor(version: str) -> tuple[str, ...]:
    return tuple(version.split(".")[:2])


def load_model(models_dir: Path, version_or_path: str | None = None) -> LoadedModel:
    """Load a version after checking its checksum and the library versions it was made with."""
    folder = resolve(models_dir, version_or_path)
    card = read_card(folder)
    model_path = folder / MODEL_FILE
    if not model_path.is_file():
        raise ModelError(f"{folder}: {MODEL_FILE} is missing")
    actual = file_sha256(model_path)
    if actual != card.get("sha256"):
        raise ModelError(
            f"{model_path}: checksum {actual[:12]}… does not match the card's "
            f"{str(card.get('sha256'))[:12]}…; the file is corrupted or was replaced"
        )
    installed = library_versions()
    recorded = card.get("libraries", {})
    for library in CHECKED_LIBRARIES:
        made_with = str(recorded.get(library, "unknown"))
        if _major_minor(made_with) != _major_minor(installed[library]):
            raise ModelError(
                f"{folder.name} was made with {library} {made_with} but {installed[library]} is "
                f"installed; retrain it with 'mentor-themes train'"
            )
    tagger = joblib.load(model_path)
    if not isinstance(tagger, ThemeTagger):
        raise ModelError(f"{model_path}: holds a {type(tagger).__name__}, not a ThemeTagger")
    return LoadedModel(
        version=str(card.get("version", folder.name)), tagger=tagger, card=card, path=folder
    )


def list_cards(models_dir: Path) -> list[dict[str, Any]]:
    """Cards of every version folder, oldest first."""
    if not models_dir.is_dir():
        return []
    folders = sorted(p for p in models_dir.iterdir() if (p / CARD_FILE).is_file())
    return [read_card(folder) for folder in folders]
