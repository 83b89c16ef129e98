"""Rollup tables for trends; an index for a theme's highest-scoring notes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _key_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("tenant_id", sa.String(64), primary_key=True),
        sa.Column("scope_kind", sa.String(8), primary_key=True),
        sa.Column("scope_id", sa.String(300), primary_key=True),
        sa.Column("period_kind", sa.String(8), primary_key=True),
        sa.Column("period_start", sa.Date(), primary_key=True),
    ]


def upgrade() -> None:
    op.create_table(
        "trend_periods",
        *_key_columns(),
        sa.Column("notes", sa.Integer(), nullable=False),
        sa.Column("mentees", sa.Integer(), nullable=False),
    )
    op.create_table(
        "trend_themes",
        *_key_columns(),
        sa.Column("theme", sa.String(64), primary_key=True),
        sa.Column("notes", sa.Integer(), nullable=False),
    )
    op.create_table(
        "trend_pairs",
        *_key_columns(),
        sa.Column("theme_a", sa.String(64), primary_key=True),
        sa.Column("theme_b", sa.String(64), primary_key=True),
        sa.Column("notes", sa.Integer(), nullable=False),
    )
    op.create_table(
        "trend_mentees",
        *_key_columns(),
        sa.Column("mentee_id", sa.String(128), primary_key=True),
        sa.Column("notes", sa.Integer(), nullable=False),
    )
    op.create_index("ix_note_themes_theme_score", "note_themes", ["theme", "score"])
    # Filled by 0004, which changed the rollups and rebuilds them with the current code.


def downgrade() -> None:
    op.drop_index("ix_note_themes_theme_score", "note_themes")
    for table in ("trend_mentees", "trend_pairs", "trend_themes", "trend_periods"):
        op.drop_table(table)
