"""Plain-text files: text, title, sidecar metadata, normalisation and every kind of bad input."""

from __future__ import annotations

import shutil
import tracemalloc
from datetime import date
from pathlib import Path

import pytest

from threatledger.errors import (
    BinaryInputError,
    EmptyDocumentError,
    EncodingError,
    IngestError,
    LanguageError,
    TooLargeError,
)
from threatledger.ingest import DocumentFailure, ReadResult, read_inputs
from threatledger.model import Document

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
NEWS = (FIXTURES / "languages" / "en_news.txt").read_text(encoding="utf-8")


def read_one(path: Path, *, published: date | None = None, max_bytes: int | None = None) -> ReadResult:
    results = list(read_inputs([str(path)], published=published, max_bytes=max_bytes))
    assert len(results) == 1
    return results[0]


def read_document(path: Path, *, published: date | None = None) -> Document:
    result = read_one(path, published=published)
    assert isinstance(result, Document), result
    return result


def read_failure(path: Path, *, max_bytes: int | None = None) -> DocumentFailure:
    result = read_one(path, max_bytes=max_bytes)
    assert isinstance(result, DocumentFailure), result
    return result


def test_ingest_text_file_with_sidecar() -> None:
    path = FIXTURES / "article.txt"
    document = read_document(path)
    assert document.id == "northport-plot"
    assert document.title == "Two charged over plot against exiled broadcaster"
    assert document.published == date(2024, 2, 8)
    assert document.outlet == "City desk"
    assert document.url == "https://news.example/northport-plot"
    assert document.source == str(path)
    assert document.text == path.read_text(encoding="utf-8")


def test_ingest_text_without_sidecar_uses_stem_and_first_line(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "article.txt", tmp_path / "plot-story.txt")
    document = read_document(tmp_path / "plot-story.txt", published=date(2024, 3, 1))
    assert document.id == "plot-story"
    assert document.title == "Prosecutors charge two men over plot against exiled broadcaster"
    assert document.published == date(2024, 3, 1)
    assert document.outlet is None


def test_ingest_text_long_first_line_is_no_title(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text(NEWS, encoding="utf-8")
    assert read_document(path).title is None


def test_ingest_text_sidecar_published_wins_over_argument() -> None:
    document = read_document(FIXTURES / "article.txt", published=date(2000, 1, 1))
    assert document.published == date(2024, 2, 8)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-06-14T09:30:00+02:00", date(2023, 6, 14)),
        ("2023-06-14T09:30:00Z", date(2023, 6, 14)),
        ("14 June 2023", date(2023, 6, 14)),
        ("June 14, 2023", date(2023, 6, 14)),
    ],
)
def test_ingest_sidecar_published_formats(tmp_path: Path, value: str, expected: date) -> None:
    (tmp_path / "a.txt").write_text(NEWS, encoding="utf-8")
    (tmp_path / "a.meta.json").write_text(f'{{"published": "{value}"}}', encoding="utf-8")
    assert read_document(tmp_path / "a.txt").published == expected


@pytest.mark.parametrize("value", ['"last spring"', '"yesterday"', '"2023-13-45"', "17", "null"])
def test_ingest_unreadable_published_falls_back(tmp_path: Path, value: str) -> None:
    (tmp_path / "a.txt").write_text(NEWS, encoding="utf-8")
    (tmp_path / "a.meta.json").write_text(f'{{"id": "x1", "published": {value}}}', encoding="utf-8")
    document = read_document(tmp_path / "a.txt", published=date(2021, 7, 1))
    assert (document.id, document.published) == ("x1", date(2021, 7, 1))


def test_ingest_broken_sidecar_is_a_parse_error(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(NEWS, encoding="utf-8")
    (tmp_path / "a.meta.json").write_text('{"id": "x1",', encoding="utf-8")
    failure = read_failure(tmp_path / "a.txt")
    assert failure.error.code == "E102"
    assert "a.meta.json" in failure.error.message
    assert failure.document_id == "a"


def test_ingest_text_normalises_bom_and_crlf_only(tmp_path: Path) -> None:
    path = tmp_path / "crlf.txt"
    body = NEWS.replace("\n", "\r\n") + "  trailing \ttabs\r stay\n"
    path.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    document = read_document(path)
    assert document.text == NEWS + "  trailing \ttabs\r stay\n"


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"", EmptyDocumentError),
        (b"  \n\t\r\n  ", EmptyDocumentError),
        (b"\xef\xbb\xbf\n", EmptyDocumentError),
        (b"PK\x03\x04\x00\x00\x08\x00binary zip header", BinaryInputError),
        (bytes(range(1, 9)) * 100, BinaryInputError),
        ("Caf\u00e9 owner arrested".encode("utf-16"), BinaryInputError),
        ("Caf\u00e9 owner arrested after raid".encode("latin-1"), EncodingError),
        (b"Police said \x93nothing\x94 about it.", EncodingError),
    ],
)
def test_ingest_bad_text_file(tmp_path: Path, content: bytes, error: type[IngestError]) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    failure = read_failure(path)
    assert isinstance(failure.error, error)
    assert failure.error.hint
    assert (failure.source, failure.document_id) == (str(path), "bad")


def test_ingest_invalid_utf8_hint_says_reencode(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes("Soci\u00e9t\u00e9 g\u00e9n\u00e9rale".encode("latin-1"))
    failure = read_failure(path)
    assert isinstance(failure.error, EncodingError)
    assert "UTF-8" in (failure.error.hint or "")


def test_ingest_too_large_with_small_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text(NEWS, encoding="utf-8")
    failure = read_failure(path, max_bytes=100)
    assert isinstance(failure.error, TooLargeError)
    assert "100" in failure.error.message
    assert isinstance(read_one(path, max_bytes=len(NEWS.encode("utf-8"))), Document)


def test_ingest_too_large_file_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    chunk = NEWS.encode("utf-8")
    with path.open("wb") as stream:
        for _ in range(50_000_000 // len(chunk) + 1):
            stream.write(chunk)
    assert path.stat().st_size > 50_000_000
    tracemalloc.start()
    try:
        failure = read_failure(path, max_bytes=5_000_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(failure.error, TooLargeError)
    assert peak < 1_000_000


def test_ingest_default_limit_comes_from_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THREATLEDGER_MAX_DOCUMENT_BYTES", "50")
    path = tmp_path / "a.txt"
    path.write_text(NEWS, encoding="utf-8")
    assert isinstance(read_failure(path).error, TooLargeError)


@pytest.mark.parametrize("name", ["fr", "de", "es", "ru", "ar", "zh"])
def test_ingest_non_english_text_fails(name: str) -> None:
    failure = read_failure(FIXTURES / "languages" / f"{name}.txt")
    assert isinstance(failure.error, LanguageError)
    assert failure.document_id == name


@pytest.mark.parametrize("name", ["en_news", "en_headline"])
def test_ingest_english_text_passes(name: str) -> None:
    assert read_document(FIXTURES / "languages" / f"{name}.txt").id == name
