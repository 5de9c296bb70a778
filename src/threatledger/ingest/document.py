"""Build a checked :class:`~threatledger.model.Document` from text or HTML and its metadata."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from threatledger.errors import EmptyDocumentError, IngestError, TooLargeError
from threatledger.ingest.base import DocumentFailure, ReadResult
from threatledger.ingest.html import extract_html
from threatledger.ingest.meta import Metadata
from threatledger.ingest.text import EMPTY_HINT, check_text
from threatledger.model import Document, content_id

SIZE_HINT = "split the input, or raise the limit with THREATLEDGER_MAX_DOCUMENT_BYTES"


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """Options every reader shares: the fallback publication date and the size limit in bytes."""

    published: date | None
    max_bytes: int


def document_from_text(text: str, meta: Metadata, *, source: str, options: ReadOptions) -> Document:
    """A Document for checked text; without an id in ``meta`` the id is derived from the text."""
    check_text(text, source=source)
    document_id = meta.id or content_id("doc", hashlib.sha256(text.encode("utf-8")).hexdigest())
    return Document(
        id=document_id,
        text=text,
        title=meta.title,
        url=meta.url,
        published=meta.published or options.published,
        outlet=meta.outlet,
        source=source,
    )


def document_from_html(html: str, meta: Metadata, *, source: str, options: ReadOptions) -> Document:
    """A Document for the main text of an HTML page; ``meta`` wins over the page's own metadata."""
    if not html.strip():
        raise EmptyDocumentError(f"{source} has no text", hint=EMPTY_HINT)
    text, page = extract_html(html, source=source)
    return document_from_text(text, meta.merged_over(page), source=source, options=options)


def too_large(source: str, size: int | None, max_bytes: int) -> TooLargeError:
    """The error for an input over the size limit (``size`` None when only the excess is known)."""
    detail = f"is {size:,} bytes" if size is not None else "is larger than the limit"
    return TooLargeError(f"{source} {detail}; the limit is {max_bytes:,} bytes", hint=SIZE_HINT)


def attempt(source: str, document_id: str | None, build: Callable[[], Document]) -> ReadResult:
    """Run ``build``; an IngestError becomes a DocumentFailure naming the source and id."""
    try:
        return build()
    except IngestError as exc:
        return DocumentFailure(source=source, error=exc, document_id=document_id)
