"""People's corrections beside the model's themes, the model's margin per note (for the
review queue), and model versions in the trend rollups; the rollups are rebuilt.

Notes stored before this revision have no margin until ``mentor-themes retag`` tags them
again, so the review queue does not offer them.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notes") as batch:
        batch.add_column(sa.Column("margin", sa.Float(), nullable=True))
        batch.add_column(sa.Column("uncertain_theme", sa.String(64), nullable=True))
        batch.add_column(sa.Column("reviewed_by", sa.String(128), nullable=True))
        batch.add_column(sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("model_themes", sa.JSON(), nullable=True))
        batch.create_index("ix_notes_tenant_margin", ["tenant_id", "margin"])
    op.create_table(
        "trend_versions",
        sa.Column("tenant_id", sa.String(64), primary_key=True),
        sa.Column("scope_kind", sa.String(8), primary_key=True),
        sa.Column("scope_id", sa.String(300), primary_key=True),
        sa.Column("period_kind", sa.String(8), primary_key=True),
        sa.Column("period_start", sa.Date(), primary_key=True),
        sa.Column("model_version", sa.String(64), primary_key=True),
        sa.Column("notes", sa.Integer(), nullable=False),
    )
    # Imported here: the rollups are counted by the code of the running release.
    from service.trends import rollups

    session = Session(bind=op.get_bind())
    rollups.rebuild(session)
    session.flush()


def downgrade() -> None:
    op.drop_table("trend_versions")
    with op.batch_alter_table("notes") as batch:
        batch.drop_index("ix_notes_tenant_margin")
        for column in ("model_themes", "reviewed_at", "reviewed_by", "uncertain_theme", "margin"):
            batch.drop_column(column)
