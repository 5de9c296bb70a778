"""Write routes with the token: ingest (a stub extractor stands in for spaCy) and review decisions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api_helpers import AUTH, TOKEN, build_store, stub_extractor
from threatledger.api import create_app

ARTICLE = (
    "Masked men attacked the home of the blogger Tomas Weller in Graz on Sunday.\n"
    "Police arrested Kurt Baines two days later."
)


@pytest.fixture
def client(tmp_path: Any) -> Iterator[TestClient]:
    db = build_store(tmp_path)
    app = create_app(db, token=TOKEN, extractor=stub_extractor)
    with TestClient(app) as test_client:
        yield test_client


def post_ok(client: TestClient, url: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(url, json=body, headers=AUTH)
    assert response.status_code == 200, response.text
    out: dict[str, Any] = response.json()
    assert out["ok"] is True
    return out


def first_event(client: TestClient, **filters: str) -> dict[str, Any]:
    incident_id = client.get("/api/incidents", params=filters).json()["items"][0]["id"]
    timeline: list[dict[str, Any]] = client.get(f"/api/incidents/{incident_id}").json()["incident"][
        "timeline"
    ]
    return timeline[0]


def test_api_ingest_stores_an_article(client: TestClient) -> None:
    body = {"text": ARTICLE, "title": "Blogger's home attacked", "published": "2024-06-02", "id": "graz-1"}
    out = post_ok(client, "/api/ingest", body)
    assert out["document_id"] == "graz-1"
    assert out["published"] == "2024-06-02"
    assert out["stats"]["documents"] == 1
    assert out["stats"]["events"] == 2
    found = client.get("/api/incidents", params={"target": "Tomas Weller"}).json()["items"]
    assert [i["summary"] for i in found] == ["Blogger's home attacked"]
    again = post_ok(client, "/api/ingest", body)
    assert again["stats"]["skipped"] == 1


def test_api_ingest_html(client: TestClient) -> None:
    page = f"<html><head><title>Graz</title></head><body><article><p>{ARTICLE}</p></article></body></html>"
    out = post_ok(client, "/api/ingest", {"text": page, "format": "html", "id": "graz-html"})
    assert out["document_id"] == "graz-html"


@pytest.mark.parametrize("text", ["   ", "\x00\x01\x02binary"])
def test_api_ingest_rejects_bad_text(client: TestClient, text: str) -> None:
    response = client.post("/api/ingest", json={"text": text}, headers=AUTH)
    assert response.status_code == 422
    assert response.json()["code"].startswith("E1") or response.json()["code"] == "E622"


def test_api_review_confirm_and_reject(client: TestClient) -> None:
    event = first_event(client, actor="Karimi")
    out = post_ok(client, f"/api/events/{event['id']}/confirm", {"reason": "court papers", "author": "ana"})
    assert out["correction"]["action"] == "confirm"
    assert out["correction"]["author"] == "ana"
    assert first_event(client, actor="Karimi")["review"] == "confirmed"
    incident = client.get(f"/api/incidents/{event['incident_id']}").json()["incident"]
    assert [c["action"] for c in incident["corrections"]] == ["confirm"]
    before = client.get("/api/stats").json()["stats"]["events"]
    post_ok(client, f"/api/events/{event['id']}/reject", {"reason": "duplicate report"})
    assert client.get("/api/stats").json()["stats"]["events"] == before - 1
    assert len(client.get("/api/corrections", params={"target": event["id"]}).json()["items"]) == 2

    assert client.get("/api/audit").json()["items"]


@pytest.mark.parametrize(
    ("field", "value", "check"),
    [
        ("date", "2022-05", lambda e: e["date"] == "2022-05"),
        ("status", "confirmed", lambda e: e["status"] == "confirmed"),
        ("negated_or_hypothetical", True, lambda e: e["negated_or_hypothetical"] is True),
        ("sponsor", ["Sepah", "Quds Force"], lambda e: len(e["roles"]["sponsor"]) == 2),
    ],
)
def test_api_review_correct(client: TestClient, field: str, value: Any, check: Any) -> None:
    event = first_event(client, target="Omid Sarraf")
    out = post_ok(
        client, f"/api/events/{event['id']}/correct", {"reason": "r", "field": field, "value": value}
    )
    assert out["correction"]["field"] == field
    corrected = first_event(client, target="Omid Sarraf")
    assert corrected["review"] == "corrected"
    assert check(corrected)


def test_api_review_bad_value_is_422_and_unknown_event_404(client: TestClient) -> None:
    event = first_event(client, target="Omid Sarraf")
    bad = client.post(
        f"/api/events/{event['id']}/correct",
        json={"reason": "r", "field": "type", "value": "PICNIC"},
        headers=AUTH,
    )
    assert bad.status_code == 422
    assert bad.json()["code"] == "E622"
    missing = client.post("/api/events/ev_nope/confirm", json={"reason": "r"}, headers=AUTH)
    assert missing.status_code == 404
    assert missing.json()["code"] == "E604"


def test_api_merge_incidents_and_entities(client: TestClient) -> None:
    items = client.get("/api/incidents").json()["items"]
    baran = next(i for i in items if i["summary"] == "Plot against Leyla Baran")
    sarraf = next(i for i in items if i["summary"] == "Plot against Omid Sarraf")
    body = {"reason": "same network", "source_id": sarraf["id"], "target_id": baran["id"]}
    post_ok(client, "/api/incidents/merge", body)
    assert len(client.get("/api/incidents").json()["items"]) == len(items) - 1
    sarraf_person = client.get("/api/entities/Omid Sarraf").json()["items"][0]["id"]
    baran_person = client.get("/api/entities/Leyla Baran").json()["items"][0]["id"]
    merge = {"reason": "test", "source_id": sarraf_person, "target_id": baran_person}
    post_ok(client, "/api/entities/merge", merge)
    same = client.post("/api/entities/merge", json={**merge, "source_id": baran_person}, headers=AUTH)
    assert same.status_code == 422


def test_api_web_shows_review_buttons_only_with_a_token(tmp_path: Any) -> None:
    db = build_store(tmp_path)
    for token, shown in ((TOKEN, True), (None, False)):
        with TestClient(create_app(db, token=token)) as client:
            incident_id = client.get("/api/incidents").json()["items"][0]["id"]
            page = client.get(f"/incidents/{incident_id}").text
            assert ('data-action="confirm"' in page) is shown
            assert ("/static/review.js" in page) is shown


@pytest.mark.slow
def test_api_ingest_with_the_spacy_extractor(tmp_path: Any) -> None:
    """The default extractor (spaCy) behind the ingest route, on an article written for this test."""
    text = (
        "Police in Vienna arrested a man on 3 May 2024 over a plot to kill the exiled blogger Tomas Weller.\n"
        "Prosecutors said the suspect, Kurt Baines, had been paid by agents of a foreign spy service."
    )
    db = build_store(tmp_path, [])
    with TestClient(create_app(db, token=TOKEN)) as client:
        out = post_ok(client, "/api/ingest", {"text": text, "id": "vienna-plot", "published": "2024-05-04"})
        assert out["stats"]["documents"] == 1
        assert out["stats"]["events"] >= 1
        assert client.get("/api/incidents").json()["items"]
