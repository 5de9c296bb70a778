"""Coverage-guided fuzzing of the readers with atheris (libFuzzer), outside the test suite.

Usage::

    .venv/bin/pip install atheris
    .venv/bin/python benchmarks/fuzz_readers.py TARGET [-max_total_time=60] [-runs=N] [CORPUS_DIR]

TARGET is one of ``text``, ``html``, ``jsonl``, ``feed``, ``files`` (a file of any suffix through
``read_inputs``). Other arguments go to libFuzzer. An input passes when the reader returns Documents or
DocumentFailures, or raises an IngestError (the documented per-document error); anything else is a crash
and libFuzzer stops and writes the input to ``crash-*``.
"""

from __future__ import annotations

import contextlib
import io
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

try:
    import atheris  # type: ignore[import-not-found,import-untyped,unused-ignore]
except ImportError:  # pragma: no cover - an optional tool
    sys.exit("atheris is not installed: .venv/bin/pip install atheris")

with atheris.instrument_imports():
    import feedparser  # noqa: F401 (parse_feed imports it on first use: instrumented only if imported here)
    import trafilatura  # noqa: F401 (the same for the HTML reader)

    from threatledger.errors import IngestError
    from threatledger.ingest import DocumentFailure, read_inputs
    from threatledger.ingest.document import ReadOptions, document_from_html, document_from_text
    from threatledger.ingest.feed import parse_feed
    from threatledger.ingest.jsonl import read_jsonl
    from threatledger.ingest.meta import Metadata
    from threatledger.ingest.text import decode_text
    from threatledger.model import Document

OPTIONS = ReadOptions(published=None, max_bytes=100_000)
SUFFIXES = (".txt", ".html", ".jsonl", ".md", "")
FOLDER = Path(tempfile.mkdtemp(prefix="threatledger-fuzz-"))


def check(results: object) -> None:
    for result in results if isinstance(results, list) else [results]:
        if isinstance(result, DocumentFailure):
            assert isinstance(result.error, IngestError)
        else:
            assert isinstance(result, Document)
            result.text.encode("utf-8")


def fuzz_text(data: bytes) -> None:
    text = decode_text(data, source="fuzz")
    check(document_from_text(text, Metadata(), source="fuzz", options=OPTIONS))


def fuzz_html(data: bytes) -> None:
    html = data.decode("utf-8", errors="replace")
    check(document_from_html(html, Metadata(), source="fuzz", options=OPTIONS))


def fuzz_jsonl(data: bytes) -> None:
    check(list(read_jsonl(io.BytesIO(data), source="fuzz", options=OPTIONS)))


def fuzz_feed(data: bytes) -> None:
    for entry in parse_feed(data, base_url="https://wire.example/feed.xml"):
        assert entry.url.startswith(("http://", "https://"))


def fuzz_files(data: bytes) -> None:
    if not data:
        return
    path = FOLDER / f"input{SUFFIXES[data[0] % len(SUFFIXES)]}"
    path.write_bytes(data[1:])
    check(list(read_inputs([str(path)], max_bytes=OPTIONS.max_bytes)))


TARGETS: dict[str, Callable[[bytes], None]] = {
    "text": fuzz_text,
    "html": fuzz_html,
    "jsonl": fuzz_jsonl,
    "feed": fuzz_feed,
    "files": fuzz_files,
}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        sys.exit(f"usage: {sys.argv[0]} {{{','.join(TARGETS)}}} [libFuzzer options]")
    name = sys.argv.pop(1)
    target = TARGETS[name]

    def one_input(data: bytes) -> None:
        with contextlib.suppress(IngestError):
            target(data)

    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
