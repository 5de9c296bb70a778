"""The guarded fetcher against DNS answers: a public-looking name that resolves to a private address,
a redirect to such a name, a name whose second answer differs from the first (DNS rebinding), loopback
spelled in the ways a resolver accepts, and IPv6 forms that embed an IPv4 address; plus a body dripped
slowly enough to dodge the read timeout, and proxy settings in the environment.

``socket.getaddrinfo`` is replaced by a stub that answers for the ``*.example`` names and passes the rest
(numeric addresses) to the real resolver; the only server is on 127.0.0.1. The schemes, literal private
addresses, redirect limits, size limits and a slow server are tested in ``tests/test_feed_fetch.py``.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from threatledger.errors import FetchError
from threatledger.ingest import url as url_module
from threatledger.ingest.url import FetchPolicy, fetch_url, is_public_address

PAGE = b"<html><body><p>Police arrested a courier on Tuesday, prosecutors said.</p></body></html>"


class LocalSite:
    """A server on 127.0.0.1 that records each request's path and Host header."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []
        self.redirects: dict[str, str] = {}
        self.drip_seconds = 0.0
        self.redirect_seconds = 0.0
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 (the http.server name)
                site.requests.append((self.path, self.headers.get("Host", "")))
                site.answer(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        if handler.path in self.redirects:
            time.sleep(self.redirect_seconds)
            handler.send_response(302)
            handler.send_header("Location", self.redirects[handler.path])
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        if handler.path != "/drip":
            handler.send_header("Content-Length", str(len(PAGE)))
            handler.end_headers()
            handler.wfile.write(PAGE)
            return
        handler.end_headers()  # one byte at a time, each well inside the read timeout
        try:
            for byte in PAGE:
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
                time.sleep(self.drip_seconds)
        except (BrokenPipeError, ConnectionResetError):
            pass
        handler.close_connection = True

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"


@pytest.fixture(scope="module")
def site() -> Iterator[LocalSite]:
    local = LocalSite()
    yield local
    local.server.shutdown()
    local.server.server_close()


@pytest.fixture(autouse=True)
def fresh(site: LocalSite) -> None:
    site.requests.clear()
    site.redirects.clear()
    site.redirect_seconds = 0.0


Answers = dict[str, list[str] | Callable[[], list[str]]]


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> tuple[Answers, list[str]]:
    """A resolver stub: ``answers[name]`` (a list, or a function giving one per lookup); the names asked
    are recorded. Other names go to the real resolver (numeric forms only, in these tests)."""
    answers: Answers = {}
    asked: list[str] = []
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in answers:
            return real(host, port, *args, **kwargs)
        asked.append(name)
        found = answers[name]
        addresses = found() if callable(found) else found
        return [
            (
                socket.AF_INET6 if ":" in a else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (a, int(port or 0), 0, 0) if ":" in a else (a, int(port or 0)),
            )
            for a in addresses
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers, asked


@pytest.fixture
def loopback_is_public(monkeypatch: pytest.MonkeyPatch) -> None:
    """127.0.0.1 (only) stands in for a public address, so the local server can play a public site."""
    real = url_module.is_public_address
    monkeypatch.setattr(url_module, "is_public_address", lambda a: a == "127.0.0.1" or real(a))


@pytest.mark.parametrize(
    "addresses",
    [
        ["127.0.0.1"],
        ["10.0.0.7"],
        ["169.254.169.254"],
        ["100.64.1.1"],
        ["0.0.0.0"],
        ["::1"],
        ["fe80::1"],
        ["fd12:3456::1"],
        ["::ffff:127.0.0.1"],
        ["93.184.215.14", "192.168.0.10"],  # one public answer and one private: refused
    ],
)
def test_reliability_fetch_refuses_a_name_that_resolves_private(
    site: LocalSite, dns: tuple[Answers, list[str]], addresses: list[str]
) -> None:
    answers, asked = dns
    answers["news.example"] = addresses
    with pytest.raises(FetchError, match="not public") as caught:
        fetch_url(site.url("/page", host="news.example"))
    assert "--allow-private" in (caught.value.hint or "")
    assert asked == ["news.example"]
    assert site.requests == []  # refused before connecting


def test_reliability_fetch_refuses_a_redirect_to_a_name_that_resolves_private(
    site: LocalSite, dns: tuple[Answers, list[str]], loopback_is_public: None
) -> None:
    answers, asked = dns
    answers["public.example"] = ["127.0.0.1"]
    answers["internal.example"] = ["10.1.2.3"]
    site.redirects["/hop"] = site.url("/admin", host="internal.example")
    with pytest.raises(FetchError, match="internal.example is 10.1.2.3, not public"):
        fetch_url(site.url("/hop", host="public.example"))
    assert [path for path, _ in site.requests] == ["/hop"]
    assert asked == ["public.example", "internal.example"]


def test_reliability_fetch_connects_to_the_address_it_checked(
    site: LocalSite, dns: tuple[Answers, list[str]], loopback_is_public: None
) -> None:
    """DNS rebinding: the first answer is public, every later one private. The fetcher asks once per
    hop and connects to the address it checked, sending the name in the Host header."""
    answers, asked = dns
    lookups = iter([["127.0.0.1"]])
    answers["rebind.example"] = lambda: next(lookups, ["10.9.9.9"])
    fetched = fetch_url(site.url("/page", host="rebind.example"))
    assert fetched.content == PAGE
    assert asked == ["rebind.example"]
    assert site.requests == [("/page", f"rebind.example:{site.port}")]


@pytest.mark.parametrize(
    "url",
    [
        "http://2130706433/",
        "http://0x7f000001/",
        "http://0177.0.0.1/",
        "http://127.1/",
        "http://0/",
        "http://[::ffff:7f00:1]/",
        "http://[0:0:0:0:0:ffff:127.0.0.1]/",
        "http://[fe80::1%25eth0]/",
        "http://user:secret@127.0.0.1/",
    ],
)
def test_reliability_fetch_refuses_loopback_however_spelled(url: str) -> None:
    """Spellings a resolver turns into a private address (resolved locally, no network)."""
    with pytest.raises(FetchError, match="not public|cannot resolve"):
        fetch_url(url)


@pytest.mark.parametrize(
    "address", ["64:ff9b::a9fe:a9fe", "2002:a9fe:a9fe::1", "::a9fe:a9fe", "64:ff9b::a00:1"]
)
def test_reliability_fetch_refuses_ipv6_that_embeds_a_private_ipv4(address: str) -> None:
    assert not is_public_address(address)


def test_reliability_fetch_public_addresses_pass() -> None:
    for address in ("93.184.215.14", "1.1.1.1", "2606:4700:4700::1111"):
        assert is_public_address(address)


def test_reliability_fetch_has_a_deadline_for_the_whole_body(site: LocalSite) -> None:
    site.drip_seconds = 0.02  # 87 bytes: ~1.8 s in all, each byte far inside the 0.5 s read timeout
    started = time.monotonic()
    with pytest.raises(FetchError, match="took longer than 0.75 s"):
        fetch_url(site.url("/drip"), policy=FetchPolicy(allow_private=True, timeout=0.5, deadline=0.75))
    assert time.monotonic() - started < 1.25


def test_reliability_fetch_deadline_comes_from_the_setting(
    site: LocalSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("THREATLEDGER_FETCH_DEADLINE", raising=False)
    assert FetchPolicy().total_seconds == 15.0  # the documented default
    monkeypatch.setenv("THREATLEDGER_FETCH_DEADLINE", "0.75")
    site.drip_seconds = 0.02
    started = time.monotonic()
    with pytest.raises(FetchError, match="took longer than 0.75 s") as raised:
        fetch_url(site.url("/drip"), policy=FetchPolicy(allow_private=True, timeout=0.5))
    assert time.monotonic() - started < 1.25
    assert "THREATLEDGER_FETCH_DEADLINE" in (raised.value.hint or "")


def test_reliability_fetch_deadline_counts_the_redirects(site: LocalSite) -> None:
    """Slow redirects, each inside the read timeout: the deadline stops the chain before the next hop."""
    site.redirect_seconds = 0.25
    site.redirects.update({f"/hop{n}": f"/hop{n + 1}" for n in range(1, 5)} | {"/hop5": "/page"})
    with pytest.raises(FetchError, match="took longer than 0.6 s"):
        fetch_url(site.url("/hop1"), policy=FetchPolicy(allow_private=True, timeout=2, deadline=0.6))
    paths = [path for path, _ in site.requests]
    assert paths == ["/hop1", "/hop2", "/hop3"]  # the fourth hop is never asked for, nor the page


def test_reliability_fetch_ignores_proxy_settings(site: LocalSite, monkeypatch: pytest.MonkeyPatch) -> None:
    """A proxy in the environment would see (and could answer) every fetch: it is not used."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    fetched = fetch_url(site.url("/page"), policy=FetchPolicy(allow_private=True))
    assert fetched.content == PAGE
    assert site.requests == [("/page", f"127.0.0.1:{site.port}")]


@pytest.fixture
def unanswering_port() -> Iterator[int]:
    """A port whose accept queue is full: a new connection is never answered (as for an address that
    drops packets), so the connect itself has to time out."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    queued = []
    for _ in range(4):
        waiting = socket.socket()
        waiting.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            waiting.connect(("127.0.0.1", port))
        queued.append(waiting)
    time.sleep(0.1)
    probe = socket.socket()
    probe.settimeout(0.3)
    try:
        probe.connect(("127.0.0.1", port))
        pytest.skip("this system answers connections beyond a full accept queue")
    except OSError:
        pass
    finally:
        probe.close()
    try:
        yield port
    finally:
        for waiting in queued:
            waiting.close()
        server.close()


def test_reliability_fetch_connect_timeout_is_a_clear_error(unanswering_port: int) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError) as raised:
        fetch_url(
            f"http://127.0.0.1:{unanswering_port}/page",
            policy=FetchPolicy(allow_private=True, timeout=0.5, deadline=5),
        )
    assert time.monotonic() - started < 2.0  # the connect timeout, not the deadline
    assert f"127.0.0.1:{unanswering_port}" in str(raised.value)
    assert "did not accept a connection within 0.5 s" in str(raised.value)
    assert "try again later" in (raised.value.hint or "")
