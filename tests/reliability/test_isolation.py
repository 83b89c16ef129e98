"""Who may see and change what, for every route of the app, read from its route table: a
route nobody classified here fails the first test, so a new route cannot go untested.

- A key of another tenant gets exactly the answer a missing resource gets.
- A key bound to a mentor cannot reach another mentor's notes or mentees.
- Each route answers 403 to exactly the roles its dependency does not allow, and 401
  without a key when it needs one."""

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from starlette.routing import BaseRoute

from service.api.deps import get_principal
from service.auth.keys import Role
from service.main import build_app
from service.settings import Settings
from tests.service.conftest import Api

NOTE_TEXT = "She led the design review with confidence and asked for the staff role."


@dataclass(frozen=True)
class Target:
    """A tenant's resources a request can name."""

    note_id: str
    mentee_id: str
    external_id: str
    version: str


# A request for a route, given the resources to name: (query string or body).
Build = Callable[[Target], tuple[str, Any]]


@dataclass(frozen=True)
class Case:
    kind: str  # note, mentee, listing, creates, shared, public
    build: Build


def _note_body(target: Target) -> dict[str, Any]:
    return {"text": NOTE_TEXT, "mentee_id": target.mentee_id, "external_id": target.external_id}


CASES: dict[tuple[str, str], Case] = {
    ("GET", "/v1/notes/{note_id}"): Case("note", lambda t: (f"/v1/notes/{t.note_id}", None)),
    ("PUT", "/v1/notes/{note_id}/themes"): Case(
        "note", lambda t: (f"/v1/notes/{t.note_id}/themes", {"themes": ["career"]})
    ),
    ("DELETE", "/v1/notes/{note_id}"): Case("note", lambda t: (f"/v1/notes/{t.note_id}", None)),
    ("DELETE", "/v1/mentees/{mentee_id}"): Case(
        "mentee", lambda t: (f"/v1/mentees/{t.mentee_id}", None)
    ),
    ("GET", "/v1/notes"): Case("listing", lambda t: (f"/v1/notes?mentee_id={t.mentee_id}", None)),
    ("GET", "/v1/review-queue"): Case("listing", lambda t: ("/v1/review-queue?limit=200", None)),
    ("GET", "/v1/trends"): Case(
        "listing", lambda t: (f"/v1/trends?scope=mentee&id={t.mentee_id}", None)
    ),
    ("GET", "/v1/trends.csv"): Case(
        "listing", lambda t: (f"/v1/trends.csv?scope=mentee&id={t.mentee_id}", None)
    ),
    ("POST", "/v1/notes"): Case("creates", lambda t: ("/v1/notes", _note_body(t))),
    ("POST", "/v1/notes/batch"): Case(
        "creates", lambda t: ("/v1/notes/batch", {"notes": [_note_body(t)]})
    ),
    # Shared by every tenant of a service: the model and its codebook.
    ("POST", "/v1/tag"): Case("shared", lambda t: ("/v1/tag", {"texts": [NOTE_TEXT]})),
    ("GET", "/v1/themes"): Case("shared", lambda t: ("/v1/themes", None)),
    ("GET", "/v1/model"): Case("shared", lambda t: ("/v1/model", None)),
    ("POST", "/v1/models/{version}/activate"): Case(
        "shared", lambda t: (f"/v1/models/{t.version}/activate", {})
    ),
    ("GET", "/healthz"): Case("public", lambda t: ("/healthz", None)),
    ("GET", "/readyz"): Case("public", lambda t: ("/readyz", None)),
    ("GET", "/metrics"): Case("public", lambda t: ("/metrics", None)),
    ("GET", "/"): Case("public", lambda t: ("/", None)),
    ("GET", "/dashboard"): Case("public", lambda t: ("/dashboard", None)),
}


def _walk(routes: list[BaseRoute]) -> Iterator[RouteContext]:
    """The API routes, with the paths they are served at (prefixes of included routers
    applied, as an included router's own routes do not carry them)."""
    for route in iter_route_contexts(routes):
        if isinstance(route.original_route, APIRoute):
            yield route


def _dependencies(dependant: Dependant) -> Iterator[Any]:
    yield dependant.call
    for child in dependant.dependencies:
        yield from _dependencies(child)


@dataclass(frozen=True)
class RouteInfo:
    method: str
    path: str
    needs_key: bool
    roles: frozenset[Role] | None  # None: any key


def route_table() -> list[RouteInfo]:
    """Every API route of the app, with what its dependencies demand of the caller."""
    app = build_app(Settings())
    table = []
    for route in _walk(app.routes):
        calls = list(_dependencies(route.dependant))
        roles = next((c.roles for c in calls if hasattr(c, "roles")), None)
        for method in sorted(route.methods):
            table.append(
                RouteInfo(
                    method=method,
                    path=route.path,
                    needs_key=get_principal in calls,
                    roles=frozenset(roles) if roles is not None else None,
                )
            )
    return table


ROUTES = route_table()


def ids(info: RouteInfo) -> str:
    return f"{info.method} {info.path}"


def test_every_route_is_classified_here() -> None:
    found = {(info.method, info.path) for info in ROUTES}
    assert found == set(CASES), "classify new routes in CASES (and remove gone ones)"
    for info in ROUTES:
        kind = CASES[(info.method, info.path)].kind
        assert info.needs_key == (kind != "public"), f"{ids(info)} key requirement"


def _store(api: Api, tenant: str, mentor: str | None = None) -> Target:
    key = api.key(tenant, Role.INGEST)
    fields = {"mentee_id": f"mentee-{uuid.uuid4().hex[:8]}", "external_id": uuid.uuid4().hex}
    if mentor is not None:
        fields["mentor_id"] = mentor
    posted = api.post_note(key, **fields)
    assert posted.status_code == 201, posted.text
    return Target(
        note_id=posted.json()["id"],
        mentee_id=fields["mentee_id"],
        external_id=fields["external_id"],
        version=api.state.tagging.model.version,
    )


def _missing() -> Target:
    return Target(
        note_id=str(uuid.uuid4()),
        mentee_id=f"mentee-{uuid.uuid4().hex[:8]}",
        external_id=uuid.uuid4().hex,
        version="no-such-version",
    )


def _send(api: Api, info: RouteInfo, target: Target, key: str | None) -> Any:
    path, body = CASES[(info.method, info.path)].build(target)
    headers = api.headers(key) if key is not None else {}
    return api.client.request(info.method, path, json=body, headers=headers)


def _without(text: str, *values: str) -> str:
    for value in values:
        text = text.replace(value, "<id>")
    return re.sub(r'"(time|request_id)": ?"[^"]*"', "", text)


def _routes(*kinds: str) -> list[RouteInfo]:
    return [info for info in ROUTES if CASES[(info.method, info.path)].kind in kinds]


@pytest.mark.parametrize("info", _routes("note", "mentee"), ids=ids)
def test_another_tenants_resource_answers_like_a_missing_one(api: Api, info: RouteInfo) -> None:
    owner, stranger = api.tenant(), api.tenant()
    theirs = _store(api, owner)
    key = api.key(stranger, Role.ADMIN)
    crossed = _send(api, info, theirs, key)
    missing_target = _missing()
    missing = _send(api, info, missing_target, key)
    assert crossed.status_code == missing.status_code
    assert _without(crossed.text, theirs.note_id, theirs.mentee_id) == _without(
        missing.text, missing_target.note_id, missing_target.mentee_id
    )
    still = api.client.get(f"/v1/notes/{theirs.note_id}", headers=api.headers(api.key(owner)))
    assert still.status_code == 200 and still.json()["review"] is None, "the owner's note changed"


@pytest.mark.parametrize("info", _routes("listing"), ids=ids)
def test_listings_show_nothing_of_another_tenant(api: Api, info: RouteInfo) -> None:
    owner, stranger = api.tenant(), api.tenant()
    theirs = _store(api, owner)
    _store(api, stranger)
    response = _send(api, info, theirs, api.key(stranger, Role.ADMIN))
    assert response.status_code == 200
    assert theirs.note_id not in response.text
    if info.path.startswith("/v1/trends"):
        assert "n=1" not in response.text and '"n":1' not in response.text.replace(" ", "")


@pytest.mark.parametrize("info", _routes("creates"), ids=ids)
def test_creating_with_another_tenants_external_id_reveals_nothing(
    api: Api, info: RouteInfo
) -> None:
    owner, stranger = api.tenant(), api.tenant()
    theirs = _store(api, owner)
    response = _send(api, info, theirs, api.key(stranger, Role.INGEST))
    assert theirs.note_id not in response.text
    body = response.json()
    stored_anew = body["results"][0]["status"] if "results" in body else response.status_code
    assert stored_anew == 201, "the external id is another tenant's: this is a new note"


@pytest.mark.parametrize("info", _routes("note", "listing"), ids=ids)
def test_a_mentor_bound_key_cannot_reach_another_mentors_notes(api: Api, info: RouteInfo) -> None:
    if info.roles is not None and Role.READ not in info.roles:
        pytest.skip("mentor-bound keys are read keys; this route needs another role")
    tenant = api.tenant()
    theirs = _store(api, tenant, mentor="mentor-a")
    key = api.key(tenant, Role.READ, mentor="mentor-b")
    response = _send(api, info, theirs, key)
    if CASES[(info.method, info.path)].kind == "note":
        missing_target = _missing()
        missing = _send(api, info, missing_target, key)
        assert response.status_code == missing.status_code == 404
        assert _without(response.text, theirs.note_id) == _without(
            missing.text, missing_target.note_id
        )
    else:
        assert response.status_code == 200
        assert theirs.note_id not in response.text
        if info.path.startswith("/v1/trends"):
            assert "n=1" not in response.text and '"n":1' not in response.text.replace(" ", "")


ROLE_CASES = [
    (info, role)
    for info in ROUTES
    if info.needs_key
    for role in (Role.INGEST, Role.READ, Role.ADMIN)
]


@pytest.mark.parametrize(
    ("info", "role"), ROLE_CASES, ids=[f"{ids(i)} as {r.value}" for i, r in ROLE_CASES]
)
def test_each_role_is_refused_exactly_where_the_route_says(
    api: Api, info: RouteInfo, role: Role
) -> None:
    tenant = api.tenant()
    target = _store(api, tenant)
    key = api.key(tenant, role)
    response = _send(api, info, target, key)
    allowed = info.roles is None or role in info.roles
    assert (response.status_code == 403) != allowed, (response.status_code, response.text)
    assert _send(api, info, target, None).status_code == 401
