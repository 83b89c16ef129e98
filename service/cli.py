"""The ``mentor-themes`` command: the training commands plus serve, keys and db."""

import json
import os
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.table import Table
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from service.auth.keys import Role, create_key, list_keys, revoke_key
from service.errors import NotFound
from service.notes.demo import DEMO_SESSIONS, load, tenant_has_notes
from service.notes.retag import retag as retag_notes
from service.notes.reviews import as_sample, reviewed_notes
from service.observability import logs
from service.settings import get_settings
from service.storage.db import make_engine, make_sessions
from service.storage.migrate import SchemaOutOfDate, check_schema, current_revision, upgrade
from training.cli import app as training_app
from training.cli.console import console, fail, progress_bar
from training.errors import TrainingError
from training.registry import load_model

app = typer.Typer(
    help="Tag mentoring session notes with growth themes: train, evaluate, serve over HTTP.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(training_app)  # no name: train, select, evaluate, tag, ... at the top level
keys_app = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema migrations.", no_args_is_help=True)
demo_app = typer.Typer(help="The demo tenant's timeline of sessions.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")


def _checked_engine(url: str) -> Engine:
    """An engine on a database whose schema this code was written for (else exit 2)."""
    engine = make_engine(url)
    try:
        check_schema(engine)
    except SchemaOutOfDate as error:
        engine.dispose()
        fail(error)
    return engine


def _sessions() -> sessionmaker[Session]:
    return make_sessions(_checked_engine(get_settings().database_url))


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema to the latest revision."""
    settings = get_settings()
    engine = make_engine(settings.database_url)
    before = current_revision(engine)
    upgrade(engine)
    after = current_revision(engine)
    where = engine.url.render_as_string(hide_password=True)
    if before == after:
        console.print(f"database {where} is up to date (revision {after})")
    else:
        console.print(f"database {where} migrated from revision {before} to {after}")
    engine.dispose()


@keys_app.command("create")
def keys_create(
    tenant: Annotated[str, typer.Option(help="Tenant the key belongs to (created if new).")],
    role: Annotated[Role, typer.Option(help="ingest: post notes; read: read them; admin: all.")],
    mentor: Annotated[
        str | None, typer.Option(help="Bind a read key to one mentor's mentees.")
    ] = None,
    label: Annotated[str | None, typer.Option(help="A note to recognise the key by.")] = None,
    rotate: Annotated[
        bool, typer.Option(help="Revoke this tenant's other active keys with the same label.")
    ] = False,
) -> None:
    """Create an API key. It is printed once, alone on the last line of output."""
    sessions = _sessions()
    if rotate and label is None:
        fail("--rotate needs --label to know which keys it replaces")
    try:
        created = create_key(sessions, tenant_id=tenant, role=role, mentor_id=mentor, label=label)
    except ValueError as error:
        fail(error)
    if rotate:
        for row in list_keys(sessions, tenant):
            if row.label == label and row.revoked_at is None and row.id != created.principal.key_id:
                revoke_key(sessions, row.id)
                console.print(f"revoked earlier key {row.id} labelled {label!r}")
    bound = f" for mentor {mentor}" if mentor else ""
    console.print(f"created {role.value} key {created.principal.key_id} in tenant {tenant}{bound}")
    console.print("store it now: it is not shown again. Send it as 'Authorization: Bearer <key>'.")
    sys.stdout.write(created.key + "\n")


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="The key's id (or the key).")]) -> None:
    """Revoke a key; every server worker reads revocations every 0.25 s and refuses it from
    then on, even while it is cached (checked keys are otherwise cached for 60 s)."""
    try:
        revoke_key(_sessions(), key_id)
    except NotFound as error:
        fail(error.detail)
    console.print(f"revoked key {key_id.split('_')[1] if key_id.startswith('mt_') else key_id}")


@keys_app.command("list")
def keys_list(
    tenant: Annotated[str | None, typer.Option(help="Only this tenant's keys.")] = None,
) -> None:
    """List keys (ids, never secrets)."""
    table = Table()
    for column in ("id", "tenant", "role", "mentor", "label", "created", "revoked"):
        table.add_column(column)
    for row in list_keys(_sessions(), tenant):
        table.add_row(
            row.id,
            row.tenant_id,
            row.role,
            row.mentor_id or "",
            row.label or "",
            row.created_at.strftime("%Y-%m-%d %H:%M"),
            row.revoked_at.strftime("%Y-%m-%d %H:%M") if row.revoked_at else "",
        )
    console.print(table)


@demo_app.command("load")
def demo_load(
    tenant: Annotated[str, typer.Option(help="Tenant to load the sessions into.")] = "demo",
    file: Annotated[
        Path | None, typer.Option(help="Sessions, JSON Lines. Default: the shipped timeline.")
    ] = None,
    if_empty: Annotated[
        bool, typer.Option(help="Do nothing when the tenant already has notes.")
    ] = False,
) -> None:
    """Tag the demo sessions with the active model and store them (skipping any already
    stored), so the dashboard has months of data to show."""
    sessions = _sessions()
    if if_empty and tenant_has_notes(sessions, tenant):
        console.print(f"tenant {tenant} already has notes; not loading the demo")
        return
    try:
        model = load_model(get_settings().models_dir)
        result = load(sessions, model, tenant, file or DEMO_SESSIONS)
    except (TrainingError, ValueError, OSError) as error:
        fail(error)
    console.print(
        f"demo: {result.stored} sessions stored in tenant {tenant} "
        f"({result.already_there} already there), tagged by model {model.version}"
    )


Tenant = Annotated[str | None, typer.Option("--tenant", help="Only this tenant's notes.")]


@app.command()
def retag(
    tenant: Tenant = None,
    since: Annotated[
        str | None, typer.Option(help="Only sessions on or after this date (YYYY-MM-DD).")
    ] = None,
    batch: Annotated[int, typer.Option(min=1, max=5000, help="Notes per transaction.")] = 500,
) -> None:
    """Re-tag stored notes with the active model, in batches; run again to resume after an
    interruption. Reviewed notes keep their reviewer's themes."""
    sessions = _sessions()
    try:
        model = load_model(get_settings().models_dir)
    except TrainingError as error:
        fail(error)
    with progress_bar(None, "re-tagging") as advance:
        result = retag_notes(
            sessions,
            model,
            tenant_id=tenant,
            since=_date(since, "--since"),
            batch_size=batch,
            progress=advance,
        )
    console.print(f"re-tagged {result.retagged} notes with model {result.model_version}")
    if result.skipped_without_text:
        console.print(
            f"{result.skipped_without_text} notes stored without text keep their earlier model's "
            "themes; trends say when they mix versions"
        )


@app.command("export-samples")
def export_samples(
    out: Annotated[Path, typer.Option("--out", help="Samples file to write (.jsonl).")],
    tenant: Tenant = None,
    since: Annotated[
        str | None, typer.Option(help="Only reviews made on or after this date (YYYY-MM-DD).")
    ] = None,
) -> None:
    """Write reviewed notes as training samples (people's themes as labels); notes stored
    without text are left out."""
    if out.suffix != ".jsonl":
        fail(f"--out must be a .jsonl file, not {out.name!r}")
    sessions = _sessions()
    written = 0
    partial = out.with_name(out.name + ".partial")
    with sessions() as session, partial.open("w", encoding="utf-8") as handle:
        for note in reviewed_notes(session, tenant_id=tenant, since=_date(since, "--since")):
            handle.write(json.dumps(as_sample(note), ensure_ascii=False) + "\n")
            written += 1
    partial.replace(out)
    console.print(f"exported {written} reviewed notes to {out}")


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{option} must be a date like 2026-11-26, not {value!r}")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Default: MENTOR_THEMES_HOST.")] = None,
    port: Annotated[int | None, typer.Option(help="Default: MENTOR_THEMES_PORT.")] = None,
    workers: Annotated[int | None, typer.Option(help="Default: MENTOR_THEMES_WORKERS.")] = None,
) -> None:
    """Run the HTTP service with uvicorn on the configured database and active model."""
    settings = get_settings()
    host, port = host or settings.host, port or settings.port
    workers = workers or settings.workers
    _checked_engine(settings.database_url).dispose()
    # Workers read their settings from the environment; the rate limiter shares the rate
    # out between them.
    os.environ["MENTOR_THEMES_WORKERS"] = str(workers)
    metrics_dir = None
    if workers > 1:
        # Each worker writes its metrics into a folder of this server's own (prometheus_client
        # reads the variable in every worker) and /metrics adds them up.
        metrics_dir = tempfile.mkdtemp(prefix="mentor-themes-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
    console.print(f"mentor-themes on http://{shown}:{port}  API docs: http://{shown}:{port}/docs")
    try:
        logs.configure(settings.log_level)
        uvicorn.run(
            "service.main:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level=settings.log_level,
            log_config=None,  # JSON lines (service.observability.logs) in every worker
            access_log=False,  # service.api.middleware logs requests, by route and request id
            server_header=False,
            # A new worker imports spaCy and scikit-learn before it answers the master's
            # health check: 5 s of CPU, more on a busy machine. uvicorn's default 5 s limit
            # killed workers in a loop there.
            timeout_worker_healthcheck=60,
        )
    finally:
        if metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)
