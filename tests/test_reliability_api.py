"""API and web UI security, checked against the app's own route table so a new route is covered the day
it is added: the token on every write route (compared in constant time), SQL injection in every filter
and search parameter, script injection in every field the UI shows, security headers on every route, and
``serve`` listening on 127.0.0.1 unless told otherwise."""

from __future__ import annotations

import hmac
import inspect
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api_helpers import AUTH, TOKEN, build_store, stories, stub_extractor
from ledger_factories import DocBuilder
from threatledger.api import context as api_context
from threatledger.api import create_app
from threatledger.api.ledger import LedgerCache
from threatledger.model import Document, Extraction
from threatledger.web.pages import FILTERS as PAGE_FILTERS
from threatledger.web.templating import safe_href

READ_METHODS = frozenset({"GET", "HEAD"})


@dataclass(frozen=True)
class RouteInfo:
    path: str
    methods: frozenset[str]
    query: tuple[str, ...]  # the query parameters it declares (by their names in the URL)


def route_table(app: FastAPI) -> list[RouteInfo]:
    """Every route with methods, through included routers (FastAPI wraps them)."""
    found: list[RouteInfo] = []

    def walk(routes: list[Any], prefix: str) -> None:
        for route in routes:
            original = getattr(route, "original_router", None)
            if original is not None:
                context = getattr(route, "include_context", None)
                walk(original.routes, prefix + (getattr(context, "prefix", "") or ""))
            elif getattr(route, "methods", None):
                dependant = getattr(route, "dependant", None)
                params = getattr(dependant, "query_params", [])
                query = tuple(p.alias for p in params)
                found.append(RouteInfo(prefix + route.path, frozenset(route.methods), query))

    walk(list(app.routes), "")
    return found


# a ledger where every field the UI shows carries its own script injection, marked F_<field>


def payload(field: str) -> str:
    return f"\"'><img src=x onerror=alert('F_{field}')><script>alert('F_{field}')</script>"


XSS_TEXT = (
    f"Gunmen attacked the office of {payload('person')} in {payload('place')} on 3 March 2024. "
    f"The group {payload('org')} claimed it. Police {payload('trigger')} the suspect {payload('target')}."
)
XSS_FIELDS = ("docid", "title", "url", "outlet", "person", "place", "org", "trigger", "target", "summary")


def xss_story() -> Extraction:
    doc_id = "x" + payload("docid")
    b = DocBuilder(doc_id, XSS_TEXT, published=date(2024, 3, 4), title=payload("title"))
    b.entity(payload("person"), aliases=(payload("alias"),), country="F_country")
    b.entity(payload("place"), "PLACE")
    b.entity(payload("org"), "ORG")
    b.entity(payload("target"))
    first = XSS_TEXT.split(" on 3 March 2024. ")[0] + " on 3 March 2024."
    attack = b.event(
        "ATTACK", first, "attacked", target=(payload("person"),), place=(payload("place"),), date="2024-03-03"
    )
    claim = f"The group {payload('org')} claimed it."
    plot = b.event("PLOT", claim, "claimed", agent=(payload("org"),), status="alleged")
    last = f"Police {payload('trigger')} the suspect {payload('target')}."
    arrest = b.event("ARREST", last, payload("trigger"), target=(payload("target"),), status="confirmed")
    b.incident(payload("summary"), attack, plot, arrest)
    extraction = b.build()
    extraction.document = Document(
        id=doc_id,
        text=XSS_TEXT,
        title=payload("title"),
        url="https://news.example/a?" + payload("url"),
        published=date(2024, 3, 4),
        outlet=payload("outlet"),
    )
    return extraction


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return build_store(tmp_path_factory.mktemp("reliability-api"), [*stories(), xss_story()])


@pytest.fixture(scope="module")
def client(db: str) -> Iterator[TestClient]:
    with TestClient(create_app(db, token=TOKEN, extractor=stub_extractor)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def routes(client: TestClient) -> list[RouteInfo]:
    table = route_table(client.app)  # type: ignore[arg-type]
    schema_paths = set(client.get("/openapi.json").json()["paths"])
    plain_paths = {re.sub(r":path}", "}", r.path) for r in table}
    assert schema_paths <= plain_paths, "the route table walk missed routes of the OpenAPI schema"
    return table


def store_snapshot(db: str) -> dict[str, int]:
    """Row counts of every table: a write anywhere changes one."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        tables = [
            row[0]
            for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL")
            if not row[0].startswith(("documents_fts_", "events_fts_"))
        ]
        return {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}


def fill(path: str, value: str = "x") -> str:
    return re.sub(r"\{[^}]+\}", quote(value, safe=""), path)


VALID_BODIES: dict[str, dict[str, Any]] = {
    "/api/ingest": {"text": "Gunmen attacked the office of Nadia Frost in Tiny Town.", "id": "tok-1"},
    "/api/events/{event_id}/confirm": {"reason": "r"},
    "/api/events/{event_id}/reject": {"reason": "r"},
    "/api/events/{event_id}/correct": {"reason": "r", "field": "status", "value": "confirmed"},
    "/api/incidents/merge": {"reason": "r", "source_id": "a", "target_id": "b"},
    "/api/entities/merge": {"reason": "r", "source_id": "a", "target_id": "b"},
}
BAD_AUTH: list[dict[str, Any]] = [
    {},
    {"Authorization": ""},
    {"Authorization": "Bearer"},
    {"Authorization": "Bearer "},
    {"Authorization": "Bearer wrong-token"},
    {"Authorization": f"Bearer {TOKEN[:-1]}"},
    {"Authorization": f"Bearer {TOKEN}x"},
    {"Authorization": f"Bearer {TOKEN.upper()}"},
    {"Authorization": f"Basic {TOKEN}"},
    {"Authorization": TOKEN},
    {"Authorization": f"Bearer {TOKEN}\u00e9".encode("latin-1")},
    {"X-Token": TOKEN, "Cookie": f"token={TOKEN}"},
]


def write_routes(routes: list[RouteInfo]) -> list[RouteInfo]:
    return [r for r in routes if r.methods - READ_METHODS]


def test_reliability_api_write_routes_are_known(routes: list[RouteInfo]) -> None:
    """Every write route has a body here; a new write route fails this test until it is added."""
    assert {r.path for r in write_routes(routes)} == set(VALID_BODIES)


def test_reliability_api_every_write_route_needs_the_token(
    client: TestClient, routes: list[RouteInfo], db: str
) -> None:
    before = store_snapshot(db)
    tried = 0
    for route in write_routes(routes):
        for method in route.methods - READ_METHODS:
            url = fill(route.path, "ev_x")
            for headers in BAD_AUTH:
                body = VALID_BODIES[route.path]
                response = client.request(method, url, json=body, headers=headers)
                assert response.status_code == 401, (method, url, headers, response.text)
                assert response.json()["code"] == "E601"
                assert response.headers["www-authenticate"] == "Bearer"
                tried += 1
            form = client.request(method, url, data={"reason": "r"}, headers={"Cookie": f"token={TOKEN}"})
            assert form.status_code in (401, 422), (url, form.text)  # a cross-site form never writes
    assert tried == len(BAD_AUTH) * len(VALID_BODIES)
    assert store_snapshot(db) == before


def test_reliability_api_read_only_server_refuses_every_write(db: str, routes: list[RouteInfo]) -> None:
    before = store_snapshot(db)
    with TestClient(create_app(db, token=None, extractor=stub_extractor)) as read_only:
        for route in write_routes(routes):
            for method in route.methods - READ_METHODS:
                response = read_only.request(
                    method, fill(route.path), json=VALID_BODIES[route.path], headers=AUTH
                )
                assert response.status_code == 403, (route.path, response.text)
                assert response.json()["code"] == "E603"
    assert store_snapshot(db) == before


def test_reliability_api_reads_never_write(client: TestClient, routes: list[RouteInfo], db: str) -> None:
    """Write paths answer GET with 404/405, and other methods on read paths are refused."""
    before = store_snapshot(db)
    for route in write_routes(routes):
        assert client.get(fill(route.path), headers=AUTH).status_code in (404, 405)
    for route in routes:
        if route.methods <= READ_METHODS:
            for method in ("POST", "PUT", "PATCH", "DELETE"):
                response = client.request(method, fill(route.path), headers=AUTH, json={})
                assert response.status_code in (404, 405), (method, route.path, response.status_code)
    assert store_snapshot(db) == before


def test_reliability_api_token_is_compared_in_constant_time(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The token check calls hmac.compare_digest on bytes, and its answer decides."""
    source = inspect.getsource(api_context.AppState.check_token)
    assert "hmac.compare_digest(" in source
    assert not re.search(r"token\s*[!=]=|[!=]=\s*self\.token", source), "a plain == on the token"
    calls: list[tuple[Any, Any]] = []
    compare = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return compare(a, b)

    monkeypatch.setattr("threatledger.api.context.hmac.compare_digest", spy)
    url = "/api/events/ev_none/confirm"
    assert client.post(url, json={"reason": "r"}, headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.post(url, json={"reason": "r"}, headers=AUTH).status_code == 404  # past the token check
    assert len(calls) == 2
    assert all(isinstance(a, bytes) and isinstance(b, bytes) for a, b in calls)
    monkeypatch.setattr("threatledger.api.context.hmac.compare_digest", lambda a, b: False)
    assert client.post(url, json={"reason": "r"}, headers=AUTH).status_code == 401


# SQL injection in every filter and search parameter

SQL_PAYLOADS = [
    "' OR '1'='1",
    "x' UNION SELECT sql, sql FROM sqlite_master --",
    "'; DELETE FROM events; --",
    "1 OR 1=1",
    "%' --",
    "*",
    '"',
    "NEAR(",
    "text:attacked OR title:x",
    "{title text}: x",
    "a\x00b",
    "' || (SELECT load_extension('x')) || '",
]
INTEGER_PARAMS = {"limit", "offset", "start", "end"}


def test_reliability_api_sql_injection_in_every_parameter(
    client: TestClient, routes: list[RouteInfo], db: str
) -> None:
    """Each payload in each string parameter and path segment of every GET route (integers once: they
    are refused with 422 before any query runs); no 500, no change to the store."""
    before = store_snapshot(db)
    tried = 0
    for route in routes:
        if not route.methods & READ_METHODS or route.path.startswith("/static"):
            continue
        names = set(route.query) | (set(PAGE_FILTERS) if route.path == "/" else set())
        for name in sorted(names):
            for text in SQL_PAYLOADS[:1] if name in INTEGER_PARAMS else SQL_PAYLOADS:
                response = client.get(fill(route.path, "ev"), params={name: text})
                expected = {422} if name in INTEGER_PARAMS else {200, 404, 422}
                assert response.status_code in expected, (route.path, name, text, response.text[:200])
                tried += 1
        for text in SQL_PAYLOADS if "{" in route.path else []:
            response = client.get(fill(route.path, text))
            assert response.status_code in (200, 404, 422), (route.path, text)
            tried += 1
    assert tried > 300
    assert store_snapshot(db) == before
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_reliability_api_sql_tautology_matches_nothing(client: TestClient) -> None:
    everything = client.get("/api/incidents", params={"limit": 500}).json()["items"]
    assert everything
    for name in ("actor", "sponsor", "target", "country"):
        items = client.get("/api/incidents", params={name: "x' OR '1'='1"}).json()["items"]
        assert items == [], name
    assert client.get("/api/entities", params={"q": "' OR '1'='1"}).json()["items"] == []


# script injection in every field the UI shows


SCRIPT_SCHEMES = ("javascript:", "data:", "vbscript:")
ACTIVE_TAGS = ("iframe", "object", "embed", "img", "svg", "math", "base", "meta", "link", "style")


class PageScan(HTMLParser):
    """What could run in a page: event-handler attributes, scripts, javascript: links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            link = re.sub(r"[\x00-\x20]", "", value or "").lower()
            if name in ("href", "src", "action", "formaction") and link.startswith(SCRIPT_SCHEMES):
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag == "script":
            src = dict(attrs).get("src") or ""
            if not src.startswith("/static/"):
                self.problems.append(f"<script src={src!r}>")
            self.in_script = True
        if tag in ACTIVE_TAGS and not _ours(tag, attrs):
            self.problems.append(f"<{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_script = False

    def handle_data(self, data: str) -> None:
        if self.in_script and data.strip():
            self.problems.append(f"inline script {data[:40]!r}")


def _ours(tag: str, attrs: list[tuple[str, str | None]]) -> bool:
    """The page's own <link>s to /static and plain <meta>s (not http-equiv)."""
    values = dict(attrs)
    if tag == "link":
        return (values.get("href") or "").startswith("/static/")
    return tag == "meta" and "http-equiv" not in values


def assert_inert(html: str, where: str) -> None:
    scan = PageScan()
    scan.feed(html)
    scan.close()
    assert scan.problems == [], where


@pytest.mark.parametrize(
    "html",
    [
        payload("raw"),
        "<a href=' javascript:alert(1)'>x</a>",
        "<div onclick=alert(1)>x</div>",
        "<script>alert(1)</script>",
        "<meta http-equiv=refresh content='0;url=https://evil.example'>",
        "<svg><animate onbegin=alert(1)></svg>",
        "<iframe srcdoc='x'></iframe>",
    ],
)
def test_reliability_api_page_scan_catches_injections(html: str) -> None:
    """The scanner the crawl relies on is not blind: raw injections are caught."""
    with pytest.raises(AssertionError):
        assert_inert(f"<html><body>{html}</body></html>", "control")


def page_urls(client: TestClient, routes: list[RouteInfo]) -> list[str]:
    """Every HTML page, with every id of the ledger in its path and a payload in every parameter."""
    incidents = client.get("/api/incidents", params={"limit": 500}).json()["items"]
    entities = client.get("/api/entities", params={"limit": 500}).json()["items"]
    documents = client.get("/api/documents", params={"limit": 500}).json()["items"]
    ids = {
        "incident_id": [i["id"] for i in incidents],
        "key": [e["id"] for e in entities] + [e["name"] for e in entities],
        "document_id": [d["id"] for d in documents],
    }
    urls = []
    for route in routes:
        if route.path.startswith(("/api", "/openapi", "/static")) or not route.methods & READ_METHODS:
            continue
        match = re.search(r"\{(\w+)(?::path)?\}", route.path)
        values = ids[match.group(1)] + [payload("path")] if match else [""]
        names = set(route.query) | (set(PAGE_FILTERS) if route.path == "/" else set())
        for value in values:
            path = re.sub(r"\{[^}]+\}", quote(value, safe=""), route.path)
            urls.append(path)
            for name in sorted(names - INTEGER_PARAMS):
                urls.append(f"{path}?{name}={quote(payload('param'), safe='')}")
    return urls


def test_reliability_api_every_field_is_escaped_on_every_page(
    client: TestClient, routes: list[RouteInfo]
) -> None:
    """Crawl every page; each field's payload must show (escaped) somewhere, and run nowhere."""
    incident = client.get("/api/incidents", params={"q": "claimed"}).json()["items"][0]
    event_id = client.get(f"/api/incidents/{incident['id']}").json()["incident"]["timeline"][0]["id"]
    review = {"reason": payload("reason"), "author": payload("author")}
    assert client.post(f"/api/events/{quote(event_id)}/confirm", json=review, headers=AUTH).status_code == 200
    seen: set[str] = set()
    urls = page_urls(client, routes)
    for url in urls:
        response = client.get(url, headers={"Accept": "text/html"})
        assert response.status_code in (200, 404, 422), (url, response.status_code)
        assert response.headers["content-type"].startswith("text/html"), url
        assert_inert(response.text, url)
        seen.update(re.findall(r"F_(\w+)", response.text))
    shown = {*XSS_FIELDS, "reason", "author", "param", "path"} - {"docid", "url"}
    assert shown <= seen, f"fields never shown: {sorted(shown - seen)}"
    assert len(urls) > 50


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        " javascript:alert(1)",
        "\tjavascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "\x01javascript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "//evil.example/x",
        "/relative",
        "",
    ],
)
def test_reliability_api_only_http_urls_become_links(url: str) -> None:
    assert safe_href(url) is None


def test_reliability_api_json_never_renders_as_html(client: TestClient, routes: list[RouteInfo]) -> None:
    for route in routes:
        if route.path.startswith("/api") and route.methods & READ_METHODS:
            response = client.get(fill(route.path, payload("json")), params={"q": payload("json")})
            kind = response.headers["content-type"]
            assert kind.startswith(("application/json", "application/x-ndjson")), (route.path, kind)


# security headers on every route


CSP_DIRECTIVES = ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'")


def assert_security_headers(headers: Any, where: str) -> None:
    csp = headers.get("content-security-policy", "")
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ):
        assert directive in csp, (where, csp)
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert headers.get("x-content-type-options") == "nosniff", where
    assert headers.get("x-frame-options") == "DENY", where
    assert "access-control-allow-origin" not in headers, where  # no cross-origin reads


def test_reliability_api_security_headers_on_every_route(client: TestClient, routes: list[RouteInfo]) -> None:
    checked = 0
    origin = {"Origin": "https://evil.example"}
    for route in routes:
        url = fill(route.path, "x")
        for method in route.methods:
            body = VALID_BODIES.get(route.path)
            for headers in ({**origin}, {**origin, **AUTH}):
                response = client.request(method, url, headers=headers, json=body)
                assert_security_headers(response.headers, f"{method} {url} {response.status_code}")
                checked += 1
    for url in ("/static/app.css", "/static/review.js", "/static/missing.js", "/no-such-page", "/api/nope"):
        assert_security_headers(client.get(url).headers, url)
    assert_security_headers(client.options("/api/incidents", headers=origin).headers, "OPTIONS")
    assert checked >= 2 * len(routes)


# serve binds to loopback


def listening_addresses(port: int) -> set[str]:
    """The local addresses listening on ``port``, from /proc/net/tcp and tcp6."""
    found = set()
    for name in ("tcp", "tcp6"):
        path = Path("/proc/net") / name
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.rsplit(":", 1)
            if state == "0A" and int(port_hex, 16) == port:
                found.add(address)
    return found


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs /proc/net/tcp")
def test_reliability_api_serve_listens_on_loopback_only(db: str, tmp_path: Path) -> None:
    """A real ``threatledger serve`` without --host: its socket is bound to 127.0.0.1, not 0.0.0.0."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = (tmp_path / "serve.log").open("w")
    command = [sys.executable, "-m", "threatledger.cli.main", "serve", "--db", db, "--port", str(port)]
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not listening_addresses(port):
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            assert time.monotonic() < deadline, "serve never listened"
            time.sleep(0.1)
        assert listening_addresses(port) == {"0100007F"}  # 127.0.0.1, little-endian hex
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


# the ledger cache while another process writes


class SlowStore:
    """Counts that change when told; building the index waits until released."""

    def __init__(self) -> None:
        self.documents = 1
        self.release = threading.Event()
        self.builds = 0

    def stats(self) -> Any:
        counts = {"documents": self.documents}
        return type("Stats", (), {"to_dict": lambda _: counts})()

    def export_documents(self) -> Iterator[dict[str, Any]]:
        self.builds += 1
        assert self.release.wait(timeout=10), "the build was never released"
        return iter([])

    def open_cases(self) -> list[Any]:
        return []


@pytest.mark.parametrize("background", [False, True], ids=["reader-builds", "background-builds"])
def test_reliability_api_cache_serves_the_last_index_while_another_process_writes(background: bool) -> None:
    """An ingest in another process changes the counts every few seconds: the index is rebuilt once
    (by a reader, or in the background), the other readers get the last one at once, and /api/stats
    never waits for a build."""
    store = SlowStore()
    cache = LedgerCache(ttl=0, open_store=(lambda: store) if background else None)  # type: ignore[arg-type,return-value]
    store.release.set()
    first = cache.index(store)  # type: ignore[arg-type]
    store.release.clear()
    store.documents = 2  # written by another process
    builder = threading.Thread(target=cache.index, args=(store,))
    builder.start()
    deadline = time.monotonic() + 10
    while store.builds < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.monotonic()
    assert cache.index(store) is first  # type: ignore[arg-type]
    assert cache.stats(store).to_dict() == {"documents": 2}  # type: ignore[arg-type]
    assert time.monotonic() - started < 1
    if background:  # no reader waits at all, not even the one that noticed the change
        builder.join(timeout=5)
        assert not builder.is_alive()
    store.release.set()
    builder.join(timeout=10)
    deadline = time.monotonic() + 10
    while cache.index(store) is first and time.monotonic() < deadline:  # type: ignore[arg-type]
        time.sleep(0.01)
    assert cache.index(store) is not first  # type: ignore[arg-type]
    assert store.builds == 2
    cache.close()


def test_reliability_api_cache_after_a_write_here_readers_wait_for_the_new_index() -> None:
    store, cache = SlowStore(), LedgerCache(ttl=60)
    store.release.set()
    first = cache.index(store)  # type: ignore[arg-type]
    store.documents = 2
    cache.invalidate()  # a write through this app
    assert cache.index(store) is not first  # type: ignore[arg-type]
    assert store.builds == 2


def test_reliability_api_index_keeps_summaries_and_reads_a_document_when_shown(tmp_path: Path) -> None:
    """The server's ledger index holds a summary per document, not its whole record (entities, events,
    incidents), so the server does not grow with every document stored; a document page reads its
    record from the store."""
    from threatledger.api.ledger import build_index
    from threatledger.store.sqlite import SQLiteStore

    db = build_store(tmp_path)
    with SQLiteStore(db) as store:
        index = build_index(store)
        records = {r["doc"]["id"]: r for r in store.export_documents()}
    assert set(index.documents) == set(records)
    for doc_id, summary in index.documents.items():
        assert summary["events"] == len(records[doc_id]["events"])
        assert not any(isinstance(value, list | dict) for value in summary.values())
    client = TestClient(create_app(db))
    doc_id = next(d for d, r in records.items() if r["events"])
    body = client.get(f"/api/documents/{doc_id}").json()
    assert [e["id"] for e in body["events"]] == [e["id"] for e in records[doc_id]["events"]]
    assert client.get("/api/documents/no-such-document").status_code == 404


def _open_sqlite_fds(db: Path) -> int:
    """File descriptors of this process open on ``db`` itself (one per SQLite connection)."""
    fds = Path("/proc/self/fd")
    return sum(1 for fd in fds.iterdir() if _readlink(fd) == str(db))


def _readlink(path: Path) -> str:
    try:
        return str(path.readlink())
    except OSError:
        return ""


def test_reliability_api_store_pool_keeps_a_small_page_cache_per_thread(tmp_path: Path) -> None:
    """Each server thread's SQLite connection caches at most SERVER_CACHE_KIB, not a writer's 64 MiB:
    with ten threads alive, the caches are what a growing ledger added to the soaked server's memory."""
    pool = api_context.StorePool(build_store(tmp_path))
    try:
        (kib,) = pool.get().conn.execute("PRAGMA cache_size").fetchone()
        assert -kib == api_context.SERVER_CACHE_KIB <= 16_384
    finally:
        pool.close_all()


def test_reliability_api_store_pool_closes_the_store_of_an_ended_thread(tmp_path: Path) -> None:
    """The server's worker threads come and go: a store per thread ever run was a connection (and its page
    cache) never closed, the soak's memory growth. A new thread's store replaces the ended ones'."""
    db = Path(build_store(tmp_path))
    pool = api_context.StorePool(str(db))
    got: list[Any] = []
    for _ in range(20):
        worker = threading.Thread(target=lambda: got.append(pool.get()))
        worker.start()
        worker.join()
        assert pool.open_count <= 2  # the one just opened, and the last thread's until the next opens
    assert len({id(store) for store in got}) == 20
    with pytest.raises(sqlite3.ProgrammingError):  # closed
        got[0].conn.execute("SELECT 1")
    got[-1].conn.execute("SELECT 1")  # the newest is open until another thread takes its place
    if Path("/proc/self/fd").is_dir():
        assert _open_sqlite_fds(db) <= 2
    here = pool.get()  # a live thread keeps its store
    assert pool.get() is here
    pool.close_all()
    assert pool.open_count == 0
