"""HTML pages: main text, title, date, url and outlet via trafilatura; sniffing; sidecars win."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from threatledger.errors import EmptyDocumentError, LanguageError
from threatledger.ingest import DocumentFailure, read_inputs
from threatledger.model import Document

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
PAGE = FIXTURES / "page.html"
FIRST_SENTENCE = "A regional court in the port city of Velmora on Tuesday sentenced a 41-year-old courier"


def read_document(path: Path, *, published: date | None = None) -> Document:
    [result] = read_inputs([str(path)], published=published)
    assert isinstance(result, Document), result
    return result


def test_ingest_html_extracts_text_and_metadata() -> None:
    document = read_document(PAGE, published=date(2001, 1, 1))
    assert document.id == "page"
    assert document.title == "Court jails courier in harbour bomb plot"
    assert document.published == date(2023, 6, 14)
    assert document.url == "https://lantern.example/news/harbour-plot"
    assert document.outlet == "The Lantern Gazette"
    assert FIRST_SENTENCE in document.text
    assert "a third remains at large" in document.text


def test_ingest_html_drops_navigation_and_footer() -> None:
    text = read_document(PAGE).text
    assert "Sport" not in text
    assert "All rights reserved" not in text
    assert "<p>" not in text


def test_ingest_html_without_date_uses_argument(tmp_path: Path) -> None:
    lines = PAGE.read_text(encoding="utf-8").splitlines(keepends=True)
    html = "".join(line for line in lines if "published_time" not in line)
    (tmp_path / "nodate.html").write_text(html, encoding="utf-8")
    assert read_document(tmp_path / "nodate.html", published=date(2023, 7, 1)).published == date(2023, 7, 1)


def test_ingest_html_sidecar_wins_over_page(tmp_path: Path) -> None:
    shutil.copy(PAGE, tmp_path / "story.htm")
    (tmp_path / "story.meta.json").write_text(
        '{"id": "s1", "title": "Courier jailed", "published": "2023-06-15", "outlet": "Harbour desk"}',
        encoding="utf-8",
    )
    document = read_document(tmp_path / "story.htm")
    assert (document.id, document.title, document.outlet) == ("s1", "Courier jailed", "Harbour desk")
    assert document.published == date(2023, 6, 15)
    assert document.url == "https://lantern.example/news/harbour-plot"


@pytest.mark.parametrize("name", ["saved-page", "saved-page.dat"])
def test_ingest_html_sniffed_without_suffix(tmp_path: Path, name: str) -> None:
    shutil.copy(PAGE, tmp_path / name)
    document = read_document(tmp_path / name)
    assert document.title == "Court jails courier in harbour bomb plot"
    assert FIRST_SENTENCE in document.text


def test_ingest_html_txt_suffix_is_read_as_text(tmp_path: Path) -> None:
    shutil.copy(PAGE, tmp_path / "page.txt")
    document = read_document(tmp_path / "page.txt")
    assert document.text == PAGE.read_text(encoding="utf-8")


def test_ingest_html_page_without_article_text(tmp_path: Path) -> None:
    path = tmp_path / "empty.html"
    path.write_text("<html><head><title>Nothing</title></head><body></body></html>", encoding="utf-8")
    [failure] = read_inputs([str(path)])
    assert isinstance(failure, DocumentFailure)
    assert isinstance(failure.error, EmptyDocumentError)
    assert failure.document_id == "empty"


def test_ingest_html_non_english_page(tmp_path: Path) -> None:
    french = (FIXTURES / "languages" / "fr.txt").read_text(encoding="utf-8")
    path = tmp_path / "fr.html"
    path.write_text(f"<html><body><article><p>{french}</p></article></body></html>", encoding="utf-8")
    [failure] = read_inputs([str(path)])
    assert isinstance(failure, DocumentFailure)
    assert isinstance(failure.error, LanguageError)
