"""Replace the plain text hash with a fingerprint salted by tenant and external id, kept
only for notes that have an external id.

A plain SHA-256 of a note posted with store_text=false let anyone reading the database
confirm a guessed short text by hashing it; the salt stops one guess from testing every
note, and notes without an external id keep no hash at all.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Old hashes cannot be turned into fingerprints without the text; notes whose text is
    # stored get theirs back below, the rest lose replay detection (a repost is stored anew).
    with op.batch_alter_table("notes") as batch:
        batch.add_column(sa.Column("text_fingerprint", sa.String(64), nullable=True))
        batch.drop_column("text_sha256")
    notes = sa.table(
        "notes",
        sa.column("seq", sa.BigInteger()),
        sa.column("tenant_id", sa.String()),
        sa.column("external_id", sa.String()),
        sa.column("text", sa.Text()),
        sa.column("text_fingerprint", sa.String()),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(notes.c.seq, notes.c.tenant_id, notes.c.external_id, notes.c.text).where(
            notes.c.external_id.is_not(None), notes.c.text.is_not(None)
        )
    ).all()
    for seq, tenant_id, external_id, text in rows:
        material = "\x00".join((tenant_id, external_id, text)).encode("utf-8")
        connection.execute(
            notes.update()
            .where(notes.c.seq == seq)
            .values(text_fingerprint=hashlib.sha256(material).hexdigest())
        )


def downgrade() -> None:
    with op.batch_alter_table("notes") as batch:
        batch.add_column(sa.Column("text_sha256", sa.String(64), nullable=False, server_default=""))
        batch.drop_column("text_fingerprint")
