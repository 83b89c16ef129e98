"""Note text and keys never reach the logs, even at debug level."""

import logging
import uuid

import pytest

from service.auth.keys import Role
from tests.service.conftest import Api


def test_note_text_and_keys_are_not_logged(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    secret_words = f"confidential-{uuid.uuid4().hex}"
    text = f"She told me about {secret_words} and felt more confident afterwards."
    key = api.key(api.tenant(), Role.ADMIN)
    api.post_note(key, text=text, external_id="log-1")
    api.post_note(key, text=text + " changed", external_id="log-1")  # 409
    api.post_note(key, text=text, mentee_id="")  # 422
    api.client.post("/v1/tag", json={"texts": [text]}, headers=api.headers(key))
    api.client.get("/v1/notes", headers=api.headers(key))
    api.client.get("/v1/notes", headers=api.headers(key[:-3] + "xyz"))
    assert caplog.records, "debug logging should have produced records"
    logged = caplog.text
    assert secret_words not in logged
    assert key.split("_", 2)[2] not in logged
