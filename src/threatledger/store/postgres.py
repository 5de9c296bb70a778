"""The PostgreSQL store (server): the same SQL as SQLite through :class:`PostgresDatabase`, with
``tsvector`` search. Writers take a transaction-scoped advisory lock, so ingests and reviews from
several processes are applied one at a time (as SQLite does), while readers never wait."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from threatledger.errors import StoreError
from threatledger.store.schema_postgres import MIGRATIONS
from threatledger.store.sql_store import SQLStore, guarded, no_store
from threatledger.store.sqldb import Database, PostgresDatabase, pg_row_factory

WRITE_LOCK = 0x7E1ED6E2  # the advisory lock key every writer takes
CONNECT_TIMEOUT = 10
_PASSWORD = re.compile(r"(://[^:/@]+):[^@]*@")


def redact(url: str) -> str:
    """The URL without its password, to name the store in messages."""
    return _PASSWORD.sub(r"\1:***@", url)


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError as exc:
        raise StoreError(
            "the PostgreSQL store needs psycopg 3",
            hint="Install it with: pip install 'psycopg[binary]==3.3.9' (or the 'server' extra).",
        ) from exc
    return psycopg


def translate_postgres_error(exc: Exception, label: str) -> StoreError:
    """The error a user should see for a PostgreSQL failure on the store ``label``."""
    import psycopg

    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, psycopg.errors.LockNotAvailable | psycopg.errors.QueryCanceled):
        return StoreError(
            f"the store {label} is locked by another writer ({text})",
            hint="Another ingest or review is writing to it; wait for it to finish and retry.",
        )
    if isinstance(exc, psycopg.errors.ReadOnlySqlTransaction):
        return StoreError(
            f"the store {label} is read-only ({text})",
            hint="This user or server only reads (default_transaction_read_only, or a standby): connect "
            "with --db as a user that may write, to the primary server. What is stored is unchanged.",
        )
    if isinstance(exc, psycopg.errors.InsufficientPrivilege):
        return StoreError(
            f"the store {label} refused this user ({text})",
            hint="Grant the user the rights on the database (GRANT ALL ON SCHEMA public TO USER, or make "
            "it the owner), or pass --db with a user that has them.",
        )
    if isinstance(exc, psycopg.errors.DiskFull):
        return StoreError(
            f"the store {label} failed: the server's disk is full ({text})",
            hint="Free disk space on the PostgreSQL server (its data and WAL folders) and run again: what "
            "was stored before is kept.",
        )
    if isinstance(exc, psycopg.OperationalError):
        return StoreError(
            f"cannot reach the store {label} ({text})",
            hint="Check that the server runs, that the database exists (createdb NAME) and the URL "
            "(postgresql://USER@HOST:PORT/DB).",
        )
    return StoreError(
        f"the store {label} failed: {text}", hint="Run again with --debug and report the traceback."
    )


class PostgresStore(SQLStore):
    """A ledger in a PostgreSQL database."""

    migrations = MIGRATIONS

    def __init__(self, url: str, *, create: bool = True) -> None:
        psycopg = _psycopg()
        self.url, self.label = url, redact(url)
        self._connect(psycopg, url, create)

    def database_errors(self) -> tuple[type[Exception], ...]:
        import psycopg

        return (psycopg.Error,)

    @guarded
    def _connect(self, psycopg: Any, url: str, create: bool) -> None:
        self.conn = psycopg.connect(
            url, autocommit=True, row_factory=pg_row_factory, connect_timeout=CONNECT_TIMEOUT
        )
        self.db = PostgresDatabase(self.conn)
        try:
            if not create and self.current_version() == 0:
                raise no_store(self.label)
            self.version = self.migrate()
        except BaseException:
            self.conn.close()
            raise

    def translate_error(self, exc: Exception) -> StoreError:
        return translate_postgres_error(exc, self.label)

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """One write transaction, holding the writers' lock: all of it is stored, or none of it."""
        self.conn.execute("BEGIN")
        try:
            self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
            yield self.db
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def current_version(self) -> int:
        found = self.conn.execute("SELECT to_regclass('schema_version')").fetchone()
        if found is None or found[0] is None:
            return 0
        return int(self.conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0])


def open_postgres(url: str, *, create: bool = True) -> PostgresStore:
    """Open (and, with ``create``, set up) the PostgreSQL store at ``url``."""
    return PostgresStore(url, create=create)
