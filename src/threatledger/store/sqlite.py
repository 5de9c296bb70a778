"""The embedded SQLite store: WAL mode (one writer, many readers), FTS5 search, numbered migrations.

Each document is written in one transaction, so a process killed mid-ingest leaves the store as it was
before that document, and the next run resumes (stored documents are skipped by content hash).
A locked or damaged database file raises :class:`~threatledger.errors.StoreError` with a hint.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from threatledger.errors import StoreError
from threatledger.store.schema import MIGRATIONS
from threatledger.store.sql_store import SQLStore, guarded, no_store
from threatledger.store.sqldb import Database, SQLiteDatabase

DEFAULT_TIMEOUT = 30.0
WAL_AUTOCHECKPOINT_PAGES = 10_000  # checkpoint (and fsync) every ~40 MB of log, not every 4 MB
CACHE_KIB = 65_536  # page cache of 64 MiB (SQLite's default is 2 MiB): indexes of a million events fit


def translate_sqlite_error(exc: Exception, path: str) -> StoreError:
    """The error a user should see for a SQLite failure on ``path``."""
    text = str(exc)
    if isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text):
        return StoreError(
            f"the store {path} is locked by another process ({text})",
            hint="Another ingest or review is writing to it; wait for it to finish and retry, "
            "or raise the wait with --db 'sqlite:///PATH?timeout=SECONDS'.",
        )
    if isinstance(exc, sqlite3.OperationalError) and "unable to open" in text:
        return StoreError(
            f"cannot open the store {path} ({text})",
            hint="Check that the folder exists and that you may write to it.",
        )
    if isinstance(exc, sqlite3.Error) and (
        getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "disk is full" in text
    ):
        return StoreError(
            f"the store {path} failed: the disk is full ({text})",
            hint="Free disk space where the store lives (its -wal file grows during a write) and run "
            "again: what was stored before is kept. Or move the store to a larger disk and point "
            "--db at it.",
        )
    if isinstance(exc, sqlite3.DatabaseError) and not isinstance(
        exc, sqlite3.OperationalError | sqlite3.IntegrityError
    ):
        return StoreError(
            f"{path} is not a threatledger store or is damaged ({text})",
            hint="Point --db at a threatledger store, or restore this file from a backup; "
            "`sqlite3 FILE .recover` may save what is left.",
        )
    return StoreError(
        f"the store {path} failed: {text}", hint="Run again with --debug and report the traceback."
    )


class SQLiteStore(SQLStore):
    """A ledger in one SQLite file. ``conn`` is the raw ``sqlite3`` connection."""

    migrations = MIGRATIONS

    def database_errors(self) -> tuple[type[Exception], ...]:
        return (sqlite3.Error,)

    @guarded
    def __init__(self, path: str | Path, *, create: bool = True, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.path = self.label = str(path)
        self.url = f"sqlite:///{self.path}"
        if not create and self.path != ":memory:" and not Path(self.path).exists():
            raise no_store(self.path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None, check_same_thread=False)
        self.db = SQLiteDatabase(self.conn)
        try:
            self.conn.execute("PRAGMA foreign_keys = ON")
            self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.execute("PRAGMA synchronous = NORMAL")  # durable across crashes; fsync at checkpoints
            self.conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}")
            self.set_page_cache(CACHE_KIB)
            self.version = self.migrate()
        except BaseException:
            self.conn.close()
            raise

    def translate_error(self, exc: Exception) -> StoreError:
        return translate_sqlite_error(exc, self.path)

    def set_page_cache(self, kib: int) -> None:
        """The most page cache this connection keeps, in KiB."""
        self.conn.execute(f"PRAGMA cache_size = -{int(kib)}")

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """One write transaction: all of it is stored, or none of it."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def current_version(self) -> int:
        found = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
        ).fetchone()
        if found is None:
            return 0
        return int(self.conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0])
