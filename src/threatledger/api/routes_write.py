"""Write routes: ingest an article, and review decisions. All need the bearer token."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Request

from threatledger.api.context import AppState, require_token, state_of
from threatledger.api.encode import FastJSONResponse, plain, respond
from threatledger.api.errors import TooLargeRequestError, as_user_error
from threatledger.api.schemas import CorrectRequest, IngestRequest, MergeRequest, ReviewRequest
from threatledger.errors import StoreError
from threatledger.ingest.document import ReadOptions, document_from_html, document_from_text
from threatledger.ingest.meta import metadata_from_mapping
from threatledger.model import Document
from threatledger.store.records import Correction, IngestStats

router = APIRouter(prefix="/api", tags=["write"], dependencies=[Depends(require_token)])
SOURCE = "api"


def build_document(body: IngestRequest, max_bytes: int) -> Document:
    """A checked Document from the request (the same checks as ``threatledger ingest``)."""
    meta = metadata_from_mapping(body.model_dump(exclude={"text", "format"}), source=SOURCE)
    options = ReadOptions(published=None, max_bytes=max_bytes)
    if len(body.text.encode("utf-8")) > max_bytes:
        raise TooLargeRequestError(f"the article is over the limit of {max_bytes:,} bytes")
    build = document_from_html if body.format == "html" else document_from_text
    return build(body.text, meta, source=SOURCE, options=options)


def ingest_one(state: AppState, document: Document) -> IngestStats:
    store = state.store()
    if store.has_document(document.content_hash):
        return IngestStats(skipped=1)
    with state.ingest_lock:  # one extraction at a time: the model is shared
        stats = IngestStats()
        try:
            for extraction in state.extractor([document]):
                stats.add(store.add_extraction(extraction))
        finally:
            state.cache.invalidate()
    return stats


@router.post("/ingest")
def ingest(request: Request, body: IngestRequest) -> FastJSONResponse:
    """Extract one article and store it; a document already stored is skipped."""
    state = state_of(request)
    document = build_document(body, state.max_document_bytes)
    stats = ingest_one(state, document)
    published = document.published.isoformat() if document.published else None
    return respond({"ok": True, "document_id": document.id, "published": published, "stats": plain(stats)})


def decide(request: Request, action: Callable[..., Correction], *args: Any, **kwargs: Any) -> dict[str, Any]:
    """Run one review decision; a bad id or value is the user's error (404 or 422)."""
    try:
        correction = action(*args, **kwargs)
    except StoreError as exc:
        raise as_user_error(exc) from exc
    finally:
        state_of(request).cache.invalidate()
    return {"ok": True, "correction": plain(correction)}


@router.post("/events/{event_id}/confirm")
def confirm_event(request: Request, event_id: str, body: ReviewRequest) -> FastJSONResponse:
    """Confirm an event as extracted."""
    store = state_of(request).store()
    return respond(decide(request, store.confirm_event, event_id, author=body.author, reason=body.reason))


@router.post("/events/{event_id}/reject")
def reject_event(request: Request, event_id: str, body: ReviewRequest) -> FastJSONResponse:
    """Reject an event: it leaves timelines, counts and exports, and stays in the store."""
    store = state_of(request).store()
    return respond(decide(request, store.reject_event, event_id, author=body.author, reason=body.reason))


@router.post("/events/{event_id}/correct")
def correct_event(request: Request, event_id: str, body: CorrectRequest) -> FastJSONResponse:
    """Correct an event's type, date, status, hypothetical flag, or the names in one role."""
    store = state_of(request).store()
    value = "none" if body.value is None and body.field == "date" else body.value
    return respond(
        decide(
            request, store.correct_event, event_id, body.field, value, author=body.author, reason=body.reason
        )
    )


@router.post("/incidents/merge")
def merge_incidents(request: Request, body: MergeRequest) -> FastJSONResponse:
    """Merge the source incident into the target incident."""
    store = state_of(request).store()
    return respond(
        decide(
            request,
            store.merge_incidents,
            body.source_id,
            body.target_id,
            author=body.author,
            reason=body.reason,
        )
    )


@router.post("/entities/merge")
def merge_entities(request: Request, body: MergeRequest) -> FastJSONResponse:
    """Merge the source entity into the target entity."""
    store = state_of(request).store()
    return respond(
        decide(
            request,
            store.merge_entities,
            body.source_id,
            body.target_id,
            author=body.author,
            reason=body.reason,
        )
    )
