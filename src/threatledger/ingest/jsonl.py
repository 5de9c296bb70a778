"""JSON Lines: one document per line, with ``id``, ``text`` or ``html``, ``title``, ``url``,
``published`` and ``outlet``. A bad line becomes a DocumentFailure and reading goes on."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, Protocol

from threatledger.errors import IngestError, ParseError
from threatledger.ingest.base import DocumentFailure, ReadResult
from threatledger.ingest.document import (
    ReadOptions,
    attempt,
    document_from_html,
    document_from_text,
    too_large,
)
from threatledger.ingest.meta import metadata_from_mapping
from threatledger.ingest.text import decode_text, normalise_text
from threatledger.model import Document

DRAIN_BYTES = 1 << 20
RECORD_HINT = 'write one JSON object per line, e.g. {"id": "a1", "text": "..."}'


class LineReader(Protocol):
    def readline(self, limit: int, /) -> bytes: ...


def read_jsonl(stream: LineReader, *, source: str, options: ReadOptions) -> Iterator[ReadResult]:
    """One Document or DocumentFailure per non-blank line; ``source:LINE`` names each."""
    for number, line in enumerate(_lines(stream, options.max_bytes), start=1):
        line_source = f"{source}:{number}"
        if line is None:
            yield DocumentFailure(line_source, too_large(line_source, None, options.max_bytes))
        elif line.strip():
            yield _read_line(line, source=line_source, options=options)


def _lines(stream: LineReader, max_bytes: int) -> Iterator[bytes | None]:
    """The stream's lines without their line ends; None for a line over ``max_bytes``."""
    while line := stream.readline(max_bytes + 2):
        content = line.removesuffix(b"\n")
        if len(content) <= max_bytes:
            yield content
            continue
        while line and not line.endswith(b"\n"):
            line = stream.readline(DRAIN_BYTES)
        yield None


def _read_line(line: bytes, *, source: str, options: ReadOptions) -> ReadResult:
    try:
        record = _parse_record(line, source=source)
    except IngestError as exc:
        return DocumentFailure(source=source, error=exc)
    raw_id = record.get("id")
    document_id = str(raw_id) if isinstance(raw_id, str | int) and raw_id != "" else None
    return attempt(source, document_id, lambda: _record_document(record, source=source, options=options))


def _parse_record(line: bytes, *, source: str) -> dict[str, Any]:
    text = decode_text(line, source=source)
    try:
        record = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ParseError(f"cannot parse {source}: not valid JSON ({exc})", hint=RECORD_HINT) from exc
    if not isinstance(record, dict):
        raise ParseError(f"cannot parse {source}: not a JSON object", hint=RECORD_HINT)
    return record


def _record_document(record: dict[str, Any], *, source: str, options: ReadOptions) -> Document:
    meta = metadata_from_mapping(record, source=source)
    text, html = record.get("text"), record.get("html")
    for name, value in (("text", text), ("html", html)):
        if value is not None and not isinstance(value, str):
            raise ParseError(f"{source}: the field {name!r} must be a string", hint=RECORD_HINT)
    if isinstance(html, str) and not (isinstance(text, str) and text.strip()):
        return document_from_html(html, meta, source=source, options=options)
    if isinstance(text, str):
        return document_from_text(normalise_text(text), meta, source=source, options=options)
    raise ParseError(f"{source} has neither a 'text' nor an 'html' field", hint=RECORD_HINT)
