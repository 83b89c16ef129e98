"""Tenants are created on first use, once."""

import uuid
from typing import Any

from sqlalchemy import func, select

from service.storage.db import transaction
from service.storage.tables import Tenant
from service.storage.tenants import ensure_tenant


def test_ensure_tenant_creates_a_missing_tenant_once(sessions: Any) -> None:
    tenant = f"tenant-{uuid.uuid4().hex[:10]}"
    for _ in range(2):
        with transaction(sessions) as session:
            ensure_tenant(session, tenant)
    with sessions() as session:
        count = session.scalar(select(func.count()).where(Tenant.id == tenant))
        created = session.get(Tenant, tenant)
    assert count == 1 and created is not None and created.created_at is not None
