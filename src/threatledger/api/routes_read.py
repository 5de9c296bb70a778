"""Read-only routes: incidents, entities, documents, search, stats, open cases, corrections, audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from threatledger.api import documents, views
from threatledger.api.context import state_of
from threatledger.api.encode import FastJSONResponse, plain, respond

router = APIRouter(prefix="/api", tags=["ledger"])

Limit = Annotated[int, Query(ge=1, le=500, description="Rows per page.")]
Offset = Annotated[int, Query(ge=0, le=views.MAX_OFFSET, description="Rows to skip.")]
Name = Annotated[str | None, Query(max_length=200)]


@router.get("/health")
def health(request: Request) -> FastJSONResponse:
    """The server is up; ``writable`` says whether ingest and review are enabled."""
    return respond({"ok": True, "writable": state_of(request).writable})


@router.get("/incidents")
def list_incidents(
    request: Request,
    actor: Name = None,
    sponsor: Name = None,
    target: Name = None,
    type: Name = None,
    country: Name = None,
    date_from: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    date_to: Annotated[str | None, Query(alias="to", max_length=10)] = None,
    status: Name = None,
    q: Annotated[str | None, Query(max_length=500, description="Full-text filter.")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> FastJSONResponse:
    """Incidents matching every filter (as ``threatledger incidents``), the most recent first."""
    filters = views.parse_filter(
        actor=actor,
        sponsor=sponsor,
        target=target,
        type=type,
        country=country,
        date_from=date_from,
        date_to=date_to,
        status=status,
        text=q,
    )
    return respond(views.list_incidents(state_of(request).store(), filters, limit=limit, offset=offset))


@router.get("/incidents/{incident_id}")
def get_incident(request: Request, incident_id: str) -> FastJSONResponse:
    """One incident: its timeline with sources, roles, each person's accountability, corrections."""
    return respond(views.incident_view(state_of(request).store(), incident_id))


@router.get("/entities")
def list_entities(
    request: Request,
    q: Annotated[str | None, Query(max_length=200, description="Part of a name.")] = None,
    type: Annotated[str | None, Query(max_length=20, description="PERSON, ORG, STATE or PLACE.")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> FastJSONResponse:
    """Entities of the ledger, those in the most incidents first."""
    index = state_of(request).index()
    return respond(views.entity_list(index, q=q, type=type, limit=limit, offset=offset))


@router.get("/entities/{key:path}")
def get_entity(request: Request, key: str) -> FastJSONResponse:
    """Every entity an id or name may mean, with its incidents by role and its legal steps."""
    return respond(views.entity_view(state_of(request).store(), key))


@router.get("/documents")
def list_documents(request: Request, limit: Limit = 50, offset: Offset = 0) -> FastJSONResponse:
    """Stored documents, the most recently published first."""
    return respond(documents.document_list(state_of(request).index(), limit=limit, offset=offset))


@router.get("/documents/{document_id:path}")
def get_document(
    request: Request,
    document_id: str,
    event: Annotated[str | None, Query(max_length=200, description="Highlight this event.")] = None,
    start: Annotated[int | None, Query(ge=0, description="Highlight from this offset.")] = None,
    end: Annotated[int | None, Query(ge=0, description="Highlight to this offset.")] = None,
) -> FastJSONResponse:
    """A document with its extracted spans (events, mentions) and its text as marked segments."""
    state = state_of(request)
    return respond(
        documents.document_view(
            state.store(), state.index(), document_id, event_id=event, start=start, end=end
        )
    )


@router.get("/search")
def search(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=500)],
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> FastJSONResponse:
    """Event sentences, then articles, matching every word, best first."""
    return respond(views.search_view(state_of(request).store(), q, limit=limit))


@router.get("/stats")
def stats(request: Request) -> FastJSONResponse:
    """Counts of what the ledger holds."""
    return respond({"ok": True, "stats": plain(state_of(request).stats())})


@router.get("/open-cases")
def open_cases(
    request: Request,
    kind: Annotated[str | None, Query(max_length=40, description="charged_at_large, ...")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> FastJSONResponse:
    """Accountability gaps: charged but at large, released after conviction, no one charged."""
    cases = [c for c in state_of(request).open_cases() if kind is None or c.kind == kind]
    return respond(
        views.page(
            plain(cases[offset : offset + limit]),
            limit=limit,
            offset=offset,
            more=len(cases) > offset + limit,
        )
    )


@router.get("/corrections")
def corrections(
    request: Request, target: Annotated[str | None, Query(max_length=200)] = None
) -> FastJSONResponse:
    """Review decisions, all or those about one event, entity or incident."""
    rows = state_of(request).store().corrections(target)
    return respond({"ok": True, "items": plain(rows)})


@router.get("/audit")
def audit(request: Request, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> FastJSONResponse:
    """The latest lines of the audit log."""
    return respond({"ok": True, "items": plain(state_of(request).store().audit_log(limit=limit))})
