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

    @property
    def headers(self) -> dict[str, str]:
        """Response headers that belong to this error (e.g. ``Retry-After``)."""
        return {}


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


class RetryLater(ServiceError):
    """An error the client may retry after ``retry_after`` whole seconds (``Retry-After``)."""

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class TooManyRequests(RetryLater):
    """The key has used up its request rate; ``retry_after`` is in whole seconds."""

    status = 429
    title = "Too many requests"


class Unavailable(RetryLater):
    """The database cannot be reached or timed out. The request was not acknowledged (a
    commit cut off by the outage may still have landed: posting the same external id and
    text again returns the stored note)."""

    status = 503
    title = "Service unavailable"


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
