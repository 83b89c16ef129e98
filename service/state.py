"""The app's state: what it holds for its lifetime (settings, database, key checker, tagging
queue, note writer, model watcher, rate limiter), opened by the lifespan in ``main.py``."""

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from service.auth.keys import KeyChecker
from service.auth.ratelimit import RateLimiter
from service.notes.writer import NoteWriter
from service.settings import Settings
from service.tagging.queue import TaggingQueue
from service.tagging.reload import ModelWatcher


@dataclass
class AppState:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    keys: KeyChecker
    tagging: TaggingQueue
    writer: NoteWriter
    watcher: ModelWatcher
    limiter: RateLimiter
