"""The guarded fetcher and the feed reader, against a local site on 127.0.0.1 (never the network):
pages and feeds are read; private addresses, other schemes, oversized bodies, redirect loops and slow
servers are refused."""

from __future__ import annotations

import importlib.util
import zlib
from datetime import date
from pathlib import Path

import pytest

from test_feed_support import ARTICLE_ARREST, ARTICLE_MARKET, Route, Site, page_html, serve_articles, site
from threatledger.errors import BinaryInputError, FetchError, ParseError, TooLargeError
from threatledger.ingest import DocumentFailure
from threatledger.ingest import url as url_module
from threatledger.ingest.feed import fetch_feed, parse_feed, read_feed_list
from threatledger.ingest.url import FetchPolicy, fetch_document, fetch_url, read_locations
from threatledger.model import Document

__all__ = ["site"]  # the fixture, imported from the support module
LOCAL = FetchPolicy(allow_private=True)
needs_feedparser = pytest.mark.skipif(importlib.util.find_spec("feedparser") is None, reason="feedparser")


def test_feed_fetch_document_reads_the_main_text(site: Site) -> None:
    url = site.page("/news/courier", page_html(ARTICLE_ARREST))
    document = fetch_document(url, allow_private=True, published=date(2024, 3, 12))
    assert "arrested Tomas Reiner, a 34-year-old courier" in document.text
    assert "All rights reserved" not in document.text
    assert document.title == "Police arrest courier over plot against exiled broadcaster"
    assert (document.url, document.source, document.published) == (url, url, date(2024, 3, 12))


def test_feed_fetch_plain_text_takes_its_first_line_as_title(site: Site) -> None:
    url = site.page("/market.txt", ARTICLE_MARKET, content_type="text/plain; charset=utf-8")
    document = fetch_document(url, allow_private=True)
    assert document.title == "Harbour market reopens after the winter storms"
    assert document.text.startswith("Harbour market")


def test_feed_fetch_refuses_loopback_without_the_flag(site: Site) -> None:
    url = site.page("/news/courier", page_html(ARTICLE_ARREST))
    with pytest.raises(FetchError, match="not public") as caught:
        fetch_document(url)
    assert "--allow-private" in (caught.value.hint or "")
    assert site.hits == []  # refused before connecting


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:9/",
        "http://10.1.2.3/",
        "http://172.16.0.1/",
        "http://192.168.1.1/admin",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/",
        "http://0.0.0.0/",
        "http://[::1]/",
        "http://[fe80::1]/",
        "http://[fd00::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[64:ff9b::a9fe:a9fe]/",
        "http://[2002:a9fe:a9fe::1]/",
        "http://[::a9fe:a9fe]/",
        "https://127.0.0.1:8443/",
    ],
)
def test_feed_fetch_refuses_private_addresses(url: str) -> None:
    with pytest.raises(FetchError, match="not public"):
        fetch_url(url)


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://files.example/a.txt", "gopher://old.example/", "data:text/html,hi", "//x"],
)
def test_feed_fetch_refuses_other_schemes(url: str) -> None:
    with pytest.raises(FetchError, match="scheme"):
        fetch_url(url, policy=LOCAL)


def test_feed_fetch_refuses_a_redirect_to_another_scheme(site: Site) -> None:
    url = site.redirect("/go", "file:///etc/passwd")
    with pytest.raises(FetchError, match="scheme 'file'"):
        fetch_url(url, policy=LOCAL)


def test_feed_fetch_checks_the_address_after_every_redirect(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """127.0.0.1 stands in for a public address here; the redirect's 127.0.0.2 must still be refused."""
    monkeypatch.setattr(url_module, "is_public_address", lambda address: address == "127.0.0.1")
    port = site.base.rsplit(":", 1)[1]
    url = site.redirect("/hop", f"http://127.0.0.2:{port}/news/courier")
    with pytest.raises(FetchError, match="127.0.0.2"):
        fetch_url(url)
    assert site.hits == ["/hop"]


def test_feed_fetch_follows_five_redirects_and_refuses_a_sixth(site: Site) -> None:
    site.page("/end", page_html(ARTICLE_ARREST))
    for hop in range(6):
        site.redirect(f"/r{hop}", "/end" if hop == 5 else f"/r{hop + 1}")
    assert fetch_url(site.url("/r1"), policy=LOCAL).url == site.url("/end")  # five redirects
    with pytest.raises(FetchError, match="redirects more than 5 times"):
        fetch_url(site.url("/r0"), policy=LOCAL)


def test_feed_fetch_refuses_a_redirect_loop(site: Site) -> None:
    site.redirect("/a", "/b")
    site.redirect("/b", "/a")
    with pytest.raises(FetchError, match="redirects"):
        fetch_url(site.url("/a"), policy=LOCAL)


@pytest.mark.parametrize("stream", [False, True], ids=["declared", "streamed"])
def test_feed_fetch_refuses_an_oversized_body(site: Site, stream: bool) -> None:
    url = site.page("/big", "<p>" + "word " * 2000 + "</p>", stream=stream)
    with pytest.raises(TooLargeError, match="limit is 1,000 bytes"):
        fetch_url(url, policy=FetchPolicy(allow_private=True, max_bytes=1000))


def test_feed_fetch_times_out_on_a_slow_server(site: Site) -> None:
    site.routes["/slow"] = Route(200, b"<p>late</p>", {"Content-Type": "text/html"}, delay=2.0)
    with pytest.raises(FetchError, match="cannot fetch"):
        fetch_url(site.url("/slow"), policy=FetchPolicy(allow_private=True, timeout=0.3))


def test_feed_fetch_reports_http_errors(site: Site) -> None:
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch_document(site.url("/missing"), allow_private=True)


def test_feed_fetch_refuses_documents_that_are_not_pages(site: Site) -> None:
    url = site.page("/report.pdf", b"%PDF-1.7 ...", content_type="application/pdf")
    with pytest.raises(ParseError, match="application/pdf"):
        fetch_document(url, allow_private=True)


@needs_feedparser
def test_feed_fetch_reads_an_rss_feed(site: Site) -> None:
    feed = serve_articles(site, {"/news/courier": ARTICLE_ARREST, "/news/market": ARTICLE_MARKET})
    entries = fetch_feed(feed, policy=LOCAL)
    assert [e.url for e in entries] == [site.url("/news/courier"), site.url("/news/market")]
    assert entries[0].title == "Police arrest courier over plot against exiled broadcaster"
    assert entries[0].published == date(2024, 3, 12)


@needs_feedparser
def test_feed_fetch_reads_atom_with_relative_links() -> None:
    atom = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>'
        '<entry><title>One</title><link rel="alternate" href="/a/1"/><updated>2024-05-02T10:00:00Z</updated>'
        "</entry></feed>"
    )
    [entry] = parse_feed(atom.encode(), base_url="https://wire.example/feeds/atom.xml")
    assert (entry.url, entry.title, entry.published) == ("https://wire.example/a/1", "One", date(2024, 5, 2))


@needs_feedparser
def test_feed_fetch_rejects_a_page_that_is_not_a_feed() -> None:
    with pytest.raises(ParseError, match="cannot read the feed"):
        parse_feed(b"<html><body><p>Home page</p></body></html>", base_url="https://wire.example/")


def test_feed_fetch_reads_the_feed_list(tmp_path: Path) -> None:
    path = tmp_path / "feeds.txt"
    path.write_text("# wires\nhttps://a.example/rss\n\n  https://b.example/atom#x  \nhttps://a.example/rss\n")
    assert read_feed_list(path) == ["https://a.example/rss", "https://b.example/atom#x"]
    path.write_text("feeds.example/rss\n")
    with pytest.raises(ParseError, match="not an http"):
        read_feed_list(path)


def test_feed_fetch_read_locations_mixes_urls_and_files(site: Site, tmp_path: Path) -> None:
    (tmp_path / "market.txt").write_text(ARTICLE_MARKET, encoding="utf-8")
    url = site.page("/news/courier", page_html(ARTICLE_ARREST))
    local, remote = read_locations([str(tmp_path / "market.txt"), url])
    assert isinstance(local, Document)
    assert local.id == "market"
    assert isinstance(remote, DocumentFailure)
    assert isinstance(remote.error, FetchError)
    [fetched] = read_locations([url], allow_private=True)
    assert isinstance(fetched, Document)
    assert fetched.url == url


@pytest.mark.parametrize("coding", ["gzip", "deflate", "gzip, gzip"])
def test_feed_fetch_undoes_content_codings(site: Site, coding: str) -> None:
    body = page_html(ARTICLE_ARREST).encode("utf-8")
    for name in reversed([c.strip() for c in coding.split(",")]):
        body = zlib.compress(body, 9, wbits=31 if name == "gzip" else 15)
    headers = {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": coding}
    site.routes["/coded"] = Route(200, body, headers)
    document = fetch_document(site.url("/coded"), allow_private=True)
    assert "arrested Tomas Reiner" in document.text


def test_feed_fetch_refuses_unknown_codings(site: Site) -> None:
    site.routes["/br"] = Route(200, b"xx", {"Content-Type": "text/html", "Content-Encoding": "br"})
    with pytest.raises(FetchError, match="unsupported content coding"):
        fetch_url(site.url("/br"), policy=LOCAL)


def test_feed_fetch_refuses_binary_served_as_html(site: Site) -> None:
    url = site.page("/x.html", bytes(range(256)) * 8, content_type="text/html")
    with pytest.raises(BinaryInputError, match="binary data"):
        fetch_document(url, allow_private=True)


@needs_feedparser
def test_feed_fetch_feedparser_failures_are_parse_errors() -> None:
    content = b'<rss version="2.0"><channel><title>W</title><item><title>&#x110000;</title>'
    content += b"<link>https://wire.example/a/1</link></item></channel></rss>"
    with pytest.raises(ParseError, match="cannot read the feed"):
        parse_feed(content, base_url="https://wire.example/")
