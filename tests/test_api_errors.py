"""One JSON error shape for every route, and the security headers on every response."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api_helpers import AUTH, TOKEN, build_store
from threatledger.api import create_app
from threatledger.api.errors import status_of
from threatledger.errors import StoreError

ERROR_KEYS = {"ok", "error", "code", "status"}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return build_store(tmp_path_factory.mktemp("api-errors"))


@pytest.fixture(scope="module")
def client(db: str) -> Iterator[TestClient]:
    with TestClient(create_app(db, token=TOKEN), raise_server_exceptions=False) as test_client:
        yield test_client


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The one error shape: ok false, a message, an E-code, the status repeated."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert set(body) >= ERROR_KEYS
    assert set(body) <= ERROR_KEYS | {"hint", "detail"}
    assert body["ok"] is False
    assert body["status"] == status
    assert isinstance(body["error"], str)
    assert body["error"]
    assert body["code"].startswith("E")
    assert body["code"][1:].isdigit()
    assert len(body["code"]) == 4
    if code is not None:
        assert body["code"] == code
    return body


@pytest.mark.parametrize(
    "url",
    [
        "/api/no-such-route",
        "/api/incidents/inc_missing",
        "/api/entities/Nobody%20Known",
        "/api/documents/no-such-doc",
        "/api/graph?incident=inc_missing",
        "/api/graph?entity=ent_missing",
        "/incidents/inc_missing",
        "/entities/Nobody",
        "/documents/missing",
        "/static/missing.js",
        "/no-such-page",
    ],
)
def test_api_error_shape_on_404(client: TestClient, url: str) -> None:
    assert_error(client.get(url), 404, "E604")


@pytest.mark.parametrize(
    "url",
    [
        "/api/incidents?type=NOT_A_TYPE",
        "/api/incidents?status=rumoured",
        "/api/incidents?from=last-week",
        "/api/incidents?to=2024-13-45x",
        "/api/incidents?limit=0",
        "/api/incidents?limit=abc",
        "/api/incidents?offset=-1",
        "/api/incidents?actor=" + "x" * 201,
        "/api/search",
        "/api/search?q=%20%2B%2B%20",
        "/api/search?limit=9999&q=x",
        "/api/documents/ostend-charge?start=-5",
        "/api/entities?limit=100000",
        "/api/graph?limit=0",
        "/api/audit?limit=0",
        "/documents/ostend-charge?start=abc",
    ],
)
def test_api_error_shape_on_422(client: TestClient, url: str) -> None:
    assert_error(client.get(url), 422, "E622")


WRITES = [
    ("/api/ingest", {"text": "Gunmen attacked a bus."}),
    ("/api/events/ev_x/confirm", {"reason": "seen"}),
    ("/api/events/ev_x/reject", {"reason": "seen"}),
    ("/api/events/ev_x/correct", {"reason": "seen", "field": "date", "value": "2024"}),
    ("/api/incidents/merge", {"reason": "same", "source_id": "a", "target_id": "b"}),
    ("/api/entities/merge", {"reason": "same", "source_id": "a", "target_id": "b"}),
]


@pytest.mark.parametrize(("url", "body"), WRITES)
@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}, {"Authorization": "Basic x"}]
)
def test_api_error_shape_on_401(
    client: TestClient, url: str, body: dict[str, Any], headers: dict[str, str]
) -> None:
    response = client.post(url, json=body, headers=headers)
    assert_error(response, 401, "E601")
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(("url", "body"), WRITES)
def test_api_writes_are_refused_without_a_configured_token(db: str, url: str, body: dict[str, Any]) -> None:
    with TestClient(create_app(db)) as client:
        assert_error(client.post(url, json=body, headers=AUTH), 403, "E603")
        assert client.get("/api/health").json()["writable"] is False
        assert client.get("/api/incidents").status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"reason": ""},
        {"reason": "ok", "unknown": 1},
        {"reason": "x" * 2001},
    ],
)
def test_api_error_shape_on_bad_body(client: TestClient, body: dict[str, Any]) -> None:
    assert_error(client.post("/api/events/ev_x/confirm", json=body, headers=AUTH), 422, "E622")


def test_api_error_shape_on_bad_json(client: TestClient) -> None:
    response = client.post(
        "/api/ingest", content=b"{not json", headers={**AUTH, "Content-Type": "application/json"}
    )
    assert_error(response, 422, "E622")


def test_api_error_shape_on_405(client: TestClient) -> None:
    assert_error(client.delete("/api/incidents"), 405, "E605")
    assert_error(client.get("/api/ingest"), 405, "E605")


def test_api_error_shape_on_413(client: TestClient) -> None:
    huge = b"x" * (client.app.state.threatledger.max_document_bytes * 2 + 70_000)  # type: ignore[attr-defined]
    response = client.post("/api/ingest", content=huge, headers={**AUTH, "Content-Type": "application/json"})
    assert_error(response, 413, "E613")


def test_api_error_shape_on_500(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    state = client.app.state.threatledger  # type: ignore[attr-defined]

    def broken() -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(state, "store", broken)
    body = assert_error(client.get("/api/stats"), 500, "E650")
    assert "disk on fire" not in body["error"]
    assert_error(client.get("/"), 500, "E650")


def test_api_store_failure_is_a_store_error(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    state = client.app.state.threatledger  # type: ignore[attr-defined]

    def locked() -> None:
        raise StoreError("the store x.db is locked by another process (database is locked)", hint="Retry.")

    monkeypatch.setattr(state, "store", locked)
    assert_error(client.get("/api/stats"), 503, "E400")


@pytest.mark.parametrize(
    ("message", "status"),
    [("no incident 'x'", 404), ("the store a.db failed: boom", 500), ("the store a is locked by b", 503)],
)
def test_api_status_of_store_errors(message: str, status: int) -> None:
    assert status_of(StoreError(message)) == status


def test_api_browser_gets_errors_as_pages(client: TestClient) -> None:
    response = client.get("/incidents/inc_missing", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "E604" in response.text
    api = client.get("/api/incidents/inc_missing", headers={"Accept": "text/html"})
    assert_error(api, 404, "E604")  # the API always answers JSON


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/api/incidents",
        "/api/incidents/inc_missing",
        "/api/incidents?limit=0",
        "/openapi.json",
        "/static/app.css",
        "/static/vendor/cytoscape/cytoscape.min.js",
        "/graph",
        "/no-such-page",
    ],
)
def test_api_security_headers_on_every_response(client: TestClient, url: str) -> None:
    headers = client.get(url).headers
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-frame-options"] == "DENY"


def test_api_security_headers_on_500(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    state = client.app.state.threatledger  # type: ignore[attr-defined]
    monkeypatch.setattr(state, "index", lambda: 1 / 0)
    response = client.get("/api/graph")
    assert response.status_code == 500
    assert response.headers["x-content-type-options"] == "nosniff"


def test_api_missing_store_fails_at_start(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store"):
        create_app(str(tmp_path / "absent.db"))
