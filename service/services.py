"""What the app holds for its lifetime: settings, database, key checker and tagging queue."""

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from service.keys import KeyChecker
from service.ratelimit import RateLimiter
from service.reload import ModelWatcher
from service.settings import Settings
from service.tagging import TaggingQueue
from service.writer import NoteWriter


@dataclass
class Services:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    keys: KeyChecker
    tagging: TaggingQueue
    writer: NoteWriter
    watcher: ModelWatcher
    limiter: RateLimiter
