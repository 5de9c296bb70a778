"""Hostile input: SQL-injection strings in every parameter, and an article full of script and HTML
injection that must come out escaped on every page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from api_helpers import (
    AUTH,
    EVIL_NAME,
    EVIL_TEXT,
    EVIL_URL,
    IMG,
    INJECTIONS,
    JS_LINK,
    SCRIPT,
    TOKEN,
    build_store,
    stub_extractor,
)
from threatledger.api import create_app
from threatledger.model import Document

SQL_PAYLOADS = [
    "' OR '1'='1",
    "Karimi' --",
    '"; DROP TABLE incidents; --',
    "') UNION SELECT id, text FROM documents --",
    "1; ATTACH DATABASE 'x.db' AS x",
    "%",
    "_",
    "\\",
    '" OR ""="',
    "NEAR(a b) OR * AND ^",
    "Karimi\x00",
    "\u202eKarimi",
]
FILTERS = ["actor", "sponsor", "target", "type", "country", "from", "to", "status", "q"]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    db = build_store(tmp_path_factory.mktemp("api-security"))
    with TestClient(create_app(db, token=TOKEN, extractor=stub_extractor)) as test_client:
        yield test_client


def assert_clean(response: Any) -> None:
    """A normal answer or a clean client error in the one error shape, never a 500."""
    assert response.status_code in (200, 404, 422), (response.status_code, response.text[:300])
    if response.status_code != 200 and response.headers["content-type"].startswith("application/json"):
        assert response.json()["ok"] is False


def get_stats(client: TestClient) -> dict[str, Any]:
    stats: dict[str, Any] = client.get("/api/stats").json()["stats"]
    return stats


@pytest.mark.parametrize("payload", SQL_PAYLOADS)
def test_api_sql_injection_in_every_filter(client: TestClient, payload: str) -> None:
    before = get_stats(client)
    for name in FILTERS:
        assert_clean(client.get("/api/incidents", params={name: payload}))
        assert_clean(client.get("/", params={name: payload}))
    for url, name in [
        ("/api/search", "q"),
        ("/search", "q"),
        ("/api/entities", "q"),
        ("/api/entities", "type"),
        ("/entities", "q"),
        ("/api/graph", "incident"),
        ("/api/graph", "entity"),
        ("/api/documents/ostend-charge", "event"),
        ("/api/corrections", "target"),
    ]:
        assert_clean(client.get(url, params={name: payload}))
    for prefix in ("/api/incidents/", "/api/entities/", "/api/documents/", "/incidents/", "/entities/"):
        assert_clean(client.get(prefix + quote(payload, safe="")))
    assert get_stats(client) == before


def test_api_sql_injection_returns_normal_results(client: TestClient) -> None:
    """A quote in a name is just a character: no incident is called that."""
    items = client.get("/api/incidents", params={"actor": "' OR '1'='1"}).json()["items"]
    assert items == []
    assert client.get("/api/incidents", params={"q": '" OR ""="'}).status_code == 200


def test_api_sql_injection_in_review_ids(client: TestClient) -> None:
    for payload in SQL_PAYLOADS[:5]:
        url = "/api/events/" + quote(payload, safe="") + "/confirm"
        response = client.post(url, json={"reason": payload}, headers=AUTH)
        assert response.status_code == 404
    assert get_stats(client)["corrections"] == 0


def pages(client: TestClient) -> list[str]:
    incident = client.get("/api/incidents", params={"q": "gunmen attacked office"}).json()["items"][0]
    event = client.get(f"/api/incidents/{incident['id']}").json()["incident"]["timeline"][0]
    person = client.get("/api/entities", params={"q": "Orlov"}).json()["items"][0]
    return [
        "/",
        f"/incidents/{incident['id']}",
        "/entities",
        f"/entities/{person['id']}",
        "/documents",
        "/documents/evil-article",
        f"/documents/evil-article?event={event['id']}",
        "/search?q=" + quote(SCRIPT),
        "/search?q=attacked",
        "/graph",
        "/map",
        "/open-cases",
    ]


def assert_escaped(html: str) -> None:
    for injection in INJECTIONS:
        assert injection not in html
    assert not re.search(r"<[a-zA-Z][^>]*\son\w+\s*=", html)  # no tag carries an event handler
    assert 'href="javascript:' not in html
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert all(re.fullmatch(r'<script src="/static/[\w./-]+" defer>', s) for s in scripts), scripts
    assert "<script>" not in html  # no inline script at all


def test_api_injection_article_is_escaped_on_every_page(client: TestClient) -> None:
    seen_escaped = False
    for url in pages(client):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_escaped(response.text)
        seen_escaped |= "&lt;script&gt;" in response.text
    assert seen_escaped


def test_api_injection_document_page_shows_the_text_as_text(client: TestClient) -> None:
    html = client.get("/documents/evil-article").text
    assert "&lt;b onmouseover=window.__pwned=2&gt;Orlov&lt;/b&gt;" in html
    assert 'href="javascript' not in html
    assert "javascript:window.__pwned=&#39;url&#39;" in html  # shown as text, not as a link
    assert "original article" not in html  # a javascript: URL is never a link


def test_api_injection_ingested_through_the_api_is_escaped(client: TestClient, tmp_path: Path) -> None:
    text = f"Masked men attacked the studio of Nadia Frost in Tiny Town. {SCRIPT} {IMG}\n{JS_LINK}"
    body = {"text": text, "title": f"Second {SCRIPT}", "url": EVIL_URL, "id": "evil-2"}
    response = client.post("/api/ingest", json=body, headers=AUTH)
    assert response.status_code == 200, response.text
    assert response.json()["stats"]["events"] >= 1
    assert_escaped(client.get("/documents/evil-2").text)
    incident = client.get("/api/incidents", params={"q": "Tiny Town"}).json()["items"][0]
    assert incident["summary"] == f"Second {SCRIPT}"  # the API returns the text as it came, as JSON
    html = client.get(f"/incidents/{incident['id']}").text
    assert_escaped(html)
    assert "Second &lt;script&gt;" in html


def test_api_full_text_of_a_document_is_escaped(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the store serves whole articles, the whole text is shown, escaped, with the span marked."""
    from threatledger.store.sqlite import SQLiteStore

    def document(self: SQLiteStore, document_id: str) -> Document:
        return Document(id=document_id, text=EVIL_TEXT)

    monkeypatch.setattr(SQLiteStore, "document", document, raising=False)
    body = client.get("/api/documents/evil-article", params={"start": 0, "end": 6}).json()
    assert body["full_text"] is True
    assert "".join(s["text"] for s in body["segments"]) == EVIL_TEXT
    assert [s["text"] for s in body["segments"] if s["mark"] == "highlight"] == ["Gunmen"]
    html = client.get("/documents/evil-article?start=0&end=6").text
    assert_escaped(html)
    assert '<mark class="hl" id="hl">Gunmen</mark>' in html
    assert "&lt;img src=x onerror=" in html


def test_api_json_is_never_html(client: TestClient) -> None:
    response = client.get("/api/entities", params={"q": "Orlov"})
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.json()["items"][0]["name"] == EVIL_NAME
