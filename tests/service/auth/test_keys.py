"""API keys: creation, hashing, revocation and the checker's cache."""

import time
from typing import Any

import pytest
from sqlalchemy import select

from service.auth.keys import KeyChecker, Role, create_key, list_keys, revoke_key
from service.errors import NotFound, Unauthorized
from service.storage.tables import ApiKey


def test_a_created_key_checks_out_to_its_tenant_role_and_mentor(sessions: Any) -> None:
    created = create_key(sessions, tenant_id="t-keys-1", role=Role.READ, mentor_id="mentor-9")
    principal = KeyChecker(sessions, cache_seconds=0).check(created.key)
    assert (principal.tenant_id, principal.role, principal.mentor_id) == (
        "t-keys-1",
        Role.READ,
        "mentor-9",
    )


def test_only_a_hash_of_the_secret_is_stored(sessions: Any) -> None:
    created = create_key(sessions, tenant_id="t-keys-2", role=Role.ADMIN)
    secret = created.key.split("_", 2)[2]
    with sessions() as session:
        row = session.scalars(select(ApiKey).where(ApiKey.id == created.principal.key_id)).one()
    stored = " ".join(str(value) for value in vars(row).values())
    assert secret not in stored and len(row.secret_sha256) == 64


def test_a_mentor_can_only_be_bound_to_a_read_key(sessions: Any) -> None:
    with pytest.raises(ValueError, match="--role read"):
        create_key(sessions, tenant_id="t-keys-3", role=Role.ADMIN, mentor_id="m")


@pytest.mark.parametrize("bad", ["", "mt_", "mt_abc", "xx_abc_def", "mt__secret"])
def test_malformed_keys_are_refused(sessions: Any, bad: str) -> None:
    with pytest.raises(Unauthorized, match="malformed"):
        KeyChecker(sessions, cache_seconds=0).check(bad)


def test_revoked_key_is_refused_at_once_without_cache(sessions: Any) -> None:
    created = create_key(sessions, tenant_id="t-keys-4", role=Role.INGEST)
    checker = KeyChecker(sessions, cache_seconds=0)
    checker.check(created.key)
    revoke_key(sessions, created.key)
    with pytest.raises(Unauthorized, match="revoked"):
        checker.check(created.key)
    assert list_keys(sessions, "t-keys-4")[0].revoked_at is not None


def test_cache_serves_a_checked_key_but_still_refuses_a_wrong_secret(sessions: Any) -> None:
    created = create_key(sessions, tenant_id="t-keys-5", role=Role.INGEST)
    checker = KeyChecker(sessions, cache_seconds=60)
    assert checker.from_cache(created.key) is None
    checker.check(created.key)
    assert checker.from_cache(created.key) == checker.check(created.key)
    with pytest.raises(Unauthorized):
        checker.from_cache(created.key[:-2] + "zz")


def test_revoking_an_unknown_key_is_an_error(sessions: Any) -> None:
    with pytest.raises(NotFound, match="no API key"):
        revoke_key(sessions, "000000000000")


def test_a_cached_key_is_refused_once_its_revocation_is_read(sessions: Any) -> None:
    created = create_key(sessions, tenant_id="t-keys-6", role=Role.READ)
    checker = KeyChecker(sessions, cache_seconds=60, poll_seconds=0.05)
    checker.check(created.key)
    revoke_key(sessions, created.key)
    assert checker.from_cache(created.key) is not None  # not read yet: the cache still answers
    checker.refresh_revocations()
    with pytest.raises(Unauthorized, match="revoked"):
        checker.from_cache(created.key)


def test_the_revocation_watcher_reads_revocations_on_its_own(sessions: Any) -> None:
    created = create_key(sessions, tenant_id="t-keys-7", role=Role.READ)
    checker = KeyChecker(sessions, cache_seconds=60, poll_seconds=0.05)
    checker.check(created.key)
    checker.watch_revocations()
    try:
        revoke_key(sessions, created.key)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                checker.from_cache(created.key)
            except Unauthorized:
                break
            time.sleep(0.02)
        else:
            raise AssertionError("the watcher never read the revocation")
    finally:
        checker.close()
