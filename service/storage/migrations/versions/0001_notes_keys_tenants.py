"""Tenants, API keys, notes and their themes.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RowId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "tenants",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("tenant_id", sa.String(64), sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("mentor_id", sa.String(128), nullable=True),
        sa.Column("label", sa.String(128), nullable=True),
        sa.Column("secret_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_api_keys_tenant_id", "api_keys", ["tenant_id"])
    op.create_table(
        "notes",
        sa.Column("seq", RowId, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(36), nullable=False, unique=True),
        sa.Column("tenant_id", sa.String(64), sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("external_id", sa.String(256), nullable=True),
        sa.Column("mentee_id", sa.String(128), nullable=False),
        sa.Column("mentor_id", sa.String(128), nullable=True),
        sa.Column("cohort", sa.String(128), nullable=True),
        sa.Column("session_date", sa.Date(), nullable=False),
        sa.Column("author_role", sa.String(16), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("text_sha256", sa.String(64), nullable=False),
        sa.Column("text_chars", sa.Integer(), nullable=False),
        sa.Column("model_version", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("tenant_id", "external_id", name="uq_notes_tenant_external_id"),
    )
    op.create_index("ix_notes_tenant_mentee", "notes", ["tenant_id", "mentee_id", "session_date"])
    op.create_index("ix_notes_tenant_mentor", "notes", ["tenant_id", "mentor_id", "session_date"])
    op.create_index("ix_notes_tenant_cohort", "notes", ["tenant_id", "cohort", "session_date"])
    op.create_index("ix_notes_tenant_date", "notes", ["tenant_id", "session_date", "seq"])
    op.create_table(
        "note_themes",
        sa.Column(
            "note_seq",
            RowId,
            sa.ForeignKey("notes.seq", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("theme", sa.String(64), primary_key=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
    )
    op.create_index("ix_note_themes_theme", "note_themes", ["theme", "note_seq"])


def downgrade() -> None:
    op.drop_table("note_themes")
    op.drop_table("notes")
    op.drop_table("api_keys")
    op.drop_table("tenants")
