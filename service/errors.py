"""Domain errors. ``service.api.problems`` maps each to an RFC 9457 problem response."""

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldProblem:
    """What is wrong with one field of a request, e.g. ``body.notes.3.text``."""

    field: str
    problem: str


class ServiceError(Exception):
    """Base of the errors a request can end in; ``status`` and ``title`` shape the response."""

    status = 500
    title = "Internal error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(ServiceError):
    status = 404
    title = "Not found"


class Conflict(ServiceError):
    status = 409
    title = "Conflict"


class Unauthorized(ServiceError):
    status = 401
    title = "Unauthorized"


class Forbidden(ServiceError):
    status = 403
    title = "Forbidden"


class PayloadTooLarge(ServiceError):
    status = 413
    title = "Payload too large"


class InvalidInput(ServiceError):
    """One or more fields are invalid; every problem names its field."""

    status = 422
    title = "Invalid request"

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.problem}" for p in problems))
        self.problems = problems
