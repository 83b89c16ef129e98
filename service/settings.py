"""Service settings, read from ``MENTOR_THEMES_*`` environment variables (and nowhere else)."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from training.promotion import DEFAULT_HELDOUT
from training.registry import DEFAULT_MODELS_DIR

MIB = 1024 * 1024


class Settings(BaseSettings):
    """Everything the service can be told; the README's configuration table lists these."""

    model_config = SettingsConfigDict(env_prefix="MENTOR_THEMES_", extra="ignore")

    database_url: str = Field(
        "sqlite:///var/mentor-themes.db",
        description="SQLAlchemy URL: a SQLite file (default) or postgresql+psycopg://…",
    )
    models_dir: Path = Field(DEFAULT_MODELS_DIR, description="The model registry folder.")
    host: str = Field("127.0.0.1", description="Address `serve` binds to.")
    port: int = Field(8000, ge=1, le=65535, description="Port `serve` listens on.")
    workers: int = Field(1, ge=1, le=64, description="Worker processes `serve` starts.")
    log_level: str = Field("info", pattern="^(critical|error|warning|info|debug)$")
    max_text_chars: int = Field(20_000, ge=1, description="Longest note text accepted.")
    max_batch_notes: int = Field(500, ge=1, description="Most notes per POST /v1/notes/batch.")
    max_tag_texts: int = Field(100, ge=1, description="Most texts per POST /v1/tag.")
    max_body_bytes: int = Field(
        16 * MIB, ge=1024, description="Larger request bodies get 413 before they are parsed."
    )
    max_page_size: int = Field(200, ge=1, description="Most notes per page of GET /v1/notes.")
    tag_batch_size: int = Field(
        256, ge=1, description="Most texts the tagging thread scores in one call."
    )
    tag_in_process: bool = Field(
        True, description="Run the model in a child process, off the server's interpreter lock."
    )
    min_group_mentees: int = Field(
        5, ge=1, description="Cohort and tenant trend periods with fewer mentees are withheld."
    )
    model_poll_seconds: float = Field(
        2.0, ge=0, description="How often each worker checks models/active (0: never)."
    )
    heldout_paths: list[Path] = Field(
        [DEFAULT_HELDOUT],
        description="Labelled notes that POST /v1/models/{version}/activate scores models on.",
    )
    prometheus_multiproc_dir: Path | None = Field(
        None,
        validation_alias="PROMETHEUS_MULTIPROC_DIR",
        description="Set by `serve --workers N`: where each worker writes its metrics.",
    )
    key_cache_seconds: float = Field(
        60.0,
        ge=0,
        description="How long a checked API key is trusted before it is re-read (0: every "
        "request); revocations reach the cache sooner, see revocation_poll_seconds.",
    )
    revocation_poll_seconds: float = Field(
        0.25,
        ge=0,
        description="How often each worker reads the revoked keys, dropping them from its "
        "cache (0: never; a revoked key then works until its cache time runs out).",
    )
    rate_limit_per_minute: int = Field(
        6_000, ge=0, description="Requests per minute one API key may make (0: no limit)."
    )
    rate_limit_burst: int = Field(
        300, ge=1, description="Requests a key may make at once before the rate applies."
    )
    cors_origins: list[str] = Field(
        [], description="Browser origins allowed to call the API from other sites (none)."
    )


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings; tests override this dependency instead of the environment."""
    return Settings()
