"""Tenants: every note and key belongs to one, created on first use."""

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from service.storage.tables import Tenant


def ensure_tenant(session: Session, tenant_id: str) -> None:
    """Create the tenant unless it exists, in the caller's transaction (flushed, so rows
    that refer to it can follow in the same transaction)."""
    if session.get(Tenant, tenant_id) is None:
        session.add(Tenant(id=tenant_id, created_at=datetime.now(UTC)))
        session.flush()
