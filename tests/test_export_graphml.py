"""GraphML export: actors and incidents as nodes, roles as typed edges, read back with networkx."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import networkx as nx  # type: ignore[import-untyped]
import pytest

from export_support import check_golden, export_text, fill
from threatledger.model import ROLES
from threatledger.store.records import IncidentFilter
from threatledger.store.sqlite import SQLiteStore


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLiteStore]:
    with SQLiteStore(tmp_path_factory.mktemp("graphml") / "ledger.db") as opened:
        fill(opened)
        yield opened


def read_back(text: str, tmp_path: Path) -> nx.MultiDiGraph:
    path = tmp_path / "ledger.graphml"
    path.write_text(text, encoding="utf-8")
    return nx.read_graphml(path)


@pytest.fixture
def graph(store: SQLiteStore, tmp_path: Path) -> nx.MultiDiGraph:
    return read_back(export_text(store, "graphml"), tmp_path)


def node_named(graph: nx.MultiDiGraph, label: str) -> str:
    return str(next(n for n, data in graph.nodes(data=True) if data["label"] == label))


def test_export_graphml_nodes(graph: nx.MultiDiGraph) -> None:
    assert graph.is_directed()
    assert graph.is_multigraph()
    kinds = {data["kind"] for _, data in graph.nodes(data=True)}
    assert kinds == {"entity", "incident"}
    incidents = [n for n, data in graph.nodes(data=True) if data["kind"] == "incident"]
    assert len(incidents) == 4
    karimi = graph.nodes[node_named(graph, "Nasrollah Karimi")]
    assert karimi["entity_type"] == "PERSON"
    assert "Nasrullah Karimi" in karimi["names"]


def test_export_graphml_roles_are_typed_edges(graph: nx.MultiDiGraph) -> None:
    plot = node_named(graph, "Plot against Leyla Baran")
    roles = {
        (graph.nodes[source]["label"], data["role"], data["event_type"])
        for source, _, data in graph.in_edges(plot, data=True)
    }
    assert ("Islamic Revolutionary Guard Corps", "sponsor", "PLOT") in roles
    assert ("Nasrollah Karimi", "agent", "PLOT") in roles
    assert ("Nasrollah Karimi", "target", "ARREST") in roles
    assert ("Lyon", "place", "PLOT") in roles
    for _, target, data in graph.edges(data=True):
        assert graph.nodes[target]["kind"] == "incident"
        assert data["role"] in ROLES
        assert data["document_id"]
        assert data["sentence"]


def test_export_graphml_negated_event_has_no_edge(graph: nx.MultiDiGraph) -> None:
    denied = node_named(graph, "Denied attack on Ilse Varga")
    assert graph.in_degree(denied) == 0
    assert graph.nodes[denied]["negated_events"] == "1"


def test_export_graphml_filter(store: SQLiteStore, tmp_path: Path) -> None:
    graph = read_back(export_text(store, "graphml", filters=IncidentFilter(actor="Grey Lantern")), tmp_path)
    incidents = [d["label"] for _, d in graph.nodes(data=True) if d["kind"] == "incident"]
    assert incidents == ["Bombing of a newspaper office in Marseille"]


def test_export_graphml_golden(store: SQLiteStore) -> None:
    check_golden("ledger.graphml", export_text(store, "graphml"))
