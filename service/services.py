"""The old name of ``service.state``, for ``api/routes/trends.py`` only (the trends domain's
file, changed on its own branch): delete this module once it imports ``AppState``."""

from service.state import AppState as Services

__all__ = ["Services"]
