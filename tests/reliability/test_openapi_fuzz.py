"""Every operation of the app's own OpenAPI schema, fuzzed by schemathesis with a valid key
of each role: no 5xx, and every answer as the schema declares it (status, content type,
body, headers), including that a request without the key or with a bad one is refused.

Checks left out, and why:

- ``positive_data_acceptance``: valid by the schema, refused by us on purpose, because
  JSON Schema cannot say it: limits set in the settings (page size, text length, texts per
  request), whitespace-only text, ``from`` after ``to``, a cursor or theme the service did
  not issue. Each is a 422 naming the field, tested with its route.
- ``negative_data_rejection`` on ``POST /v1/notes/batch`` only: items are checked one by
  one, so a bad item gets its own 422 inside a 200 and the others are stored, although the
  schema says what every item must be.
- Unknown query parameters are not sent: routes ignore them, as FastAPI does; bodies refuse
  unknown fields."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import settings
from schemathesis.generation.case import Case
from schemathesis.specs.openapi.checks import negative_data_rejection
from starlette.types import ASGIApp, Receive, Scope, Send

from service.auth.keys import Role
from service.main import build_app
from service.settings import Settings
from tests.service.conftest import Api

ROLES = {
    "admin": (Role.ADMIN, None),
    "ingest": (Role.INGEST, None),
    "read": (Role.READ, None),
    "mentor-read": (Role.READ, "mentor-3"),
}
PUBLIC = ["/healthz", "/readyz", "/metrics"]
# The schema does not depend on the settings: any app of this code base serves this one.
OPENAPI = build_app(Settings(database_url="sqlite://", models_dir=Path("models"))).openapi()


class LiveApp:
    """Where schemathesis sends its requests: the app the ``api`` fixture runs. Its lifespan
    is that fixture's; schemathesis must not start a second one (a second model process and
    engine), so the lifespan scope is refused, which servers take as "no lifespan"."""

    app: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            raise RuntimeError("the api fixture runs the app's lifespan")
        assert self.app is not None, "the live_app fixture sets the app"
        await self.app(scope, receive, send)


LIVE = LiveApp()


def load_schema(phases: list[str]) -> Any:
    schema = schemathesis.openapi.from_dict(OPENAPI)
    schema.app = LIVE
    schema.config.checks.update(excluded_check_names=["positive_data_acceptance"])
    schema.config.generation.update(allow_extra_parameters=False, with_security_parameters=False)
    schema.config.phases.update(phases=phases)
    return schema


# The admin key reaches every operation, so it gets the boundary values too (coverage);
# the other roles get the same random requests, where their role decides the answer.
admin_schema = load_schema(["examples", "coverage", "fuzzing"])
role_schema = load_schema(["examples", "fuzzing"]).exclude(path=PUBLIC)


@pytest.fixture(autouse=True)
def live_app(api: Api) -> Iterator[None]:
    LIVE.app = api.client.app
    yield
    LIVE.app = None


@pytest.fixture(scope="session")
def keys(api: Api) -> dict[str, str]:
    return {name: api.key(api.tenant(), role, mentor) for name, (role, mentor) in ROLES.items()}


def call_and_validate(case: Case, key: str) -> None:
    excluded = []
    if case.operation.label == "POST /v1/notes/batch":
        excluded.append(negative_data_rejection)
    case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, excluded_checks=excluded)


@admin_schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True, database=None)
def test_every_operation_answers_an_admin_as_declared(keys: dict[str, str], case: Case) -> None:
    call_and_validate(case, keys["admin"])


@pytest.mark.parametrize("role", ["ingest", "read", "mentor-read"])
@role_schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True, database=None)
def test_every_operation_answers_each_role_as_declared(
    keys: dict[str, str], role: str, case: Case
) -> None:
    call_and_validate(case, keys[role])
