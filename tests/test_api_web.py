"""The web pages served by the API's app: what each shows, and that everything loads from this server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api_helpers import TOKEN, build_store
from threatledger.api import create_app
from threatledger.web import STATIC_DIR, TEMPLATES_DIR
from threatledger.web.templating import safe_href, snippet_parts, with_query

VENDORED = [
    "vendor/cytoscape/cytoscape.min.js",
    "vendor/d3-array/d3-array.min.js",
    "vendor/d3-geo/d3-geo.min.js",
    "vendor/topojson-client/topojson-client.min.js",
    "vendor/world-atlas/countries-110m.json",
]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    db = build_store(tmp_path_factory.mktemp("web"))
    with TestClient(create_app(db, token=TOKEN)) as test_client:
        yield test_client


def karimi_id(client: TestClient) -> str:
    incident_id: str = client.get("/api/incidents", params={"actor": "Karimi"}).json()["items"][0]["id"]
    return incident_id


def test_web_incident_list_with_filters(client: TestClient) -> None:
    html = client.get("/").text
    assert "Plot against Leyla Baran" in html
    assert "Plot against Omid Sarraf" in html
    assert 'name="actor"' in html
    assert 'name="q"' in html
    assert '<option value="KILLING"' in html
    filtered = client.get("/", params={"type": "RELEASE"}).text
    assert "Plot against Leyla Baran" in filtered
    assert "Plot against Omid Sarraf" not in filtered
    assert '<option value="RELEASE" selected>' in filtered


def test_web_incident_list_bad_filter_shows_the_error(client: TestClient) -> None:
    response = client.get("/", params={"from": "yesterday"})
    assert response.status_code == 422
    assert "is not a date" in response.text
    assert 'value="yesterday"' in response.text


def test_web_incident_page(client: TestClient) -> None:
    html = client.get(f"/incidents/{karimi_id(client)}").text
    assert '<strong class="trigger">plotting</strong>' in html
    assert '<span class="badge status-alleged">alleged</span>' in html
    assert '<span class="badge status-confirmed">confirmed</span>' in html
    assert re.search(r'href="/documents/ostend-charge\?event=ev_\w+#hl"', html)
    assert "Accountability" in html
    assert "released" in html
    assert 'href="/graph?incident=' in html


def test_web_hypothetical_badge(tmp_path: Path) -> None:
    from ledger_factories import DocBuilder

    text = "Officials said the group might attack the embassy in Oslo."
    b = DocBuilder("maybe", text, title="Possible attack")
    b.incident("Possible attack", b.event("ATTACK", text, "attack", negated=True, status="opinion"))
    with TestClient(create_app(build_store(tmp_path, [b.build()]))) as client:
        incident_id = client.get("/api/incidents").json()["items"][0]["id"]
        html = client.get(f"/incidents/{incident_id}").text
    assert "status-hypothetical" in html
    assert "status-opinion" in html


def test_web_document_page_highlights_the_span(client: TestClient) -> None:
    incident = client.get(f"/api/incidents/{karimi_id(client)}").json()["incident"]
    event = incident["timeline"][0]
    html = client.get(f"/documents/ostend-charge?event={event['id']}").text
    assert '<mark class="hl" id="hl">Karimi is accused of <mark class="hl trigger">plotting</mark>' in html
    assert html.count('id="hl"') == 1
    # the whole article, not only the sentences events were read from
    assert "Officials said Karimi remains at large and is believed to be in Tehran." in html
    assert "[…]" not in html
    assert "sentences events were read from" not in html
    # every extracted span is marked: entity mentions, and the other events' triggers link to them
    assert '<span class="mention m-person" title="PERSON">Leyla Baran</span>' in html
    assert '<span class="mention m-person" title="PERSON">Nasrollah Karimi</span>' in html
    assert re.search(
        r'<a class="ev-trigger" href="/documents/ostend-charge\?event=ev_\w+#hl" title="CHARGE">charged</a>',
        html,
    )
    span = client.get("/documents/ostend-charge", params={"start": 0, "end": 11}).text
    prosecutors = '<span class="mention m-org" title="ORG">Prosecutors</span>'
    assert f'<mark class="hl" id="hl">{prosecutors}</mark>' in span
    missing = client.get("/documents/ostend-charge", params={"event": "ev_other"}).text
    assert "not in this document" in missing


def test_web_entity_page_by_role_and_steps(client: TestClient) -> None:
    html = client.get("/entities/Karimi").text
    assert "Nasrollah Karimi" in html
    assert "As agent" in html
    assert "As target" in html
    assert "Legal steps" in html
    assert "charged" in html
    listing = client.get("/entities", params={"q": "baran"}).text
    assert "Leyla Baran" in listing
    assert "Karimi" not in listing


def test_web_documents_search_open_cases(client: TestClient) -> None:
    assert "Karimi freed in exchange" in client.get("/documents").text
    search = client.get("/search", params={"q": "sentenced"}).text
    assert "<mark>sentenced</mark>" in search
    assert client.get("/search", params={"q": "%%"}).status_code == 422
    assert "no one charged" in client.get("/open-cases").text


def test_web_graph_and_map_pages_use_vendored_scripts(client: TestClient) -> None:
    graph = client.get("/graph").text
    assert '<script src="/static/vendor/cytoscape/cytoscape.min.js" defer>' in graph
    assert 'data-source="/api/graph"' in graph
    one = client.get("/graph", params={"incident": karimi_id(client)}).text
    assert 'data-source="/api/graph?incident=' in one
    page = client.get("/map").text
    assert "/static/vendor/d3-geo/d3-geo.min.js" in page
    assert "countries-110m.json" in page
    assert "Lyon" in page


@pytest.mark.parametrize("path", VENDORED)
def test_web_vendored_files_are_served_with_their_licence(client: TestClient, path: str) -> None:
    response = client.get(f"/static/{path}")
    assert response.status_code == 200
    assert len(response.content) > 5_000
    assert (STATIC_DIR / path).parent.joinpath("LICENSE").is_file()


def test_web_nothing_loads_from_another_host() -> None:
    """No CDN: templates and our scripts name no outside host (links to /openapi.json are local)."""
    for folder, pattern in ((TEMPLATES_DIR, "*.html"), (STATIC_DIR, "*.js"), (STATIC_DIR, "*.css")):
        for file in folder.glob(pattern):
            text = file.read_text("utf-8")
            assert not re.search(r"(src|href)=\"(https?:)?//", text), file
            assert "http://" not in text.replace("http://www.w3.org/2000/svg", ""), file
            assert "https://" not in text, file


def test_web_pagination_links(tmp_path: Path) -> None:
    from ledger_factories import DocBuilder

    extractions = []
    for n in range(55):
        filler = " ".join(f"w{n}k{i}" for i in range(40))  # distinct texts: no near-duplicates
        text = f"Gunmen attacked the shop of Case Number{n} in Bergen. {filler}."
        b = DocBuilder(f"doc-{n}", text, title=f"Attack {n}")
        b.entity(f"Case Number{n}")
        sentence = text.split(". ")[0] + "."
        event = b.event("ATTACK", sentence, "attacked", target=(f"Case Number{n}",), date="2023")
        b.incident(f"Attack {n}", event)
        extractions.append(b.build())
    with TestClient(create_app(build_store(tmp_path, extractions))) as client:
        first = client.get("/", params={"type": "ATTACK"}).text
        assert 'rel="next" href="/?type=ATTACK&amp;offset=50"' in first
        second = client.get("/", params={"type": "ATTACK", "offset": 50}).text
        assert 'rel="prev"' in second
        assert 'rel="next"' not in second
        total = len(client.get("/api/incidents", params={"limit": 500}).json()["items"])
        assert total > 50
        assert second.count('class="incident-link"') == total - 50


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://news.example/a", "https://news.example/a"),
        ("HTTP://news.example", "HTTP://news.example"),
        ("javascript:alert(1)", None),
        (" JavaScript:alert(1)", None),
        ("data:text/html,<b>x</b>", None),
        ("//evil.example/x", None),
        (None, None),
    ],
)
def test_web_safe_href(url: str | None, expected: str | None) -> None:
    assert safe_href(url) == expected


def test_web_helpers() -> None:
    assert snippet_parts("a «b» c") == [("a ", False), ("b", True), (" c", False)]
    assert with_query("/", {"q": "a&b", "type": ""}, offset=50) == "/?q=a%26b&offset=50"
