"""GraphML (networkx): actors and incidents as nodes, each role an actor plays in an event as a typed,
directed edge from the actor to the incident. Opens in Gephi, yEd, Cytoscape or ``networkx.read_graphml``.

Node ids are our ids (``ent_...``, ``inc_...``); a role filler the ledger did not resolve to an entity is
a ``name`` node with id ``name:<the name, lower-cased>``. Every attribute is a string, so no reader has to
guess types. Edges keep the source: document id, URL, sentence and character spans.
"""

from __future__ import annotations

from typing import IO

import networkx as nx  # type: ignore[import-untyped]

from threatledger.export.collect import LedgerView
from threatledger.store.records import ArgumentView, EventView, IncidentDetail


class GraphmlExporter:
    """Adds nodes and edges incident by incident; ``finalize()`` writes the graph."""

    def __init__(self, out: IO[str], view: LedgerView) -> None:
        self.out, self.view = out, view
        self.graph = nx.MultiDiGraph(name="threatledger")

    def _actor(self, arg: ArgumentView, role: str) -> str:
        entity = self.view.entity(arg.entity_id)
        if entity is None:
            node = f"name:{arg.name.lower()}"
            attrs = {"kind": "name", "label": arg.name, "entity_type": "PLACE" if role == "place" else ""}
        else:
            node = entity.id
            attrs = {
                "kind": "entity",
                "label": entity.name,
                "entity_type": entity.type,
                "country": entity.country or "",
                "names": "; ".join(entity.names),
            }
        if node not in self.graph:
            self.graph.add_node(node, **attrs)
        return node

    def write(self, incident: IncidentDetail) -> None:
        events = incident.timeline
        dates = sorted(e.date for e in events if e.date)
        self.graph.add_node(
            incident.id,
            kind="incident",
            label=incident.summary or incident.id,
            event_types="; ".join(dict.fromkeys(e.type for e in events)),
            first_date=dates[0] if dates else "",
            last_date=dates[-1] if dates else "",
            documents="; ".join(incident.documents),
            accountability="; ".join(f"{a.name}: {a.status}" for a in incident.accountability),
            negated_events=str(sum(e.negated_or_hypothetical for e in events)),
        )
        for event in events:
            if not event.negated_or_hypothetical:
                self._edges(event, incident.id)

    def _edges(self, event: EventView, incident_id: str) -> None:
        for role, args in sorted(event.roles.items()):
            for position, arg in enumerate(args):
                source = self._actor(arg, role)
                self.graph.add_edge(
                    source, incident_id, key=f"{event.id}:{role}:{position}", **_edge_attrs(event, role, arg)
                )

    def finalize(self) -> None:
        for line in nx.generate_graphml(self.graph, prettyprint=True):
            self.out.write(line + "\n")


def _edge_attrs(event: EventView, role: str, arg: ArgumentView) -> dict[str, str]:
    src = event.source
    return {
        "label": role,
        "role": role,
        "name": arg.name,
        "event_id": event.id,
        "event_type": event.type,
        "date": event.date or "",
        "status": event.status,
        "review": event.review or "",
        "document_id": src.document_id,
        "url": src.url or "",
        "sentence": event.sentence,
        "trigger_span": f"{src.start}-{src.end}",
        "sentence_span": f"{src.sentence_start}-{src.sentence_end}",
        "also_reported_in": "; ".join(s.document_id for s in event.also_reported_in),
    }
