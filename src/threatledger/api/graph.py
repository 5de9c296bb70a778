"""The network (sponsors, agents and targets linked to incidents) and the map of incidents."""

from __future__ import annotations

from typing import Any

from threatledger.api.errors import NotFoundError
from threatledger.api.geo import place_point
from threatledger.api.ledger import GRAPH_ROLES, IncidentEntry, LedgerIndex


def graph_view(
    index: LedgerIndex, *, incident: str | None = None, entity: str | None = None, limit: int = 200
) -> dict[str, Any]:
    """Nodes (incidents and entities) and edges (entity -role-> incident), for the most recent incidents,
    or around one incident or one entity."""
    chosen = _chosen_incidents(index, incident, entity, limit)
    nodes: dict[str, dict[str, Any]] = {}
    edges: list[dict[str, Any]] = []
    for entry in chosen:
        nodes[entry.id] = _incident_node(entry)
    for ent in index.entities.values():
        for incident_id, roles in ent.incidents.items():
            if incident_id not in nodes:
                continue
            for role in sorted(roles & set(GRAPH_ROLES)):
                nodes.setdefault(ent.id, _entity_node(ent.id, ent.name, ent.type))
                edges.append(
                    {
                        "id": f"{ent.id}>{role}>{incident_id}",
                        "source": ent.id,
                        "target": incident_id,
                        "role": role,
                    }
                )
    return {"ok": True, "nodes": list(nodes.values()), "edges": edges}


def _chosen_incidents(
    index: LedgerIndex, incident: str | None, entity: str | None, limit: int
) -> list[IncidentEntry]:
    if incident is not None:
        if incident not in index.incidents:
            raise NotFoundError(f"no incident {incident!r}", hint="List incidents with /api/incidents.")
        return [index.incidents[incident]]
    entries = sorted(index.incidents.values(), key=lambda e: (e.last_date, e.id), reverse=True)
    if entity is not None:
        if entity not in index.entities:
            raise NotFoundError(f"no entity {entity!r}", hint="List entities with /api/entities.")
        mine = index.entities[entity].incidents
        entries = [e for e in entries if e.id in mine]
    return entries[:limit]


def _incident_node(entry: IncidentEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "kind": "incident",
        "label": entry.summary or entry.id,
        "types": sorted(entry.types),
        "date": entry.last_date or None,
    }


def _entity_node(entity_id: str, name: str, type: str) -> dict[str, Any]:
    return {"id": entity_id, "kind": "entity", "label": name, "type": type}


def map_view(index: LedgerIndex) -> dict[str, Any]:
    """One point per place, with the incidents that happened there; places with no known point listed."""
    points: dict[tuple[float, float], dict[str, Any]] = {}
    unplaced: set[str] = set()
    for entry in index.incidents.values():
        for name, country in entry.places.items():
            where = place_point(name, country)
            if where is None:
                unplaced.add(name)
                continue
            point = points.setdefault(
                where, {"lon": where[0], "lat": where[1], "places": [], "incidents": []}
            )
            if name not in point["places"]:
                point["places"].append(name)
            if all(i["id"] != entry.id for i in point["incidents"]):
                point["incidents"].append(
                    {"id": entry.id, "summary": entry.summary, "date": entry.last_date or None}
                )
    return {"ok": True, "points": list(points.values()), "unplaced": sorted(unplaced)}
