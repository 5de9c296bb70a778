"""The HTML pages: thin views over :mod:`threatledger.api.views`, rendered with autoescaped templates."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from threatledger.api import documents, graph, views
from threatledger.api.context import state_of
from threatledger.api.encode import plain
from threatledger.api.errors import RequestError
from threatledger.web.templating import render_page

router = APIRouter(include_in_schema=False)
PAGE = 50
FILTERS = ("q", "actor", "sponsor", "target", "type", "status", "country", "from", "to")
Text = Annotated[str | None, Query(max_length=500)]
Offset = Annotated[int, Query(ge=0, le=views.MAX_OFFSET)]


@router.get("/", response_class=HTMLResponse)
def incidents_page(request: Request, offset: Offset = 0) -> HTMLResponse:
    """The incident list, with the filters of ``threatledger incidents`` and full-text search."""
    params = {k: v.strip() for k in FILTERS if (v := request.query_params.get(k)) and v.strip()}
    state = state_of(request)
    context: dict[str, Any] = {"params": params, "offset": offset, "error": None, "result": None}
    try:
        if any(len(v) > 500 for v in params.values()):
            raise RequestError("a filter is longer than 500 characters")
        filters = views.parse_filter(
            text=params.get("q"),
            date_from=params.get("from"),
            date_to=params.get("to"),
            **{k: params.get(k) for k in ("actor", "sponsor", "target", "type", "status", "country")},
        )
        context["result"] = views.list_incidents(state.store(), filters, limit=PAGE, offset=offset)
    except RequestError as exc:
        context["error"] = exc
        return render_page(request, "incidents.html", context, status_code=422)
    context["stats"] = state.stats()
    return render_page(request, "incidents.html", context)


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def incident_page(request: Request, incident_id: str) -> HTMLResponse:
    """One incident: its timeline with quoted sources, badges, accountability and review actions."""
    view = views.incident_view(state_of(request).store(), incident_id)
    return render_page(request, "incident.html", {"incident": view["incident"]})


@router.get("/entities", response_class=HTMLResponse)
def entities_page(request: Request, q: Text = None, offset: Offset = 0) -> HTMLResponse:
    index = state_of(request).index()
    result = views.entity_list(index, q=q, type=None, limit=PAGE, offset=offset)
    return render_page(request, "entities.html", {"result": result, "q": q or "", "offset": offset})


@router.get("/entities/{key:path}", response_class=HTMLResponse)
def entity_page(request: Request, key: str) -> HTMLResponse:
    """An actor: incidents by role (sponsor, agent, target) and legal steps."""
    view = views.entity_view(state_of(request).store(), key)
    return render_page(request, "entity.html", {"items": view["items"], "key": key})


@router.get("/documents", response_class=HTMLResponse)
def documents_page(request: Request, offset: Offset = 0) -> HTMLResponse:
    result = documents.document_list(state_of(request).index(), limit=PAGE, offset=offset)
    return render_page(request, "documents.html", {"result": result, "offset": offset})


@router.get("/documents/{document_id:path}", response_class=HTMLResponse)
def document_page(
    request: Request,
    document_id: str,
    event: Annotated[str | None, Query(max_length=200)] = None,
    start: Annotated[int | None, Query(ge=0)] = None,
    end: Annotated[int | None, Query(ge=0)] = None,
) -> HTMLResponse:
    """A source document with the span of an event (or any span) highlighted."""
    state = state_of(request)
    view = documents.document_view(
        state.store(), state.index(), document_id, event_id=event, start=start, end=end
    )
    asked = event is not None or start is not None
    runs = documents.runs(view["segments"])
    return render_page(request, "document.html", {"view": view, "asked": asked, "runs": runs})


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, q: Text = None) -> HTMLResponse:
    context: dict[str, Any] = {"q": q or "", "hits": None, "error": None}
    if q and q.strip():
        try:
            context["hits"] = views.search_view(state_of(request).store(), q, limit=50)["items"]
        except RequestError as exc:
            context["error"] = exc
            return render_page(request, "search.html", context, status_code=422)
    return render_page(request, "search.html", context)


@router.get("/open-cases", response_class=HTMLResponse)
def open_cases_page(request: Request, offset: Offset = 0) -> HTMLResponse:
    cases = state_of(request).open_cases()
    more = len(cases) > offset + PAGE
    result = views.page(plain(cases[offset : offset + PAGE]), limit=PAGE, offset=offset, more=more)
    return render_page(request, "open_cases.html", {"result": result, "total": len(cases)})


@router.get("/graph", response_class=HTMLResponse)
def graph_page(
    request: Request,
    incident: Annotated[str | None, Query(max_length=200)] = None,
    entity: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    """The network of sponsors, agents, targets and incidents (drawn by the vendored cytoscape)."""
    data = graph.graph_view(state_of(request).index(), incident=incident, entity=entity)
    source = "/api/graph" + ("?" + request.url.query if request.url.query else "")
    return render_page(request, "graph.html", {"data": data, "source": source})


@router.get("/map", response_class=HTMLResponse)
def map_page(request: Request) -> HTMLResponse:
    """Incidents on a world outline (d3-geo and world-atlas, vendored; no tile server)."""
    return render_page(request, "map.html", {"data": graph.map_view(state_of(request).index())})
