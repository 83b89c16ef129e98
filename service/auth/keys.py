"""API keys: created and revoked from the CLI, checked on every request.

A key reads ``mt_<id>_<secret>``. The id finds the row; only the SHA-256 of the secret is
stored, and it is compared in constant time. The secret has 256 bits of entropy, so a plain
hash (rather than a slow password hash) is enough and keeps each request cheap."""

import hashlib
import hmac
import logging
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from service.errors import NotFound, Unauthorized
from service.storage.db import transaction
from service.storage.tables import ApiKey
from service.storage.tenants import ensure_tenant

log = logging.getLogger("mentor_themes.keys")
PREFIX = "mt"


class Role(StrEnum):
    INGEST = "ingest"
    READ = "read"
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's tenant, role and (for a mentor's read key) the mentor."""

    key_id: str
    tenant_id: str
    role: Role
    mentor_id: str | None


@dataclass(frozen=True)
class CreatedKey:
    principal: Principal
    key: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_key(
    sessions: sessionmaker[Session],
    *,
    tenant_id: str,
    role: Role,
    mentor_id: str | None = None,
    label: str | None = None,
) -> CreatedKey:
    """Store a new key (creating the tenant on first use) and return it, the only time the
    full key exists outside the caller's hands."""
    if not tenant_id.strip():
        raise ValueError("tenant must not be empty")
    if mentor_id is not None and role is not Role.READ:
        raise ValueError("--mentor binds a read key to a mentor; it needs --role read")
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with transaction(sessions) as session:
        ensure_tenant(session, tenant_id)
        session.add(
            ApiKey(
                id=key_id,
                tenant_id=tenant_id,
                role=role.value,
                mentor_id=mentor_id,
                label=label,
                secret_sha256=_digest(secret),
                created_at=now,
            )
        )
    principal = Principal(key_id=key_id, tenant_id=tenant_id, role=role, mentor_id=mentor_id)
    return CreatedKey(principal=principal, key=f"{PREFIX}_{key_id}_{secret}")


def revoke_key(sessions: sessionmaker[Session], key_id: str) -> None:
    """Mark a key revoked; accepts the key id or the whole key."""
    key_id = _split(key_id)[0] if key_id.startswith(f"{PREFIX}_") else key_id
    with transaction(sessions) as session:
        row = session.get(ApiKey, key_id)
        if row is None:
            raise NotFound(f"no API key with id {key_id!r}")
        if row.revoked_at is None:
            row.revoked_at = datetime.now(UTC)


def list_keys(sessions: sessionmaker[Session], tenant_id: str | None = None) -> list[ApiKey]:
    with sessions() as session:
        query = select(ApiKey).order_by(ApiKey.tenant_id, ApiKey.created_at)
        if tenant_id is not None:
            query = query.where(ApiKey.tenant_id == tenant_id)
        return list(session.scalars(query))


def _split(key: str) -> tuple[str, str]:
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1] or not parts[2]:
        raise Unauthorized("the API key is malformed")
    return parts[1], parts[2]


class KeyChecker:
    """Checks bearer keys against the database and trusts a good answer for
    ``cache_seconds``, so a hot endpoint does not pay a query (and a thread hop) per request.

    Revocation does not wait for the cache: ``watch_revocations`` polls the revoked key ids
    every ``poll_seconds`` (a tiny indexed query) and a cached key that is revoked is refused
    from then on, on every worker. Should the poll fail (database down), a cached key keeps
    working until its cache time runs out."""

    def __init__(
        self, sessions: sessionmaker[Session], cache_seconds: float, poll_seconds: float = 0.0
    ) -> None:
        self._sessions = sessions
        self._cache_seconds = cache_seconds
        self._poll_seconds = poll_seconds
        self._cache: dict[str, tuple[float, str, Principal]] = {}
        self._revoked: frozenset[str] = frozenset()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None

    def from_cache(self, key: str) -> Principal | None:
        """The principal of a key checked within ``cache_seconds``, else None (not checked)."""
        key_id, secret = _split(key)
        cached = self._cache.get(key_id)
        if cached is None or cached[0] <= time.monotonic():
            return None
        if not hmac.compare_digest(cached[1], _digest(secret)):
            raise Unauthorized("the API key is not valid")
        if key_id in self._revoked:
            raise Unauthorized("the API key has been revoked")
        return cached[2]

    def check(self, key: str) -> Principal:
        """Check a key against the database (blocking: call it off the event loop)."""
        key_id, secret = _split(key)
        digest = _digest(secret)
        with self._sessions() as session:
            row = session.get(ApiKey, key_id)
        if row is None or not hmac.compare_digest(row.secret_sha256, digest):
            raise Unauthorized("the API key is not valid")
        if row.revoked_at is not None:
            raise Unauthorized("the API key has been revoked")
        principal = Principal(
            key_id=row.id, tenant_id=row.tenant_id, role=Role(row.role), mentor_id=row.mentor_id
        )
        if self._cache_seconds > 0:
            with self._lock:
                expiry = time.monotonic() + self._cache_seconds
                self._cache[key_id] = (expiry, row.secret_sha256, principal)
        return principal

    def refresh_revocations(self) -> None:
        """Read the ids of revoked keys (blocking)."""
        with self._sessions() as session:
            revoked = session.scalars(select(ApiKey.id).where(ApiKey.revoked_at.is_not(None)))
            self._revoked = frozenset(revoked)

    def watch_revocations(self) -> None:
        """Poll revocations on a daemon thread until ``close``; no cache, no watcher."""
        if self._cache_seconds <= 0 or self._poll_seconds <= 0 or self._watcher is not None:
            return
        self._watcher = threading.Thread(target=self._watch, name="key-revocations", daemon=True)
        self._watcher.start()

    def _watch(self) -> None:
        while not self._stop.wait(self._poll_seconds):
            try:
                self.refresh_revocations()
            except Exception:  # noqa: BLE001 - a database outage must not end the watcher
                log.warning("could not read key revocations; cached keys expire as usual")

    def close(self) -> None:
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join(timeout=5)
