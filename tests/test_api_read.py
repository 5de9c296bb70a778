"""The read routes of the HTTP API, each on its happy path, over a hand-built SQLite ledger."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api_helpers import EVIL_NAME, TOKEN, build_store
from threatledger.api import create_app


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    db = build_store(tmp_path_factory.mktemp("api-read"))
    with TestClient(create_app(db, token=TOKEN)) as test_client:
        yield test_client


def get_ok(client: TestClient, url: str, **params: Any) -> dict[str, Any]:
    response = client.get(url, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["ok"] is True
    return body


def karimi_incident(client: TestClient) -> dict[str, Any]:
    items = get_ok(client, "/api/incidents", actor="Karimi")["items"]
    assert len(items) == 1
    return items[0]


def test_api_health_says_writable(client: TestClient) -> None:
    assert get_ok(client, "/api/health")["writable"] is True


def test_api_incidents_lists_all_most_recent_first(client: TestClient) -> None:
    items = get_ok(client, "/api/incidents")["items"]
    assert [i["summary"] for i in items][0] == "Plot against Leyla Baran"
    assert len(items) == 3
    assert {"id", "summary", "first_date", "last_date", "types", "events", "documents"} <= set(items[0])


@pytest.mark.parametrize(
    ("params", "summaries"),
    [
        ({"actor": "Karimi"}, {"Plot against Leyla Baran"}),
        ({"sponsor": "IRGC"}, {"Plot against Leyla Baran"}),
        ({"target": "Omid Sarraf"}, {"Plot against Omid Sarraf"}),
        ({"type": "release"}, {"Plot against Leyla Baran"}),
        ({"status": "alleged", "from": "2021", "to": "2021"}, {"Plot against Omid Sarraf"}),
        ({"q": "gunmen hired"}, {"Plot against Omid Sarraf"}),
        ({"actor": "Nobody Atall"}, set()),
    ],
)
def test_api_incidents_filters(client: TestClient, params: dict[str, str], summaries: set[str]) -> None:
    items = get_ok(client, "/api/incidents", **params)["items"]
    assert {i["summary"] for i in items} == summaries


def test_api_incidents_paginate(client: TestClient) -> None:
    first = get_ok(client, "/api/incidents", limit=2)
    assert len(first["items"]) == 2
    assert first["next_offset"] == 2
    rest = get_ok(client, "/api/incidents", limit=2, offset=2)
    assert len(rest["items"]) == 1
    assert rest["next_offset"] is None
    ids = [i["id"] for i in first["items"] + rest["items"]]
    assert len(set(ids)) == 3


def test_api_incident_detail_has_timeline_roles_accountability_provenance(client: TestClient) -> None:
    incident_id = karimi_incident(client)["id"]
    incident = get_ok(client, f"/api/incidents/{incident_id}")["incident"]
    types = [e["type"] for e in incident["timeline"]]
    assert types[0] == "PLOT"
    assert {"CHARGE", "ARREST", "CONVICTION", "SENTENCE", "RELEASE"} <= set(types)
    plot = incident["timeline"][0]
    assert plot["status"] == "alleged"
    assert plot["source"]["document_id"] == "ostend-charge"
    assert plot["sentence"][plot["source"]["start"] - plot["source"]["sentence_start"] :].startswith(
        "plotting"
    )
    assert {r["name"] for r in incident["roles"]["sponsor"]} == {"Islamic Revolutionary Guard Corps"}
    karimi = next(a for a in incident["accountability"] if "Karimi" in a["name"])
    assert karimi["status"] == "released"
    assert [s["step"] for s in karimi["steps"]][0] == "charged"
    assert "arrested" in [s["step"] for s in karimi["steps"]]
    assert incident["documents"]
    assert incident["corrections"] == []


def test_api_entities_list_and_filter(client: TestClient) -> None:
    everyone = get_ok(client, "/api/entities")["items"]
    assert {"Nasrollah Karimi", "Leyla Baran", EVIL_NAME} <= {e["name"] for e in everyone}
    people = get_ok(client, "/api/entities", q="baran", type="person")["items"]
    assert [e["name"] for e in people] == ["Leyla Baran"]
    assert people[0]["roles"] == ["target"]


def test_api_entity_detail_by_name_and_by_id(client: TestClient) -> None:
    item = get_ok(client, "/api/entities/Karimi")["items"][0]
    assert item["name"] == "Nasrollah Karimi"
    assert "Nasrullah Karimi" in item["names"]
    assert {"agent", "target"} <= set(item["by_role"])
    assert item["accountability"][0]["status"] == "released"
    same = get_ok(client, f"/api/entities/{item['id']}")["items"]
    assert [i["id"] for i in same] == [item["id"]]


def test_api_documents_list(client: TestClient) -> None:
    items = get_ok(client, "/api/documents")["items"]
    assert [d["id"] for d in items][0] == "ostend-verdict"
    assert {d["id"] for d in items} >= {"ostend-charge", "vienna-arrest", "hamburg-plot", "evil-article"}


def test_api_document_detail_highlights_an_event(client: TestClient) -> None:
    plain = get_ok(client, "/api/documents/ostend-charge")
    assert plain["full_text"] is True
    assert plain["text"].startswith("Prosecutors in Ostend charged Nasrollah Karimi")
    assert "Officials said Karimi remains at large" in plain["text"]
    assert "".join(s["text"] for s in plain["segments"]) == plain["text"]
    assert not [s for s in plain["segments"] if s["mark"] == "gap"]
    for mention in plain["mentions"]:  # every mention is marked (a nested one as part of the outer)
        over = [s for s in plain["segments"] if s["start"] < mention["end"] and mention["start"] < s["end"]]
        assert over[0]["start"] <= mention["start"]
        assert mention["end"] <= over[-1]["end"]
        assert all(s["mention"] is not None for s in over)
    for event in plain["events"]:
        trigger = event["trigger"]
        marked = [s for s in plain["segments"] if s["event"] and s["event"]["id"] == event["id"]]
        assert "".join(s["text"] for s in marked) == trigger["text"]
        assert (marked[0]["start"], marked[-1]["end"]) == (trigger["start"], trigger["end"])
    event = next(e for e in plain["events"] if e["type"] == "PLOT")
    body = get_ok(client, "/api/documents/ostend-charge", event=event["id"])
    assert body["highlight"] == {"start": event["sentence"]["start"], "end": event["sentence"]["end"]}
    trigger = [s["text"] for s in body["segments"] if s["mark"] == "trigger"]
    assert trigger == ["plotting"]
    highlighted = "".join(s["text"] for s in body["segments"] if s["mark"] in ("highlight", "trigger"))
    assert highlighted == event["sentence"]["text"]
    assert any(m["text"] == "Leyla Baran" for m in body["mentions"])


def test_api_document_span_outside_text_is_not_highlighted(client: TestClient) -> None:
    body = get_ok(client, "/api/documents/ostend-charge", start=90_000, end=90_010)
    assert body["highlight"] is None


def test_api_search_finds_sentences(client: TestClient) -> None:
    items = get_ok(client, "/api/search", q="sentenced")["items"]
    assert items[0]["kind"] == "event"
    assert "\u00absentenced\u00bb" in items[0]["snippet"]


def test_api_stats_counts(client: TestClient) -> None:
    stats = get_ok(client, "/api/stats")["stats"]
    assert stats["documents"] == 5
    assert stats["events_by_type"]["PLOT"] == 2


def test_api_open_cases(client: TestClient) -> None:
    kinds = {c["kind"] for c in get_ok(client, "/api/open-cases")["items"]}
    assert "no_one_charged" in kinds


def test_api_graph_nodes_and_edges(client: TestClient) -> None:
    body = get_ok(client, "/api/graph")
    ids = {n["id"] for n in body["nodes"]}
    assert all(e["source"] in ids and e["target"] in ids for e in body["edges"])
    assert {e["role"] for e in body["edges"]} == {"sponsor", "agent", "target"}
    incident_id = karimi_incident(client)["id"]
    one = get_ok(client, "/api/graph", incident=incident_id)
    assert [n["id"] for n in one["nodes"] if n["kind"] == "incident"] == [incident_id]
    irgc = next(n for n in one["nodes"] if n["label"] == "Islamic Revolutionary Guard Corps")
    around = get_ok(client, "/api/graph", entity=irgc["id"])
    assert [n["id"] for n in around["nodes"] if n["kind"] == "incident"] == [incident_id]


def test_api_map_points(client: TestClient) -> None:
    body = get_ok(client, "/api/map")
    lyon = next(p for p in body["points"] if "Lyon" in p["places"])
    assert lyon["lat"] == pytest.approx(45.75, abs=0.1)
    assert len(lyon["incidents"]) == 2  # the Baran plot and the attack on the reporter


def test_api_export_jsonl(client: TestClient) -> None:
    response = client.get("/api/export.jsonl")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    assert len(response.text.strip().splitlines()) == 5


def test_api_corrections_and_audit_start_empty(client: TestClient) -> None:
    assert get_ok(client, "/api/corrections")["items"] == []
    assert isinstance(get_ok(client, "/api/audit")["items"], list)


def test_api_openapi_schema_lists_the_routes(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    paths = set(schema["paths"])
    assert {"/api/incidents", "/api/incidents/{incident_id}", "/api/search", "/api/graph"} <= paths
    assert "/api/ingest" in paths
    assert "/api/events/{event_id}/confirm" in paths
    assert "ErrorBody" in schema["components"]["schemas"]
    assert not any(p.startswith("/incidents") for p in paths)  # pages stay out of the API schema
