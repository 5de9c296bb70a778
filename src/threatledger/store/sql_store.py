"""What the SQL back ends share: every :class:`~threatledger.store.base.Store` method, over a
:class:`~threatledger.store.sqldb.Database`. A back end adds connecting, transactions, its schema and
the translation of its errors into :class:`~threatledger.errors.StoreError`."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Any, ClassVar, Concatenate, ParamSpec, TypeVar

from threatledger.errors import MigrationError, StoreError
from threatledger.model import Extraction
from threatledger.store import sql_review as review
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
    StoredDocument,
    StoreStats,
)
from threatledger.store.sql_bulk import write_bulk
from threatledger.store.sql_export import export_documents
from threatledger.store.sql_index import utc_now
from threatledger.store.sql_ledger import load_extractions
from threatledger.store.sql_query import (
    entity_details,
    incident_detail,
    list_incidents,
    list_open_cases,
    search,
    store_stats,
    stored_document,
)
from threatledger.store.sql_spans import SPANS_VERSION, refresh_all, refresh_incidents
from threatledger.store.sql_write import write_extraction
from threatledger.store.sqldb import BufferedDatabase, Database

P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S", bound="SQLStore")


def guarded(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    """Turn the back end's database errors into a StoreError with a hint."""

    @functools.wraps(method)
    def wrapper(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(self, *args, **kwargs)
        except self.database_errors() as exc:
            raise self.translate_error(exc) from exc

    return wrapper


def guarded_iterator(
    method: Callable[Concatenate[S, P], Iterator[R]],
) -> Callable[Concatenate[S, P], Iterator[R]]:
    """:func:`guarded` for a method that yields: the errors raised while the caller iterates."""

    @functools.wraps(method)
    def wrapper(self: S, /, *args: P.args, **kwargs: P.kwargs) -> Iterator[R]:
        try:
            yield from method(self, *args, **kwargs)
        except self.database_errors() as exc:
            raise self.translate_error(exc) from exc

    return wrapper


class SQLStore:
    """A ledger store over SQL; subclasses connect and set ``db``, ``url`` and ``label``."""

    migrations: ClassVar[tuple[tuple[int, str], ...]] = ()
    db: Database
    url: str
    label: str  # how errors name the store: a path, or a URL without its password
    version: int = 0

    # what a back end provides

    def database_errors(self) -> tuple[type[Exception], ...]:
        """The back end's exception classes that :func:`guarded` turns into StoreError."""
        raise NotImplementedError

    def translate_error(self, exc: Exception) -> StoreError:
        raise NotImplementedError

    def transaction(self) -> AbstractContextManager[Database]:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def current_version(self) -> int:
        raise NotImplementedError

    # shared

    def __enter__(self: S) -> S:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def migrate(self) -> int:
        """Apply the migrations this store lacks, each in its own transaction; return the version."""
        version, latest = self.current_version(), self.migrations[-1][0]
        if version > latest:
            raise MigrationError(
                f"{self.label} has schema version {version}, newer than this threatledger ({latest})",
                hint="Upgrade threatledger to read this store.",
            )
        for number, script in self.migrations:
            if number <= version:
                continue
            with self.transaction() as db:
                if self.current_version() >= number:  # another process migrated while we waited
                    continue
                for statement in script.split(";\n"):
                    if statement.strip():
                        db.execute(statement)
                self.after_migration(db, number)
                db.execute(
                    "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)", (number, utc_now())
                )
        return self.current_version()

    def after_migration(self, db: Database, number: int) -> None:
        """What a migration needs beyond its SQL, in its transaction: 5 fills the incident filters' rows."""
        if number == SPANS_VERSION:
            refresh_all(db)

    @guarded
    def add_extraction(self, extraction: Extraction) -> IngestStats:
        """Store one document's extraction in one transaction; a failed extraction is counted, not stored."""
        if extraction.error is not None:
            return IngestStats(failed=1)
        with self.transaction() as db:
            db.take_touched()
            stats = write_extraction(db, extraction)
            self._refresh(db)
            return stats

    @guarded
    def add_extractions(self, extractions: Iterable[Extraction], *, resolve: bool = True) -> IngestStats:
        """Store a batch of extractions in one transaction (bulk loads): all of them, or none.

        ``resolve=False`` is the fast mode for large trusted or generated loads: rows go in by ``COPY``
        (PostgreSQL) or ``executemany`` (SQLite), entities resolve by exact name and alias only, and each
        document's incidents start new global incidents (see :mod:`threatledger.store.sql_bulk`).
        """
        stats = IngestStats()
        with self.transaction() as db:
            db.take_touched()
            if not resolve:
                stats = write_bulk(db, extractions, keep_spans=self.version >= SPANS_VERSION)
                self._refresh(db)
                return stats
            buffered = BufferedDatabase(db)  # rows nothing reads back go in bulk
            for extraction in extractions:
                stats.add(
                    write_extraction(buffered, extraction)
                    if extraction.error is None
                    else IngestStats(failed=1)
                )
            buffered.flush()
            self._refresh(db)
        return stats

    def _refresh(self, db: Database) -> None:
        """Recompute the filter rows of the incidents this transaction touched (a store still at an
        older schema has no such rows; its migration fills them)."""
        touched = db.take_touched()
        if self.version >= SPANS_VERSION:
            refresh_incidents(db, touched)

    @guarded
    def has_document(self, content_hash: str) -> bool:
        row = self.db.execute(
            "SELECT 1 FROM documents d JOIN extractions x ON x.document_pk = d.pk WHERE d.content_hash = ?",
            (content_hash,),
        ).fetchone()
        return row is not None

    @guarded
    def incidents(self, filters: IncidentFilter | None = None, *, limit: int = 100) -> list[IncidentSummary]:
        return list_incidents(self.db, filters or IncidentFilter(), limit)

    @guarded
    def incident(self, incident_id: str) -> IncidentDetail:
        return incident_detail(self.db, incident_id)

    @guarded
    def entity(self, name: str) -> list[EntityDetail]:
        return entity_details(self.db, name)

    @guarded
    def document(self, document_id: str) -> StoredDocument:
        return stored_document(self.db, document_id)

    @guarded
    def search(self, text: str, *, limit: int = 20) -> list[SearchHit]:
        return search(self.db, text, limit)

    @guarded
    def stats(self) -> StoreStats:
        return store_stats(self.db, self.version)

    @guarded
    def open_cases(self) -> list[OpenCase]:
        return list_open_cases(self.db)

    @guarded_iterator
    def export_documents(self) -> Iterator[dict[str, Any]]:
        """One document at a time (a list of every record made the server's index build hold the whole
        ledger at once)."""
        return export_documents(self.db)

    @guarded
    def export_document(self, document_id: str) -> dict[str, Any] | None:
        found = list(export_documents(self.db, document_id))
        return found[-1] if found else None  # the latest stored of that id, as the full export keeps

    @guarded
    def extractions(self) -> Iterator[Extraction]:
        return iter(list(load_extractions(self.db)))

    # review

    @guarded
    def _review(self, operation: Callable[..., Correction], *args: Any, **kwargs: Any) -> Correction:
        with self.transaction() as db:
            db.take_touched()
            correction = operation(db, *args, **kwargs)
            self._refresh(db)
            return correction

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
        rows = self.db.execute(f"SELECT * FROM corrections {where} ORDER BY pk", params).fetchall()
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
        rows = self.db.execute("SELECT * FROM audit_log ORDER BY pk DESC LIMIT ?", (limit,)).fetchall()
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


def no_store(label: str) -> StoreError:
    """The error for a query on a store that does not exist yet."""
    return StoreError(
        f"no store at {label}", hint="Build one with `threatledger ingest INPUT --db URL`, or check --db."
    )
