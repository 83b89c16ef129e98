"""Domain errors of the training package; each message names where and what went wrong."""


class TrainingError(Exception):
    """Base class for every error this package raises on purpose."""


class SampleError(TrainingError):
    """A samples file cannot be used: names the file, the line and the problem."""

    def __init__(self, path: str, line: int | None, problem: str) -> None:
        self.path = path
        self.line = line
        self.problem = problem
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {problem}")


class ConfigError(TrainingError):
    """The training configuration is invalid."""


class ModelError(TrainingError):
    """A model artifact is missing, corrupted or was made by incompatible libraries."""
