"""The Jinja2 environment: autoescape on for every template, undefined names are errors, and filters
that keep untrusted text out of markup (links only to http(s), text cut into plain segments)."""

from __future__ import annotations

from functools import cache
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from threatledger.model import EVENT_TYPES, STATUSES
from threatledger.web import TEMPLATES_DIR

MARK_OPEN, MARK_CLOSE = "\u00ab", "\u00bb"


def safe_href(url: str | None) -> str | None:
    """The URL when it is http(s); anything else (``javascript:``, ``data:``) is never a link."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


def path_part(value: object) -> str:
    """A value quoted for one segment of a URL path."""
    return quote(str(value), safe="")


def with_query(path: str, params: dict[str, Any], **changes: Any) -> str:
    """``path`` with the non-empty ``params`` (updated by ``changes``) as its query string."""
    merged = {**params, **changes}
    query = urlencode({k: v for k, v in merged.items() if v not in (None, "")})
    return f"{path}?{query}" if query else path


def snippet_parts(snippet: str) -> list[tuple[str, bool]]:
    """A search snippet (matches between « and ») as (text, is_match) parts."""
    parts: list[tuple[str, bool]] = []
    for i, chunk in enumerate(snippet.replace(MARK_CLOSE, MARK_OPEN).split(MARK_OPEN)):
        if chunk:
            parts.append((chunk, i % 2 == 1))
    return parts


def sentence_parts(event: dict[str, Any]) -> list[tuple[str, bool]]:
    """An event's sentence as (text, is_trigger) parts."""
    sentence, source = event["sentence"], event["source"]
    start = source["start"] - source["sentence_start"]
    end = source["end"] - source["sentence_start"]
    if not 0 <= start < end <= len(sentence):
        return [(sentence, False)]
    parts = [(sentence[:start], False), (sentence[start:end], True), (sentence[end:], False)]
    return [p for p in parts if p[0]]


@cache
def templates() -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates ship with the package: no stat() per render
    )
    env.filters.update(
        safe_href=safe_href, path_part=path_part, snippet_parts=snippet_parts, sentence_parts=sentence_parts
    )
    env.globals.update(with_query=with_query, EVENT_TYPES=EVENT_TYPES, STATUSES=STATUSES)
    return Jinja2Templates(env=env)


def render_page(
    request: Request, name: str, context: dict[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    """Render ``name`` with ``context``; every page knows whether review is enabled."""
    state = getattr(request.app.state, "threatledger", None)
    full = {"writable": bool(state and state.writable), "path": request.url.path, **context}
    return templates().TemplateResponse(request, name, full, status_code=status_code)
