"""The app as a whole: its OpenAPI schema, and that tagging leaves the event loop free."""

import threading
from typing import Any

from service.auth.keys import Role
from tests.service.conftest import Api

ROUTES = {
    ("post", "/v1/notes"),
    ("post", "/v1/notes/batch"),
    ("get", "/v1/notes"),
    ("get", "/v1/notes/{note_id}"),
    ("delete", "/v1/notes/{note_id}"),
    ("delete", "/v1/mentees/{mentee_id}"),
    ("post", "/v1/tag"),
    ("get", "/v1/themes"),
    ("get", "/v1/model"),
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/metrics"),
    ("get", "/v1/trends"),
    ("get", "/v1/trends.csv"),
}


def test_openapi_lists_every_route_with_bodies_that_carry_examples(api: Api) -> None:
    schema = api.client.get("/openapi.json").json()
    found = {(method, path) for path, item in schema["paths"].items() for method in item}
    assert ROUTES <= found
    components = schema["components"]["schemas"]
    for name in ("NoteIn", "BatchIn", "TagIn"):
        assert components[name].get("examples"), f"{name} has no example"
    assert components["NoteIn"]["additionalProperties"] is False
    assert "bearer" in str(schema["components"]["securitySchemes"]).lower()
    post = schema["paths"]["/v1/notes"]["post"]
    assert {"201", "200", "409", "413", "422"} <= set(post["responses"])
    assert post["description"] or post["summary"]


def test_a_slow_tagging_request_does_not_hold_up_others(api: Api) -> None:
    key = api.key(api.tenant(), Role.INGEST)
    long_texts = ["She practised the talk again and asked for feedback. " * 90] * 45
    slow_done = threading.Event()
    slow: dict[str, Any] = {}

    def post_slow() -> None:
        slow["response"] = api.client.post(
            "/v1/tag", json={"texts": long_texts}, headers=api.headers(key)
        )
        slow_done.set()

    thread = threading.Thread(target=post_slow)
    thread.start()
    answered_while_tagging = 0
    while not slow_done.is_set():
        assert api.client.get("/healthz").status_code == 200
        answered_while_tagging += slow_done.is_set() is False
    thread.join()
    assert slow["response"].status_code == 200
    assert answered_while_tagging >= 3, "the event loop stalled while the model was busy"
