"""The one store interface. Back ends: SQLite (embedded, the default) and PostgreSQL (server).

Reading and writing go through these methods only; the CLI, API and exporters never see SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from types import TracebackType
from typing import Any, Protocol, runtime_checkable

from threatledger.model import Extraction
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

REVIEW_FIELDS = ("type", "date", "status", "negated_or_hypothetical", "agent", "sponsor", "target", "place")


@runtime_checkable
class Store(Protocol):
    """A ledger store: documents, entities, events and incidents, with review and an audit log."""

    url: str

    # lifecycle
    def close(self) -> None: ...

    def __enter__(self) -> Store: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    # writing
    def add_extraction(self, extraction: Extraction) -> IngestStats:
        """Store one document's extraction in one transaction; a known document is skipped."""
        ...

    def add_extractions(self, extractions: Iterable[Extraction], *, resolve: bool = True) -> IngestStats:
        """Store a batch of extractions in one transaction (bulk loads): all of them, or none.
        ``resolve=False``: the fast mode (exact names only, no cross-document incident merging)."""
        ...

    def has_document(self, content_hash: str) -> bool: ...

    # reading
    def incidents(
        self, filters: IncidentFilter | None = None, *, limit: int = 100
    ) -> list[IncidentSummary]: ...

    def incident(self, incident_id: str) -> IncidentDetail: ...

    def entity(self, name: str) -> list[EntityDetail]: ...

    def document(self, document_id: str) -> StoredDocument:
        """A document with its whole text; the one with a live extraction, the latest stored, when
        several carry the id. An unknown id is a StoreError."""
        ...

    def search(self, text: str, *, limit: int = 20) -> list[SearchHit]: ...

    def stats(self) -> StoreStats: ...

    def open_cases(self) -> list[OpenCase]: ...

    def export_documents(self) -> Iterator[dict[str, Any]]:
        """One object per document in the scorer's format, with global incident ids."""
        ...

    def export_document(self, document_id: str) -> dict[str, Any] | None:
        """The object :meth:`export_documents` gives for one document id (the latest stored), or None."""
        ...

    def extractions(self) -> Iterator[Extraction]:
        """Every stored extraction, active or replaced, in the order stored, with its document's text and
        the values as extracted (before review): what the ledger export needs to rebuild the store."""
        ...

    # review
    def confirm_event(self, event_id: str, *, author: str, reason: str) -> Correction: ...

    def reject_event(self, event_id: str, *, author: str, reason: str) -> Correction: ...

    def correct_event(
        self, event_id: str, field: str, value: Any, *, author: str, reason: str
    ) -> Correction: ...

    def merge_entities(self, source_id: str, target_id: str, *, author: str, reason: str) -> Correction: ...

    def split_entity(self, entity_id: str, names: list[str], *, author: str, reason: str) -> Correction: ...

    def merge_incidents(self, source_id: str, target_id: str, *, author: str, reason: str) -> Correction: ...

    def split_incident(
        self, incident_id: str, event_ids: list[str], *, author: str, reason: str
    ) -> Correction: ...

    def corrections(self, target_id: str | None = None) -> list[Correction]: ...

    def audit_log(self, *, limit: int = 100) -> list[AuditEntry]: ...
