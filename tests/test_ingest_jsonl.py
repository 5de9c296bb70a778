"""JSON Lines: one document per line; a bad line is a failure named ``path:LINE`` and reading goes on."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from threatledger.errors import (
    EmptyDocumentError,
    EncodingError,
    IngestError,
    LanguageError,
    ParseError,
    TooLargeError,
)
from threatledger.ingest import DocumentFailure, ReadResult, read_inputs
from threatledger.model import Document, content_id

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
BATCH = FIXTURES / "batch.jsonl"
TEXT = (
    "Officials said on Monday that a man had been detained at the border while trying to leave the "
    "country with documents about a planned attack on a newspaper office."
)


def read_all(path: Path, *, published: date | None = None, max_bytes: int | None = None) -> list[ReadResult]:
    return list(read_inputs([str(path)], published=published, max_bytes=max_bytes))


def write_lines(path: Path, *lines: str | bytes) -> Path:
    path.write_bytes(
        b"".join((line if isinstance(line, bytes) else line.encode("utf-8")) + b"\n" for line in lines)
    )
    return path


def test_ingest_jsonl_reads_every_line() -> None:
    results = read_all(BATCH, published=date(2022, 6, 1))
    assert all(isinstance(result, Document) for result in results)
    first, second, third = results
    assert isinstance(first, Document)
    assert isinstance(second, Document)
    assert isinstance(third, Document)
    assert (first.id, first.title, first.outlet) == ("j1", "Court frees activist", "Court desk")
    assert (first.url, first.published) == ("https://news.example/j1", date(2022, 5, 3))
    assert first.source == f"{BATCH}:1"
    assert first.text.startswith("A court in the capital on Tuesday freed an activist")
    assert (second.id, second.published) == ("j2", date(2022, 5, 4))
    assert second.text.startswith("The foreign ministry summoned the ambassador")
    assert third.id.startswith("doc_")
    assert (third.title, third.published) == ("An untitled brief", date(2022, 6, 1))


def test_ingest_jsonl_content_ids_are_stable(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "a.jsonl", json.dumps({"text": TEXT}))
    [first], [second] = read_all(path), read_all(path)
    assert isinstance(first, Document)
    assert isinstance(second, Document)
    assert first.id == second.id == content_id("doc", first.content_hash)


def test_ingest_jsonl_malformed_line_continues(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "batch.jsonl",
        json.dumps({"id": "ok1", "text": TEXT}),
        '{"id": "broken", "text": "unterminated',
        "",
        json.dumps({"id": "ok2", "text": TEXT}),
    )
    first, failure, last = read_all(path)
    assert isinstance(failure, DocumentFailure)
    assert isinstance(failure.error, ParseError)
    assert failure.source == f"{path}:2"
    assert failure.error.hint
    assert isinstance(first, Document)
    assert isinstance(last, Document)
    assert (first.id, last.id, last.source) == ("ok1", "ok2", f"{path}:4")


@pytest.mark.parametrize(
    ("line", "error", "document_id"),
    [
        ('["a list", "not an object"]', ParseError, None),
        ('{"id": "n1", "title": "no body"}', ParseError, "n1"),
        ('{"id": "n2", "text": 42}', ParseError, "n2"),
        ('{"id": 7, "text": "   "}', EmptyDocumentError, "7"),
        (
            '{"id": "n3", "text": "Quelques mots en fran\\u00e7ais ne font pas un article en anglais, mais '
            "le parquet a dit que les deux hommes sont en garde "
            '\\u00e0 vue depuis lundi soir dans la ville."}',
            LanguageError,
            "n3",
        ),
        ('{"id": "n4", "title": ["not", "a", "string"], "text": "x"}', ParseError, "n4"),
        (b'{"id": "n5", "text": "caf\xe9"}', EncodingError, None),
    ],
)
def test_ingest_jsonl_bad_line(
    tmp_path: Path, line: str | bytes, error: type[IngestError], document_id: str | None
) -> None:
    path = write_lines(tmp_path / "bad.jsonl", line, json.dumps({"text": TEXT}))
    failure, document = read_all(path)
    assert isinstance(failure, DocumentFailure), failure
    assert isinstance(failure.error, error)
    assert (failure.source, failure.document_id) == (f"{path}:1", document_id)
    assert isinstance(document, Document)


def test_ingest_jsonl_text_wins_over_html(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "a.jsonl", json.dumps({"text": TEXT, "html": "<p>ignored</p>"}))
    [document] = read_all(path)
    assert isinstance(document, Document)
    assert document.text == TEXT


def test_ingest_jsonl_html_fragment(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "a.jsonl", json.dumps({"id": "h1", "html": f"<p>{TEXT}</p>"}))
    [document] = read_all(path)
    assert isinstance(document, Document)
    assert document.text == TEXT


def test_ingest_jsonl_normalises_text(tmp_path: Path) -> None:
    record = {"text": "\ufeff" + TEXT.replace(" a man", "\r\na man")}
    path = write_lines(tmp_path / "a.jsonl", json.dumps(record))
    [document] = read_all(path)
    assert isinstance(document, Document)
    assert document.text == TEXT.replace(" a man", "\na man")


def test_ingest_jsonl_line_too_large(tmp_path: Path) -> None:
    long_line = json.dumps({"id": "big", "text": TEXT * 20})
    path = write_lines(tmp_path / "a.jsonl", long_line, json.dumps({"id": "small", "text": TEXT}))
    failure, document = read_all(path, max_bytes=len(long_line) - 1)
    assert isinstance(failure, DocumentFailure)
    assert isinstance(failure.error, TooLargeError)
    assert failure.source == f"{path}:1"
    assert isinstance(document, Document)
    assert document.id == "small"


def test_ingest_jsonl_line_at_limit_is_read(tmp_path: Path) -> None:
    line = json.dumps({"id": "edge", "text": TEXT})
    path = write_lines(tmp_path / "a.jsonl", line)
    [document] = read_all(path, max_bytes=len(line))
    assert isinstance(document, Document)
