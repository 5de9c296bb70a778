"""Rows in and out of a batch: an input record becomes a Document, an Extraction becomes a result row.

An input record is a JSON object as in JSON Lines input (``id``, ``text`` or ``html``, ``title``,
``url``, ``published``, ``outlet``). A result row is one document: its ``id``, the ``source`` it was
read from, the whole ``extraction`` as JSON (document text included, see
:func:`threatledger.export.ledger_jsonl.extraction_to_dict`) and the ``error`` as JSON, one of the two
being null. One bad record never stops a batch: it becomes a row with an error.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import Any

from threatledger.errors import ExtractionError, ParseError, ThreatledgerError
from threatledger.ingest.base import DocumentFailure, ReadResult
from threatledger.ingest.document import (
    ReadOptions,
    attempt,
    document_from_html,
    document_from_text,
    too_large,
)
from threatledger.ingest.meta import metadata_from_mapping
from threatledger.ingest.text import normalise_text
from threatledger.model import Document, Extraction

RESULT_COLUMNS = ("id", "source", "extraction", "error")
RECORD_HINT = 'write one JSON object per line, e.g. {"id": "a1", "text": "..."}'

Row = dict[str, str | None]


def document_from_line(line: str | bytes, *, source: str, max_bytes: int) -> ReadResult:
    """A Document for one JSON Lines record, or the DocumentFailure that says why not."""
    size = len(line.encode("utf-8") if isinstance(line, str) else line)
    if size > max_bytes:
        return DocumentFailure(source, too_large(source, size, max_bytes))
    try:
        record = json.loads(line)
    except (ValueError, RecursionError) as exc:
        return DocumentFailure(
            source, ParseError(f"cannot parse {source}: not valid JSON ({exc})", hint=RECORD_HINT)
        )
    if not isinstance(record, dict):
        return DocumentFailure(
            source, ParseError(f"cannot parse {source}: not a JSON object", hint=RECORD_HINT)
        )
    return document_from_record(record, source=source, max_bytes=max_bytes)


def document_from_record(record: Mapping[str, Any], *, source: str, max_bytes: int) -> ReadResult:
    """A Document for one record (a JSON object, or a Parquet row whose dates may be date objects)."""
    plain = {key: _plain(value) for key, value in record.items()}
    raw_id = plain.get("id")
    document_id = str(raw_id) if isinstance(raw_id, str | int) and raw_id != "" else None
    options = ReadOptions(published=None, max_bytes=max_bytes)
    return attempt(source, document_id, lambda: _record_document(plain, source=source, options=options))


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


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


def extraction_row(extraction: Extraction) -> Row:
    """The result row of one document's extraction (an extraction with an error keeps only the error)."""
    from threatledger.export.ledger_jsonl import extraction_to_dict

    document = extraction.document
    if extraction.error is not None:
        return _row(document.id, document.source, None, extraction.error)
    payload = json.dumps(extraction_to_dict(extraction), ensure_ascii=False)
    return _row(document.id, document.source, payload, None)


def failure_row(failure: DocumentFailure) -> Row:
    """The result row of an input that could not be read."""
    return _row(failure.document_id or failure.source, failure.source, None, failure.error.to_dict())


def _row(document_id: str, source: str | None, extraction: str | None, error: dict[str, str] | None) -> Row:
    text = json.dumps(error, ensure_ascii=False, sort_keys=True) if error is not None else None
    return {"id": document_id, "source": source, "extraction": extraction, "error": text}


def extract_rows(results: Iterable[ReadResult], *, batch_size: int = 16) -> Iterator[Row]:
    """Parse and extract the Documents in this process, passing failures through: one result row per
    input, in input order. A document whose extraction raises becomes an ExtractionError row."""
    from threatledger.nlp.pipeline import shared_pipeline

    pairs = ((result.text if isinstance(result, Document) else "", result) for result in results)
    for doc, result in shared_pipeline().pipe(pairs, as_tuples=True, batch_size=batch_size):
        if isinstance(result, DocumentFailure):
            yield failure_row(result)
        else:
            yield extraction_row(extract_one(doc, result))


def extract_one(doc: Any, document: Document) -> Extraction:
    """``extract_doc``, with an unexpected error turned into an Extraction that carries it."""
    from threatledger.extract import extract_doc

    try:
        return extract_doc(doc, document)
    except ThreatledgerError as exc:
        return Extraction(document=document, error=exc.to_dict())
    except Exception as exc:  # an extractor bug on one document must not stop the batch
        error = ExtractionError(
            f"extraction failed on {document.source or document.id}: {type(exc).__name__}: {exc}",
            hint="report it with the document; the rest of the batch went on",
        )
        return Extraction(document=document, error=error.to_dict())
