"""The local test site for the feed, watch and alert tests (no tests here): an HTTP server on 127.0.0.1
that serves pages, feeds and redirects, and records the webhook POSTs it receives. The articles are
fictional, written for these tests."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

ARTICLE_ARREST = (
    "Police arrest courier over plot against exiled broadcaster\n\n"
    "Police in the harbour town of Kestrel Bay arrested Tomas Reiner, a 34-year-old courier, on Tuesday on "
    "suspicion of plotting an attack on the exiled broadcaster Ilse Maren, prosecutors said. "
    "Investigators said Reiner had watched the studio where Maren records her programme for several weeks "
    "and had been paid by the intelligence service of Morvania. "
    "Prosecutors said that Reiner would appear before a judge later this week and that the case was one of "
    "several linked to the same network. "
    "Maren, who left Morvania six years ago, said she was grateful to the police and would keep working."
)
ARTICLE_MARKET = (
    "Harbour market reopens after the winter storms\n\n"
    "The covered market in Kestrel Bay reopened on Saturday after repairs to the roof that was damaged "
    "by the winter storms, the town council said. Traders said that the first weekend was busy and that "
    "they were glad to be back in the old hall. The council said it would also repair the harbour wall "
    "before the summer season and that the work would take about three months."
)


def page_html(text: str) -> str:
    """An article page: a headline, paragraphs, and navigation that trafilatura should drop."""
    title, _, body = text.partition("\n\n")
    paragraphs = "".join(f"<p>{sentence.strip()}.</p>" for sentence in body.split(". ") if sentence.strip())
    return (
        f"<!doctype html><html><head><title>{title}</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/sport'>Sport</a></nav>"
        f"<article><h1>{title}</h1>{paragraphs}</article>"
        "<footer>All rights reserved.</footer></body></html>"
    )


def rss(base: str, items: list[tuple[str, str, str]]) -> str:
    """An RSS 2.0 feed of (title, path, RFC 822 date) items, links relative to ``base``."""
    body = "".join(
        f"<item><title>{title}</title><link>{base}{path}</link><pubDate>{when}</pubDate></item>"
        for title, path, when in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Kestrel Bay Wire</title>'
        f"<link>{base}/</link><description>Test feed</description>{body}</channel></rss>"
    )


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    stream: bool = False  # no Content-Length: the body ends when the connection closes
    delay: float = 0.0  # seconds to wait before answering


@dataclass
class Site:
    """Routes by path; ``posts`` holds the JSON of every POST received, ``hits`` every GET path."""

    base: str = ""
    routes: dict[str, Route] = field(default_factory=dict)
    posts: list[Any] = field(default_factory=list)
    hits: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path

    def page(
        self,
        path: str,
        body: str | bytes,
        *,
        content_type: str = "text/html; charset=utf-8",
        status: int = 200,
        stream: bool = False,
    ) -> str:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = Route(status, data, {"Content-Type": content_type}, stream)
        return self.url(path)

    def redirect(self, path: str, location: str, status: int = 302) -> str:
        self.routes[path] = Route(status, b"", {"Location": location})
        return self.url(path)


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the http.server name)
            site.hits.append(self.path)
            route = site.routes.get(self.path, Route(404, b"not found", {"Content-Type": "text/plain"}))
            time.sleep(route.delay)
            self.send_response(route.status)
            for name, value in route.headers.items():
                self.send_header(name, value)
            if not route.stream:
                self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            self.wfile.write(route.body)
            if route.stream:
                self.close_connection = True

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            site.posts.append(json.loads(self.rfile.read(length) or b"null"))
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

    return Handler


@pytest.fixture
def site() -> Iterator[Site]:
    """A fresh local site on 127.0.0.1 (a free port), shut down after the test."""
    site = Site()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
    server.daemon_threads = True
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def serve_articles(site: Site, articles: dict[str, str]) -> str:
    """Serve each article at its path and an RSS feed of them at /feed.xml; the feed's URL."""
    for path, text in articles.items():
        site.page(path, page_html(text))
    items = [
        (text.split("\n", 1)[0], path, "Tue, 12 Mar 2024 09:00:00 GMT") for path, text in articles.items()
    ]
    return site.page("/feed.xml", rss(site.base, items), content_type="application/rss+xml")
