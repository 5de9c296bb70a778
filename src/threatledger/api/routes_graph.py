"""The network graph, the map and the JSON Lines export."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from threatledger.api import graph
from threatledger.api.context import state_of
from threatledger.api.encode import FastJSONResponse, respond

router = APIRouter(prefix="/api", tags=["views"])


@router.get("/graph")
def get_graph(
    request: Request,
    incident: Annotated[str | None, Query(max_length=200, description="Only this incident.")] = None,
    entity: Annotated[str | None, Query(max_length=200, description="Only this entity's incidents.")] = None,
    limit: Annotated[int, Query(ge=1, le=2000, description="At most this many incidents.")] = 200,
) -> FastJSONResponse:
    """Nodes (incidents; sponsors, agents and targets) and edges (entity -role-> incident)."""
    index = state_of(request).index()
    return respond(graph.graph_view(index, incident=incident, entity=entity, limit=limit))


@router.get("/map")
def get_map(request: Request) -> FastJSONResponse:
    """Incidents by place, as longitude/latitude points (GeoNames, offline)."""
    return respond(graph.map_view(state_of(request).index()))


@router.get("/export.jsonl", response_class=StreamingResponse)
def export_jsonl(request: Request) -> StreamingResponse:
    """Every document with its extraction, one JSON object a line (as ``threatledger export``)."""
    rows = state_of(request).store().export_documents()

    def lines() -> Iterator[str]:
        for row in rows:
            yield json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n"

    return StreamingResponse(lines(), media_type="application/x-ndjson")
