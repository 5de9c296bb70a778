"""The embedded SQLite store: WAL mode (one writer, many readers), FTS5 search, numbered migrations.

Each document is written in one transaction, so a process killed mid-ingest leaves the store as it was
before that document, and the next run resumes (stored documents are skipped by content hash).
A locked or damaged database file raises :class:`~threatledger.errors.StoreError` with a hint.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, ParamSpec, TypeVar

from threatledger.errors import MigrationError, StoreError
from threatledger.model import Extraction
from threatledger.store import sqlite_review as review
from threatledger.store.records import (
    AuditEntry,
    Correction,
    EntityDetail,
    IncidentDetail,
    IncidentFilter,
    IncidentSummary,
    IngestStats,
    OpenCase,
    SearchHit,
    StoreStats,
)
from threatledger.store.schema import LATEST_VERSION, MIGRATIONS
from threatledger.store.sqlite_export import export_documents
from threatledger.store.sqlite_index import utc_now
from threatledger.store.sqlite_query import (
    entity_details,
    incident_detail,
    list_incidents,
    list_open_cases,
    search,
)
from threatledger.store.sqlite_query import store_stats as _stats
from threatledger.store.sqlite_write import write_extraction

P = ParamSpec("P")
R = TypeVar("R")
DEFAULT_TIMEOUT = 30.0


def _translate(exc: sqlite3.Error, path: str) -> StoreError:
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


def guarded(method: Callable[P, R]) -> Callable[P, R]:
    """Turn SQLite errors raised by a store method into a StoreError with a hint."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except sqlite3.Error as exc:
            store = args[0]
            raise _translate(exc, getattr(store, "path", "?")) from exc

    return wrapper


class SQLiteStore:
    """A ledger in one SQLite file."""

    @guarded
    def __init__(self, path: str | Path, *, create: bool = True, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.path = str(path)
        self.url = f"sqlite:///{self.path}"
        if not create and self.path != ":memory:" and not Path(self.path).exists():
            raise StoreError(
                f"no store at {self.path}",
                hint="Build one with `threatledger ingest INPUT --db PATH`, or check --db.",
            )
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None, check_same_thread=False)
        try:
            self.conn.row_factory = sqlite3.Row
            self.conn.execute("PRAGMA foreign_keys = ON")
            self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.execute("PRAGMA synchronous = NORMAL")
            self.version = self._migrate()
        except BaseException:
            self.conn.close()
            raise

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: all of it is stored, or none of it."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def _current_version(self) -> int:
        found = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
        ).fetchone()
        if found is None:
            return 0
        return int(self.conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0])

    def _migrate(self) -> int:
        version = self._current_version()
        if version > LATEST_VERSION:
            raise MigrationError(
                f"{self.path} has schema version {version}, newer than this threatledger ({LATEST_VERSION})",
                hint="Upgrade threatledger to read this store.",
            )
        for number, script in MIGRATIONS:
            if number <= version:
                continue
            with self.transaction() as conn:
                if self._current_version() >= number:  # another process migrated while we waited
                    continue
                for statement in script.split(";\n"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(
                    "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)", (number, utc_now())
                )
        return self._current_version()

    # writing

    @guarded
    def add_extraction(self, extraction: Extraction) -> IngestStats:
        """Store one document's extraction in one transaction; a failed extraction is counted, not stored."""
        if extraction.error is not None:
            return IngestStats(failed=1)
        with self.transaction() as conn:
            return write_extraction(conn, extraction)

    @guarded
    def has_document(self, content_hash: str) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM documents d JOIN extractions x ON x.document_pk = d.pk WHERE d.content_hash = ?",
            (content_hash,),
        ).fetchone()
        return row is not None

    # reading

    @guarded
    def incidents(self, filters: IncidentFilter | None = None, *, limit: int = 100) -> list[IncidentSummary]:
        return list_incidents(self.conn, filters or IncidentFilter(), limit)

    @guarded
    def incident(self, incident_id: str) -> IncidentDetail:
        return incident_detail(self.conn, incident_id)

    @guarded
    def entity(self, name: str) -> list[EntityDetail]:
        return entity_details(self.conn, name)

    @guarded
    def search(self, text: str, *, limit: int = 20) -> list[SearchHit]:
        return search(self.conn, text, limit)

    @guarded
    def stats(self) -> StoreStats:
        return _stats(self.conn, self.version)

    @guarded
    def open_cases(self) -> list[OpenCase]:
        return list_open_cases(self.conn)

    @guarded
    def export_documents(self) -> Iterator[dict[str, Any]]:
        return iter(list(export_documents(self.conn)))

    # review

    def _review(self, operation: Callable[..., Correction], *args: Any, **kwargs: Any) -> Correction:
        try:
            with self.transaction() as conn:
                return operation(conn, *args, **kwargs)
        except sqlite3.Error as exc:
            raise _translate(exc, self.path) from exc

    def confirm_event(self, event_id: str, *, author: str, reason: str) -> Correction:
        return self._review(review.set_review, event_id, "confirmed", author=author, reason=reason)

    def reject_event(self, event_id: str, *, author: str, reason: str) -> Correction:
        return self._review(review.set_review, event_id, "rejected", author=author, reason=reason)

    def correct_event(self, event_id: str, field: str, value: Any, *, author: str, reason: str) -> Correction:
        return self._review(review.correct_event, event_id, field, value, author=author, reason=reason)

    def merge_entities(self, source_id: str, target_id: str, *, author: str, reason: str) -> Correction:
        return self._review(review.merge_entities, source_id, target_id, author=author, reason=reason)

    def split_entity(self, entity_id: str, names: list[str], *, author: str, reason: str) -> Correction:
        return self._review(review.split_entity, entity_id, names, author=author, reason=reason)

    def merge_incidents(self, source_id: str, target_id: str, *, author: str, reason: str) -> Correction:
        return self._review(review.merge_incidents, source_id, target_id, author=author, reason=reason)

    def split_incident(
        self, incident_id: str, event_ids: list[str], *, author: str, reason: str
    ) -> Correction:
        return self._review(review.split_incident, incident_id, event_ids, author=author, reason=reason)

    @guarded
    def corrections(self, target_id: str | None = None) -> list[Correction]:
        where, params = ("WHERE target_id = ?", (target_id,)) if target_id else ("", ())
        rows = self.conn.execute(f"SELECT * FROM corrections {where} ORDER BY pk", params).fetchall()
        return [
            Correction(
                r["pk"],
                r["target_kind"],
                r["target_id"],
                r["action"],
                r["field"],
                json.loads(r["old_value"]),
                json.loads(r["new_value"]),
                r["author"],
                r["reason"],
                r["created_at"],
            )
            for r in rows
        ]

    @guarded
    def audit_log(self, *, limit: int = 100) -> list[AuditEntry]:
        rows = self.conn.execute("SELECT * FROM audit_log ORDER BY pk DESC LIMIT ?", (limit,)).fetchall()
        return [
            AuditEntry(
                r["pk"],
                r["at"],
                r["actor"],
                r["action"],
                r["target_kind"],
                r["target_id"],
                json.loads(r["detail"]),
            )
            for r in reversed(rows)
        ]
