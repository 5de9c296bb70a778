"""A corpus of hostile inputs, each with the outcome it must have: a document, or the one documented
per-document error (its code). The small inputs live in ``tests/fixtures/nasty/``; the large ones (50 MB,
a sparse 2 GiB file, 100,000 nested ``<div>``s, a 10 MB JSON Lines record, compression bombs behind a
local URL) are generated here, in a temporary folder or on the fly by a server on 127.0.0.1."""

from __future__ import annotations

import io
import json
import os
import sys
import threading
import time
import tracemalloc
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from api_helpers import stub_extractor
from threatledger.cli.main import main
from threatledger.errors import IngestError, TooLargeError
from threatledger.ingest import DocumentFailure, read_inputs
from threatledger.ingest.feed import parse_feed
from threatledger.ingest.url import FetchPolicy, fetch_document, fetch_url
from threatledger.model import Document, Extraction

NASTY = Path(__file__).parent / "fixtures" / "nasty"
SENTENCE = (
    "Police in the harbour town of Kestrel Bay arrested a courier on Tuesday on suspicion of plotting an "
    "attack on the office of an exiled broadcaster, prosecutors said.\n"
)
MB = 1024 * 1024
# file -> "doc" or the code of its error
EXPECTED = {
    "empty.txt": "E101",
    "blank.txt": "E101",
    "bom_only.txt": "E101",
    "binary.txt": "E104",
    "nul_bytes.txt": "E104",
    "invalid_utf8.txt": "E103",
    "windows1252.txt": "E103",
    "utf16.txt": "E104",
    "control_chars.txt": "E104",
    "c1_controls.txt": "E104",
    "some_controls.txt": "doc",
    "arabic_rtl.txt": "E106",
    "hebrew_rtl.txt": "E106",
    "russian.txt": "E106",
    "chinese.txt": "E106",
    "german.txt": "E106",
    "english_with_rtl_names.txt": "doc",
    "combining_marks.txt": "doc",
    "bidi_override_title.html": "doc",
    "script_only.html": "E101",
    "unclosed.html": "doc",
    "entities.html": "doc",
}
# mixed.jsonl, line by line (blank lines yield nothing)
EXPECTED_JSONL = [
    "good", "E102", "E102", "E102", "E103", "E102", "nan", "dup2", "rtl", "E104", "html", "E101", "E102",
]  # fmt: skip


def outcome(result: Document | DocumentFailure) -> str:
    if isinstance(result, DocumentFailure):
        assert isinstance(result.error, IngestError)
        assert result.error.hint, result.error
        return result.error.code
    result.text.encode("utf-8")
    assert "\x00" not in result.text
    return result.id


def test_reliability_nasty_corpus_is_complete() -> None:
    names = {p.name for p in NASTY.iterdir()} - {"README.md", "mixed.jsonl", "billion_laughs.xml", "xxe.xml"}
    assert names == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_reliability_nasty_file(name: str) -> None:
    [result] = read_inputs([str(NASTY / name)])
    got = outcome(result)
    assert (got if got.startswith("E1") else "doc") == EXPECTED[name], result


def test_reliability_nasty_jsonl_lines() -> None:
    results = list(read_inputs([str(NASTY / "mixed.jsonl")]))
    assert [outcome(r) for r in results] == EXPECTED_JSONL


def test_reliability_nasty_rtl_text_is_kept_as_written() -> None:
    [document] = read_inputs([str(NASTY / "english_with_rtl_names.txt")])
    assert isinstance(document, Document)
    assert "\u202eOmid Farahani\u202c" in document.text  # offsets point into the text as written


def test_reliability_nasty_feeds_expand_no_entity() -> None:
    started = time.perf_counter()
    [laughs] = parse_feed((NASTY / "billion_laughs.xml").read_bytes(), base_url="https://wire.example/")
    [xxe] = parse_feed((NASTY / "xxe.xml").read_bytes(), base_url="https://wire.example/")
    assert time.perf_counter() - started < 5
    assert len(laughs.title or "") < 1000  # not 10**9 "lol"s
    assert "root:" not in (xxe.title or "")  # /etc/passwd is never read


def test_reliability_nasty_folder_through_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The whole corpus in one ``threatledger ingest``: every bad input reported, the good ones stored."""

    def extractor(documents: list[Document], *, n_process: int = 1) -> Iterable[Extraction]:
        return stub_extractor(documents)

    monkeypatch.setattr("threatledger.cli.ledger.load_extractor", lambda: extractor)
    code = main(["ingest", str(NASTY), "--db", str(tmp_path / "l.db"), "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    stats = json.loads(out[out.index("{") :])
    results = list(read_inputs([str(NASTY)]))
    failures = sum(isinstance(r, DocumentFailure) for r in results)
    assert failures == sum(v != "doc" for v in EXPECTED.values()) + sum(
        v.startswith("E1") for v in EXPECTED_JSONL
    )
    assert stats["failed"] == failures
    assert stats["documents"] + stats["skipped"] == len(results) - failures
    assert "Traceback" not in err
    assert err.count("Error [E1") == failures


# large inputs, generated


def write_repeated(path: Path, size: int, unit: str = SENTENCE) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write(unit * (size // len(unit) + 1))


def test_reliability_nasty_50mb_file_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    write_repeated(path, 50 * MB)
    tracemalloc.start()
    try:
        [result] = read_inputs([str(path)])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert isinstance(result, DocumentFailure)
    assert isinstance(result.error, TooLargeError)
    assert peak < 2 * MB  # its size was checked before reading


@pytest.mark.slow
def test_reliability_nasty_50mb_file_is_read_under_a_raised_limit(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    write_repeated(path, 50 * MB)
    [result] = read_inputs([str(path)], max_bytes=64 * MB)
    assert isinstance(result, Document)
    assert len(result.text) >= 50 * MB


def test_reliability_nasty_50mb_on_stdin_stops_at_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pipe has no size: the reader stops one byte past the limit."""
    data = (SENTENCE * (50 * MB // len(SENTENCE))).encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    [result] = read_inputs(["-"], max_bytes=MB)
    assert isinstance(result, DocumentFailure)
    assert isinstance(result.error, TooLargeError)


def test_reliability_nasty_sparse_2gib_file(tmp_path: Path) -> None:
    path = tmp_path / "sparse.txt"
    with path.open("wb") as out:
        out.truncate(2 * 1024 * MB)
    started = time.perf_counter()
    [result] = read_inputs([str(path)])
    assert isinstance(result, DocumentFailure)
    assert isinstance(result.error, TooLargeError)
    assert time.perf_counter() - started < 1


@pytest.mark.parametrize("closed", [True, False], ids=["closed", "unclosed"])
def test_reliability_nasty_100k_nested_divs(tmp_path: Path, closed: bool) -> None:
    depth = 100_000
    page = "<html><body>" + "<div>" * depth + f"<p>{SENTENCE * 3}</p>" + ("</div>" * depth if closed else "")
    path = tmp_path / "deep.html"
    path.write_text(page, encoding="utf-8")
    started = time.perf_counter()
    [result] = read_inputs([str(path)])
    assert outcome(result) in ("deep", "E101", "E102")
    assert time.perf_counter() - started < 30


def test_reliability_nasty_10mb_jsonl_record(tmp_path: Path) -> None:
    """A 10 MB line over the 5 MB limit fails alone; the lines around it are read; so is a last line
    without a newline. Under a raised limit the record is read."""
    path = tmp_path / "batch.jsonl"
    big = json.dumps({"id": "big", "text": SENTENCE * (10 * MB // len(SENTENCE))})
    small = [json.dumps({"id": f"s{i}", "text": SENTENCE}) for i in range(2)]
    path.write_text(f"{small[0]}\n{big}\n{small[1]}\n{big}", encoding="utf-8")
    assert [outcome(r) for r in read_inputs([str(path)])] == ["s0", "E105", "s1", "E105"]
    assert [outcome(r) for r in read_inputs([str(path)], max_bytes=16 * MB)] == ["s0", "big", "s1", "big"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_reliability_nasty_named_pipe_in_a_folder_is_skipped(tmp_path: Path) -> None:
    """A pipe called ``a.txt`` would block the read forever (no writer ever comes)."""
    os.mkfifo(tmp_path / "a.txt")
    (tmp_path / "b.txt").write_text(SENTENCE * 2, encoding="utf-8")
    results: list[Any] = []
    reader = threading.Thread(target=lambda: results.extend(read_inputs([str(tmp_path)])), daemon=True)
    reader.start()
    reader.join(timeout=20)
    if reader.is_alive():  # unblock the reader so the thread ends
        with open(tmp_path / "a.txt", "wb"):
            pass
        pytest.fail("reading the folder hung on the named pipe")
    assert [outcome(r) for r in results] == ["b"]


# compression bombs behind a local URL


def gzip_stream(total: int, wbits: int = 31) -> Iterator[bytes]:
    """``total`` zero bytes, compressed as they are needed (gzip: wbits 31; zlib: 15)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    block = bytes(MB)
    for _ in range(total // MB):
        if data := compressor.compress(block):
            yield data
    yield compressor.flush()


def zip_bomb(total: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive, archive.open("a.html", "w") as out:
        block = bytes(MB)
        for _ in range(total // MB):
            out.write(block)
    return buffer.getvalue()


class BombSite:
    """Serves bombs: the decompressed sizes are 10 GiB for the streams (made as the client reads)."""

    def __init__(self) -> None:
        self.sent: dict[str, int] = {}
        self.zip = zip_bomb(64 * MB)
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 (the http.server name)
                site.serve(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def serve(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path
        headers, body = self.route(path)
        handler.send_response(200)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        sent = 0
        try:
            for chunk in body:
                handler.wfile.write(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.sent[path] = sent

    def route(self, path: str) -> tuple[dict[str, str], Iterable[bytes]]:
        html = {"Content-Type": "text/html"}
        if path == "/gzip":
            return {**html, "Content-Encoding": "gzip"}, gzip_stream(10 * 1024 * MB)
        if path == "/deflate":
            return {**html, "Content-Encoding": "deflate"}, gzip_stream(10 * 1024 * MB, wbits=15)
        if path == "/gzip-gzip":  # 64 MiB of zeros, gzipped twice: about 200 bytes
            body = zlib.compress(b"".join(gzip_stream(64 * MB)), 9, wbits=31)
            return {**html, "Content-Encoding": "gzip, gzip", "Content-Length": str(len(body))}, [body]
        if path == "/zip-as-html":
            return {**html, "Content-Length": str(len(self.zip))}, [self.zip]
        return {"Content-Type": "application/zip", "Content-Length": str(len(self.zip))}, [self.zip]


@pytest.fixture(scope="module")
def bombs() -> Iterator[BombSite]:
    site = BombSite()
    yield site
    site.server.shutdown()
    site.server.server_close()


@pytest.mark.parametrize("path", ["/gzip", "/deflate"])
def test_reliability_nasty_compression_bomb_stops_at_the_limit(bombs: BombSite, path: str) -> None:
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(TooLargeError, match="limit is 5,000,000 bytes"):
            fetch_url(bombs.base + path, policy=FetchPolicy(allow_private=True))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 20
    assert peak < 16 * MB  # the 5 MB body and 64 KiB inflated pieces (about 7 MiB measured), never 10 GiB
    deadline = time.monotonic() + 10
    while path not in bombs.sent and time.monotonic() < deadline:
        time.sleep(0.05)
    assert bombs.sent[path] < 1 * MB  # the server saw the client hang up long before the end


def test_reliability_nasty_double_gzip_bomb_stays_small(bombs: BombSite) -> None:
    tracemalloc.start()
    try:
        with pytest.raises(TooLargeError):
            fetch_url(bombs.base + "/gzip-gzip", policy=FetchPolicy(allow_private=True))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * MB  # 64 MiB inside, inflated a piece at a time (about 6 MiB measured)


def test_reliability_nasty_zip_bomb_is_never_unpacked(bombs: BombSite) -> None:
    with pytest.raises(IngestError, match="application/zip"):
        fetch_document(bombs.base + "/zip", allow_private=True)


def test_reliability_nasty_binary_served_as_html_is_refused(bombs: BombSite) -> None:
    with pytest.raises(IngestError) as caught:
        fetch_document(bombs.base + "/zip-as-html", allow_private=True)
    assert caught.value.code == "E104"
