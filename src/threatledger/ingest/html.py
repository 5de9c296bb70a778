"""The main text and metadata of an HTML page, via trafilatura."""

from __future__ import annotations

import re
from datetime import date

import trafilatura

from threatledger.errors import EmptyDocumentError, ParseError
from threatledger.ingest.meta import Metadata, parse_published
from threatledger.ingest.text import normalise_text

_PAGE_TAG = re.compile(r"<(?:html|body)[\s>/]", re.IGNORECASE)


def extract_html(html: str, *, source: str) -> tuple[str, Metadata]:
    """The page's main text and its own metadata (title, date, url, site name as outlet)."""
    page = html if _PAGE_TAG.search(html) else f"<html><body>{html}</body></html>"
    try:
        text = trafilatura.extract(page, favor_precision=False, include_comments=False)
        found = trafilatura.extract_metadata(page, date_config=_date_config())
    except Exception as exc:  # a third-party parser on arbitrary input: any failure is a parse error
        raise ParseError(
            f"cannot parse the HTML of {source}: {exc}",
            hint="check that the input is an HTML page, or pass its text as .txt",
        ) from exc
    if not text or not text.strip():
        raise EmptyDocumentError(
            f"found no article text in the HTML of {source}",
            hint="check that the page is an article, or pass its text as .txt",
        )
    published = parse_published(found.date) if isinstance(found.date, str) else None
    return normalise_text(text), Metadata(
        title=_clean(found.title), url=_clean(found.url), published=published, outlet=_clean(found.sitename)
    )


def _date_config() -> dict[str, object]:
    """Read the date from the page's markup only, never guess it from the article's text."""
    return {"original_date": True, "extensive_search": False, "max_date": date.today().isoformat()}


def _clean(value: object) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None
