"""read_inputs across inputs: directories, stdin, missing paths, order, and robustness on any bytes."""

from __future__ import annotations

import io
import json
import shutil
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from threatledger.errors import (
    BinaryInputError,
    EmptyDocumentError,
    InputNotFoundError,
    ParseError,
    TooLargeError,
)
from threatledger.ingest import DocumentFailure, ReadResult, read_inputs
from threatledger.model import Document, content_id

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
NEWS = (FIXTURES / "languages" / "en_news.txt").read_text(encoding="utf-8")


def use_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def read_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes, **options: int) -> list[ReadResult]:
    use_stdin(monkeypatch, data)
    return list(read_inputs(["-"], max_bytes=options.get("max_bytes")))


def test_ingest_directory_mixes_good_and_bad_files(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "article.txt", tmp_path / "b_article.txt")
    shutil.copy(FIXTURES / "page.html", tmp_path / "c_page.html")
    (tmp_path / "a_empty.txt").write_text("\n", encoding="utf-8")
    nested = tmp_path / "d_more"
    nested.mkdir()
    (nested / "binary.txt").write_bytes(b"\x00\x01\x02" * 50)
    lines = json.dumps({"id": "j9", "text": NEWS}) + "\n{oops\n"
    (nested / "lines.jsonl").write_text(lines, encoding="utf-8")
    (tmp_path / "e_last.txt").write_text(NEWS, encoding="utf-8")
    results = list(read_inputs([str(tmp_path)]))
    assert [r.source for r in results] == [
        str(tmp_path / "a_empty.txt"),
        str(tmp_path / "b_article.txt"),
        str(tmp_path / "c_page.html"),
        str(nested / "binary.txt"),
        f"{nested / 'lines.jsonl'}:1",
        f"{nested / 'lines.jsonl'}:2",
        str(tmp_path / "e_last.txt"),
    ]
    kinds = [type(r.error) if isinstance(r, DocumentFailure) else Document for r in results]
    assert kinds == [EmptyDocumentError, Document, Document, BinaryInputError, Document, ParseError, Document]


def test_ingest_directory_skips_sidecars_hidden_and_unknown_files(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "article.txt", tmp_path / "article.txt")
    shutil.copy(FIXTURES / "article.meta.json", tmp_path / "article.meta.json")
    (tmp_path / ".hidden.txt").write_text(NEWS, encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "notes.txt").write_text(NEWS, encoding="utf-8")
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (tmp_path / "data.json").write_text("{}", encoding="utf-8")
    [document] = read_inputs([str(tmp_path)])
    assert isinstance(document, Document)
    assert document.id == "northport-plot"


def test_ingest_empty_directory_is_reported(tmp_path: Path) -> None:
    [failure] = read_inputs([str(tmp_path)])
    assert isinstance(failure, DocumentFailure)
    assert isinstance(failure.error, InputNotFoundError)
    assert failure.error.hint


@pytest.mark.parametrize("name", ["missing.txt", "no/such/dir", ""])
def test_ingest_missing_path(tmp_path: Path, name: str) -> None:
    item = str(tmp_path / name) if name else name
    results = list(read_inputs([item, str(FIXTURES / "article.txt")]))
    failure, document = results
    assert isinstance(failure, DocumentFailure)
    assert isinstance(failure.error, InputNotFoundError)
    assert failure.source == item
    assert failure.error.hint
    assert "-" in failure.error.hint
    assert isinstance(document, Document)


def test_ingest_inputs_keep_their_order(tmp_path: Path) -> None:
    (tmp_path / "z.txt").write_text(NEWS, encoding="utf-8")
    results = list(read_inputs([str(tmp_path / "z.txt"), str(FIXTURES / "article.txt")]))
    assert [r.source for r in results] == [str(tmp_path / "z.txt"), str(FIXTURES / "article.txt")]


def test_ingest_a_single_string_is_one_input() -> None:
    [document] = read_inputs(str(FIXTURES / "article.txt"))
    assert isinstance(document, Document)


def test_ingest_stdin_text(monkeypatch: pytest.MonkeyPatch) -> None:
    [document] = read_stdin(monkeypatch, ("Headline of the day\n\n" + NEWS).encode("utf-8"))
    assert isinstance(document, Document)
    assert document.source == "-"
    assert document.title == "Headline of the day"
    assert document.id == content_id("doc", document.content_hash)


def test_ingest_stdin_ids_are_stable(monkeypatch: pytest.MonkeyPatch) -> None:
    [first] = read_stdin(monkeypatch, NEWS.encode("utf-8"))
    [second] = read_stdin(monkeypatch, NEWS.encode("utf-8"))
    assert isinstance(first, Document)
    assert isinstance(second, Document)
    assert first.id == second.id


def test_ingest_stdin_html(monkeypatch: pytest.MonkeyPatch) -> None:
    [document] = read_stdin(monkeypatch, (FIXTURES / "page.html").read_bytes())
    assert isinstance(document, Document)
    assert document.title == "Court jails courier in harbour bomb plot"
    assert document.published == date(2023, 6, 14)


def test_ingest_stdin_jsonl(monkeypatch: pytest.MonkeyPatch) -> None:
    data = (FIXTURES / "batch.jsonl").read_bytes() + b"not json\n"
    results = read_stdin(monkeypatch, data)
    assert [r.source for r in results] == ["-:1", "-:2", "-:3", "-:4"]
    assert [r.id for r in results[:2] if isinstance(r, Document)] == ["j1", "j2"]
    assert isinstance(results[3], DocumentFailure)
    assert isinstance(results[3].error, ParseError)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"", EmptyDocumentError),
        (b"\x00\xff\x00\xfe", BinaryInputError),
        (NEWS.encode("utf-8") * 3, TooLargeError),
    ],
)
def test_ingest_stdin_bad_input(monkeypatch: pytest.MonkeyPatch, data: bytes, error: type[Exception]) -> None:
    [failure] = read_stdin(monkeypatch, data, max_bytes=len(NEWS.encode("utf-8")))
    assert isinstance(failure, DocumentFailure)
    assert isinstance(failure.error, error)
    assert (failure.source, failure.document_id) == ("-", None)


def test_ingest_published_argument_fills_gaps_only() -> None:
    fallback = date(1999, 9, 9)
    results = list(
        read_inputs(
            [str(FIXTURES / "batch.jsonl"), str(FIXTURES / "languages" / "en_news.txt")], published=fallback
        )
    )
    assert [r.published for r in results if isinstance(r, Document)] == [
        date(2022, 5, 3),
        date(2022, 5, 4),
        fallback,
        fallback,
    ]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    prefix=st.sampled_from([b"", b"<html><body><p>", b'{"text": "', b'{"html": "<p>', b"\xef\xbb\xbf"]),
    data=st.binary(max_size=600) | st.text(max_size=300).map(lambda text: text.encode("utf-8")),
    suffix=st.sampled_from([".txt", ".html", ".jsonl", ".dat", ""]),
)
def test_ingest_arbitrary_bytes_never_raise(tmp_path: Path, prefix: bytes, data: bytes, suffix: str) -> None:
    path = tmp_path / f"input{suffix}"
    path.write_bytes(prefix + data)
    for result in read_inputs([str(path)], max_bytes=400):
        assert isinstance(result, Document | DocumentFailure)
