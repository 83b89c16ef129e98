"""The database tables. Alembic migrations in ``service/storage/migrations`` create them; a test
checks that the migrations and these declarations agree."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
RowId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    pass


class Tenant(Base):
    __tablename__ = "tenants"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ApiKey(Base):
    """A key is ``mt_<id>_<secret>``; only the SHA-256 of the secret is kept."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    mentor_id: Mapped[str | None] = mapped_column(String(128))
    label: Mapped[str | None] = mapped_column(String(128))
    secret_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Note(Base):
    """A session note with the model version that tagged it. ``text`` is NULL when the
    platform asked not to store it. ``text_fingerprint`` (only for notes with an external id)
    lets a replay be recognised without the text: SHA-256 of tenant, external id and text.

    ``themes`` are the themes that count (trends, filters, exports): the model's, or a
    person's once the note is reviewed (``reviewed_at`` set); the model's own answer is then
    kept in ``model_themes``. ``margin`` is how near the model came to a different answer
    (see ``training.results.TaggedNote``); the review queue sorts by it."""

    __tablename__ = "notes"
    __table_args__ = (
        UniqueConstraint("tenant_id", "external_id", name="uq_notes_tenant_external_id"),
        Index("ix_notes_tenant_mentee", "tenant_id", "mentee_id", "session_date"),
        Index("ix_notes_tenant_mentor", "tenant_id", "mentor_id", "session_date"),
        Index("ix_notes_tenant_cohort", "tenant_id", "cohort", "session_date"),
        Index("ix_notes_tenant_date", "tenant_id", "session_date", "seq"),
        Index("ix_notes_tenant_margin", "tenant_id", "margin"),
    )

    seq: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    external_id: Mapped[str | None] = mapped_column(String(256))
    mentee_id: Mapped[str] = mapped_column(String(128))
    mentor_id: Mapped[str | None] = mapped_column(String(128))
    cohort: Mapped[str | None] = mapped_column(String(128))
    session_date: Mapped[date] = mapped_column(Date)
    author_role: Mapped[str | None] = mapped_column(String(16))
    text: Mapped[str | None] = mapped_column(Text)
    text_fingerprint: Mapped[str | None] = mapped_column(String(64))
    text_chars: Mapped[int] = mapped_column(Integer)
    model_version: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    margin: Mapped[float | None] = mapped_column(Float)
    uncertain_theme: Mapped[str | None] = mapped_column(String(64))
    reviewed_by: Mapped[str | None] = mapped_column(String(128))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    model_themes: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON(none_as_null=True))

    themes: Mapped[list["NoteTheme"]] = relationship(
        back_populates="note",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="NoteTheme.score.desc()",
        lazy="selectin",
    )


class NoteTheme(Base):
    """One theme that counts for a note; ``evidence`` holds [{start, end, score, text?}].
    A theme a reviewer added that the model did not give has score 1.0 and no evidence."""

    __tablename__ = "note_themes"
    __table_args__ = (
        Index("ix_note_themes_theme", "theme", "note_seq"),
        # Finds a theme's highest-scoring notes (a trend's examples) without sorting them all.
        Index("ix_note_themes_theme_score", "theme", "score"),
    )

    note_seq: Mapped[int] = mapped_column(
        RowId, ForeignKey("notes.seq", ondelete="CASCADE"), primary_key=True
    )
    theme: Mapped[str] = mapped_column(String(64), primary_key=True)
    score: Mapped[float] = mapped_column(Float)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON)

    note: Mapped[Note] = relationship(back_populates="themes")


class RollupKey:
    """The key every rollup row starts with: whose notes (tenant, scope kind and id) and
    which period. ``sort_order`` keeps these columns first, so the primary key index serves
    a scope's range of periods."""

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True, sort_order=-1)
    scope_kind: Mapped[str] = mapped_column(String(8), primary_key=True, sort_order=-1)
    scope_id: Mapped[str] = mapped_column(String(300), primary_key=True, sort_order=-1)
    period_kind: Mapped[str] = mapped_column(String(8), primary_key=True, sort_order=-1)
    period_start: Mapped[date] = mapped_column(Date, primary_key=True, sort_order=-1)


class TrendPeriod(RollupKey, Base):
    """Notes per scope and period, kept in step with every note write and deletion.
    ``mentees`` (distinct mentees) is kept for cohort and tenant scopes, where small groups
    are suppressed."""

    __tablename__ = "trend_periods"

    notes: Mapped[int] = mapped_column(Integer)
    mentees: Mapped[int] = mapped_column(Integer)


class TrendTheme(RollupKey, Base):
    """Notes carrying a theme, per scope and period."""

    __tablename__ = "trend_themes"

    theme: Mapped[str] = mapped_column(String(64), primary_key=True)
    notes: Mapped[int] = mapped_column(Integer)


class TrendPair(RollupKey, Base):
    """Notes carrying both themes of a pair (``theme_a < theme_b``), per scope and period."""

    __tablename__ = "trend_pairs"

    theme_a: Mapped[str] = mapped_column(String(64), primary_key=True)
    theme_b: Mapped[str] = mapped_column(String(64), primary_key=True)
    notes: Mapped[int] = mapped_column(Integer)


class TrendMentee(RollupKey, Base):
    """Notes per mentee, scope and period, for cohort and tenant scopes: what the distinct
    mentee count of ``trend_periods`` is recounted from."""

    __tablename__ = "trend_mentees"

    mentee_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    notes: Mapped[int] = mapped_column(Integer)


class TrendVersion(RollupKey, Base):
    """Notes per model version that tagged them, per scope and period: lets a trend say
    when its notes come from more than one model."""

    __tablename__ = "trend_versions"

    model_version: Mapped[str] = mapped_column(String(64), primary_key=True)
    notes: Mapped[int] = mapped_column(Integer)
