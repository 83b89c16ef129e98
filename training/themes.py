"""The theme codebook: ids, names, definitions and the signal phrases that hint at each theme."""

import json
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable

from training.errors import SampleError

# The project's codebook, package data: it travels with an installed package.
DEFAULT_THEMES: Traversable = files("training") / "themes.json"


@dataclass(frozen=True)
class Theme:
    """One growth theme of the codebook."""

    id: str
    name: str
    definition: str
    signals: tuple[str, ...] = ()


def load_themes(path: Traversable = DEFAULT_THEMES) -> list[Theme]:
    """Read a codebook file (a path, or package data): a JSON list of objects with id, name,
    definition and signals."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise SampleError(str(path), None, f"cannot read the codebook: {exc}") from exc
    if not isinstance(raw, list) or not raw:
        raise SampleError(str(path), None, "the codebook must be a non-empty JSON list")
    themes: list[Theme] = []
    for position, entry in enumerate(raw):
        if not isinstance(entry, dict) or not all(
            isinstance(entry.get(key), str) and entry[key] for key in ("id", "name", "definition")
        ):
            raise SampleError(
                str(path), None, f"entry {position} needs non-empty strings id, name, definition"
            )
        signals = entry.get("signals", [])
        if not isinstance(signals, list) or not all(isinstance(s, str) for s in signals):
            raise SampleError(
                str(path), None, f"entry {position}: signals must be a list of strings"
            )
        themes.append(Theme(entry["id"], entry["name"], entry["definition"], tuple(signals)))
    ids = [theme.id for theme in themes]
    if len(set(ids)) != len(ids):
        raise SampleError(str(path), None, f"theme ids repeat: {sorted(ids)}")
    return themes
