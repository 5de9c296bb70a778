"""Property-based fuzzing of every reader: text, HTML, JSON Lines, standard input and RSS/Atom feeds.

Each reader is fed inputs built to be hostile (broken markup, wrong JSON types, lone surrogates, control
characters, right-to-left overrides, entity tricks) mixed with English sentences, so some inputs come out
as documents and some as failures. The only error allowed is the documented one: a
:class:`~threatledger.ingest.DocumentFailure` holding an :class:`~threatledger.errors.IngestError`
(or that error raised by the lower-level ``document_from_*`` and ``parse_feed``). The example counts are
bounded so the suite stays fast; ``benchmarks/fuzz_readers.py`` runs the same targets under atheris.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from threatledger.errors import IngestError, ParseError
from threatledger.ingest import DocumentFailure, read_inputs
from threatledger.ingest.detect import sniff_format
from threatledger.ingest.document import ReadOptions, document_from_html, document_from_text
from threatledger.ingest.feed import parse_feed
from threatledger.ingest.meta import Metadata, metadata_from_mapping, parse_published
from threatledger.model import Document

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
FUZZ_HTML = settings(FUZZ, max_examples=100)  # trafilatura takes ~20 ms a page
OPTIONS = ReadOptions(published=None, max_bytes=200_000)
SENTENCES = (
    "Police in the harbour town of Kestrel Bay arrested a courier on Tuesday, prosecutors said.",
    "The court said that the men would appear before a judge later this week and that the case was open.",
    "Officials said the attack on the office of the exiled broadcaster was planned for several weeks.",
)
HOSTILE = (
    "\x00",
    "\x01\x02\x7f",
    "\u0085\u009b",  # C1 controls
    "\u202e",  # right-to-left override
    "\u200f\u200e\u2067\u2069",  # bidi marks and isolates
    "\ufeff",
    "\ufffd",
    "\u0301\u0301\u0301",  # stacked combining marks
    "\U0001f4a3",
    "\ud800",  # a lone surrogate (only a JSON escape can carry it in)
    "\u0645\u0648\u0633\u0643\u0648",  # Arabic
    "\u05d9\u05e8\u05d5\u05e9\u05dc\u05d9\u05dd",  # Hebrew
    "\r\n",
    "\r",
    "&amp;&#0;&#x110000;&bogus;&lt;",
    "<!--",
    "]]>",
    "<![CDATA[",
)
TAGS = (
    "div", "p", "span", "article", "main", "section", "script", "style", "table", "td", "a", "b", "iframe",
    "svg", "math", "template", "noscript", "title", "meta", "head", "body", "html", "h1", "br", "img",
)  # fmt: skip
ATTRIBUTES = (
    ' class="article"',
    ' onload="alert(1)"',
    ' href="javascript:alert(1)"',
    ' style="display:none"',
    ' lang="ar" dir="rtl"',
    " =x",
    ' a="unterminated',
)

hostile_text = st.lists(
    st.sampled_from(SENTENCES) | st.sampled_from(HOSTILE) | st.text(max_size=30), min_size=0, max_size=12
).map(" ".join)


def _element(tag: str, attribute: str, children: list[str], closed: bool) -> str:
    return f"<{tag}{attribute}>{''.join(children)}" + (f"</{tag}>" if closed else "")


html_tree: st.SearchStrategy[str] = st.recursive(
    st.sampled_from(SENTENCES) | st.sampled_from(HOSTILE) | st.text(max_size=20),
    lambda children: st.builds(
        _element,
        st.sampled_from(TAGS),
        st.sampled_from(("", *ATTRIBUTES)),
        st.lists(children, max_size=4),
        st.booleans(),
    ),
    max_leaves=40,
)
json_value = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | hostile_text,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=10,
)
FIELDS = ("id", "text", "html", "title", "url", "published", "outlet", "extra")
record = st.dictionaries(
    st.sampled_from(FIELDS), json_value | hostile_text | html_tree | st.sampled_from(SENTENCES), max_size=7
)


def _json_line(value: dict[str, Any], ascii_only: bool, damage: int) -> bytes:
    line = json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    if damage == 1:
        line = line[: len(line) // 2]
    elif damage == 2:
        line = line.replace(b'"', b"'", 1)
    elif damage == 3:
        line = line + b"\xff\xfe garbage"
    return line


jsonl_body = st.lists(
    st.builds(_json_line, record, st.booleans(), st.integers(0, 6)) | st.binary(max_size=40),
    min_size=1,
    max_size=6,
).map(b"\n".join)


def assert_read(results: list[Any]) -> int:
    """Every result is a checked Document or a DocumentFailure with an IngestError; the documents."""
    for result in results:
        if isinstance(result, DocumentFailure):
            assert isinstance(result.error, IngestError), result
            assert str(result.error).startswith(f"[{result.error.code}]")
            assert result.error.code.startswith("E1")
        else:
            assert_document(result)
    return sum(isinstance(r, Document) for r in results)


def assert_document(document: Any) -> None:
    assert isinstance(document, Document)
    assert document.text.strip()
    assert document.id
    document.text.encode("utf-8")  # storable: no lone surrogate
    for value in (document.id, document.title, document.url, document.outlet):
        assert value is None or isinstance(value, str)
        if value is not None:
            value.encode("utf-8")
    assert len(document.content_hash) == 64


@FUZZ
@given(text=hostile_text, suffix=st.sampled_from([".txt", ".md", ""]), bom=st.booleans())
def test_reliability_fuzz_text_files(tmp_path: Path, text: str, suffix: str, bom: bool) -> None:
    path = tmp_path / f"article{suffix}"
    data = text.encode("utf-8", "surrogatepass")
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    assert_read(list(read_inputs([str(path)], max_bytes=OPTIONS.max_bytes)))


@FUZZ_HTML
@given(tree=html_tree, wrap=st.booleans(), suffix=st.sampled_from([".html", ".htm", ""]))
@example(tree="<div>" * 3000 + SENTENCES[0], wrap=True, suffix=".html")
def test_reliability_fuzz_html_files(tmp_path: Path, tree: str, wrap: bool, suffix: str) -> None:
    page = f"<!doctype html><html><head><title>T</title></head><body>{tree}</body></html>" if wrap else tree
    path = tmp_path / f"page{suffix}"
    path.write_bytes(page.encode("utf-8", "surrogatepass"))
    assert_read(list(read_inputs([str(path)], max_bytes=OPTIONS.max_bytes)))


@FUZZ_HTML
@given(tree=html_tree)
def test_reliability_fuzz_html_strings(tree: str) -> None:
    """``document_from_html`` as the API's ingest route calls it (on a str, not bytes)."""
    with contextlib.suppress(IngestError):
        assert_document(document_from_html(tree, Metadata(), source="fuzz", options=OPTIONS))


@FUZZ
@given(text=hostile_text)
def test_reliability_fuzz_text_strings(text: str) -> None:
    with contextlib.suppress(IngestError):
        assert_document(document_from_text(text, Metadata(), source="fuzz", options=OPTIONS))


@FUZZ_HTML
@given(body=jsonl_body)
@example(body=b'{"id": "s", "text": "Police said the man was arrested \\ud800 on Tuesday in the town."}')
@example(body=b'{"id": "s", "title": "\\udfff", "text": "Police said the man was arrested on Tuesday."}')
@example(body=b"[" * 50_000)
def test_reliability_fuzz_jsonl_files(tmp_path: Path, body: bytes) -> None:
    path = tmp_path / "batch.jsonl"
    path.write_bytes(body)
    results = list(read_inputs([str(path)], max_bytes=OPTIONS.max_bytes))
    assert_read(results)
    assert len(results) <= body.count(b"\n") + 1  # one result per non-blank line at most


@FUZZ
@given(value=record)
def test_reliability_fuzz_metadata(value: dict[str, Any]) -> None:
    """Sidecars and JSON Lines records share this reader: a wrong field is a ParseError, never a crash."""
    try:
        meta = metadata_from_mapping(value, source="fuzz")
    except IngestError:
        return
    for item in (meta.id, meta.title, meta.url, meta.outlet):
        if item is not None:
            item.encode("utf-8")


@FUZZ
@given(
    value=st.text(max_size=60) | st.sampled_from(["9999-99-99", "0000-00-00", "1e308", "-1", "2024-02-30"])
)
def test_reliability_fuzz_published_dates(value: str) -> None:
    parsed = parse_published(value)
    assert parsed is None or parsed.year >= 1


@FUZZ
@given(
    data=st.binary(max_size=300) | jsonl_body | html_tree.map(lambda s: s.encode("utf-8", "surrogatepass"))
)
def test_reliability_fuzz_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert_read(list(read_inputs(["-"], max_bytes=OPTIONS.max_bytes)))
    assert sniff_format(data) in ("text", "html", "jsonl")


def _feed(kind: str, items: list[tuple[str, str, str]], prolog: str) -> bytes:
    if kind == "rss":
        body = "".join(
            f"<item><title>{t}</title><link>{link}</link><pubDate>{when}</pubDate></item>"
            for t, link, when in items
        )
        xml = f'{prolog}<rss version="2.0"><channel><title>W</title>{body}</channel></rss>'
    else:
        body = "".join(
            f'<entry><title>{t}</title><link href="{link}"/><updated>{when}</updated></entry>'
            for t, link, when in items
        )
        xml = f'{prolog}<feed xmlns="http://www.w3.org/2005/Atom"><title>W</title>{body}</feed>'
    return xml.encode("utf-8", "surrogatepass")


LINKS = (
    "https://wire.example/a/1",
    "/relative/path",
    "javascript:alert(1)",
    "file:///etc/passwd",
    "http://[::1]/",
    "",
    "   ",
    "https://wire.example/a/1",  # a duplicate
    "ftp://x/",
)
PROLOGS = (
    "",
    '<?xml version="1.0" encoding="utf-8"?>',
    '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/hostname">]>',
    '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
)
feed_item = st.tuples(
    hostile_text | st.sampled_from(["&x;", "&b;", "&amp;", "<b>bold</b>", "&#0;"]),
    st.sampled_from(LINKS) | st.text(max_size=20),
    st.sampled_from(["Tue, 12 Mar 2024 10:00:00 GMT", "2024-05-02T10:00:00Z", "yesterday", "", "\x00"]),
)


@FUZZ
@given(
    kind=st.sampled_from(["rss", "atom"]),
    items=st.lists(feed_item, max_size=5),
    prolog=st.sampled_from(PROLOGS),
    cut=st.integers(0, 3),
)
def test_reliability_fuzz_feeds(kind: str, items: list[tuple[str, str, str]], prolog: str, cut: int) -> None:
    content = _feed(kind, items, prolog)
    if cut == 1:
        content = content[: len(content) // 2]
    try:
        entries = parse_feed(content, base_url="https://wire.example/feed.xml")
    except IngestError:
        return
    for entry in entries:
        assert entry.url.startswith(("http://", "https://"))
        assert "/etc/" not in (entry.title or "")  # no external entity is ever read
    assert len({e.url for e in entries}) == len(entries)


@pytest.mark.parametrize("ref", [b"&#x110000;", b"&#1114112;", b"&#x7fffffffffff;"])
def test_reliability_fuzz_feed_charref_crash(ref: bytes) -> None:
    """A character reference beyond U+10FFFF: feedparser's chr() raises ValueError, read as E102."""
    content = b'<rss version="2.0"><channel><title>W</title><item><title>' + ref + b"</title>"
    content += b"<link>https://wire.example/a/1</link></item></channel></rss>"
    with pytest.raises(ParseError, match="cannot read the feed") as raised:
        parse_feed(content, base_url="https://wire.example/")
    assert raised.value.code == "E102"


@FUZZ
@given(content=st.binary(max_size=400))
def test_reliability_fuzz_feed_bytes(content: bytes) -> None:
    with contextlib.suppress(IngestError):
        parse_feed(content, base_url="https://wire.example/")
