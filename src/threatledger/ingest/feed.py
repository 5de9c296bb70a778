"""RSS and Atom feeds: the articles a feed links to, via feedparser.

A feed is fetched under the same policy as a page (see :mod:`threatledger.ingest.url`); its entries'
links are made absolute against the feed's final URL. feedparser is imported only when a feed is read.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from threatledger.errors import InputNotFoundError, ParseError
from threatledger.ingest.url import FetchPolicy, fetch_url, is_url

__all__ = ["FeedEntry", "fetch_feed", "parse_feed", "read_feed_list"]

FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item of a feed: the article's URL, and its title and date as the feed gives them."""

    url: str
    title: str | None = None
    published: date | None = None


def fetch_feed(url: str, *, policy: FetchPolicy | None = None) -> list[FeedEntry]:
    """Fetch the feed at ``url`` and return its entries, in the feed's order."""
    fetched = fetch_url(url, policy=policy, accept=FEED_ACCEPT)
    return parse_feed(fetched.content, base_url=fetched.url, source=url)


def parse_feed(content: bytes, *, base_url: str, source: str | None = None) -> list[FeedEntry]:
    """The entries of an RSS or Atom document; a document with no entries that is not a feed is an error."""
    import feedparser

    try:
        parsed = feedparser.parse(content, response_headers={"content-location": base_url})
    except Exception as exc:  # feedparser on hostile input fails in many ways (ValueError from chr(), ...)
        raise ParseError(
            f"cannot read the feed {source or base_url}: {type(exc).__name__}: {exc}",
            hint="check that the URL is an RSS or Atom feed",
        ) from exc
    entries = list(_entries(parsed.entries, base_url))
    if not entries and (parsed.bozo or not parsed.get("version")):
        reason = parsed.get("bozo_exception") or "no RSS or Atom entries"
        raise ParseError(
            f"cannot read the feed {source or base_url}: {reason}",
            hint="check that the URL is an RSS or Atom feed, not the site's home page",
        )
    return entries


def _entries(items: Iterable[Mapping[str, Any]], base_url: str) -> Iterable[FeedEntry]:
    seen: set[str] = set()
    for item in items:
        link = item.get("link") or _first_link(item)
        if not isinstance(link, str) or not link.strip():
            continue
        url = urljoin(base_url, link.strip())
        if url in seen or not is_url(url):
            continue
        seen.add(url)
        title = item.get("title")
        clean_title = (title.strip() or None) if isinstance(title, str) else None
        yield FeedEntry(url=url, title=clean_title, published=_entry_date(item))


def _first_link(item: Mapping[str, Any]) -> str | None:
    for link in item.get("links") or ():
        href = link.get("href") if isinstance(link, Mapping) else None
        if isinstance(href, str) and link.get("rel", "alternate") == "alternate":
            return href
    return None


def _entry_date(item: Mapping[str, Any]) -> date | None:
    for key in ("published_parsed", "updated_parsed"):
        value = item.get(key)
        if isinstance(value, time.struct_time):
            return date(value.tm_year, value.tm_mon, value.tm_mday)
    return None


def read_feed_list(path: str | Path) -> list[str]:
    """The feed URLs of a FEEDS.txt file: one per line; blank lines and ``#`` comments are skipped."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputNotFoundError(
            f"cannot read the feed list {path}: {exc.strerror or exc}",
            hint="write one feed URL per line in a text file",
        ) from exc
    feeds = [line.strip() for line in lines if not line.strip().startswith("#")]
    bad = [feed for feed in feeds if feed and not is_url(feed)]
    if bad:
        raise ParseError(
            f"{path}: {bad[0]!r} is not an http(s) URL", hint="write one http:// or https:// URL per line"
        )
    return list(dict.fromkeys(feed for feed in feeds if feed))
