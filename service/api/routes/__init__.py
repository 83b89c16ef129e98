"""One module per resource, each with its own ``router``."""

from typing import Any

from service.api.schemas import Problem

_DESCRIPTIONS = {
    401: "No API key, or a bad or revoked one.",
    403: "The key's role does not allow this.",
    404: "No such resource in this tenant.",
    409: "The external id is taken by a different text.",
    413: "The request body is over the size limit.",
    422: "A field is invalid; the problem names it.",
    429: "The key is over its request rate; retry after Retry-After seconds.",
    503: "Not ready.",
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problem responses a route can give; a route that takes a key
    (401) can also be over the key's rate (429)."""
    if 401 in statuses:
        statuses = (*statuses, 429)
    return {
        status: {
            "model": Problem,
            "description": _DESCRIPTIONS[status],
            "content": {"application/problem+json": {}},
        }
        for status in statuses
    }
