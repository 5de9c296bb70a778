"""A stored document with its whole text (``Store.document``), on both back ends."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger_factories import EXTRACTOR, charge_story, unrelated_plot, wire_copy
from ledger_stores import BACKENDS, open_test_store
from threatledger.errors import StoreError
from threatledger.store.records import StoredDocument
from threatledger.store.sql_store import SQLStore

HOSTILE = '<script>alert(1)</script> "quoted" \u00e9t\u00e9 \u202e\u0000 end'


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SQLStore]:
    with open_test_store(request.param, tmp_path) as opened:
        yield opened


def test_store_document_returns_the_whole_text(store: SQLStore) -> None:
    story = charge_story()
    store.add_extraction(story)
    document = store.document("ostend-charge")
    assert isinstance(document, StoredDocument)
    assert document.text == story.document.text
    assert document.title == "Officer charged over plot"
    assert document.published == "2023-03-02"
    assert document.content_hash == story.document.content_hash
    assert document.near_duplicate_of is None
    for event in story.events:  # the spans index into the text returned
        assert document.text[event.provenance.start : event.provenance.end] == event.trigger


def test_store_document_from_a_bulk_load(store: SQLStore) -> None:
    story = unrelated_plot()
    store.add_extractions([story], resolve=False)
    assert store.document("hamburg-plot").text == story.document.text


def test_store_document_keeps_any_text(store: SQLStore) -> None:
    story = charge_story("hostile", text=HOSTILE.replace("\u0000", "") + " " + charge_story().document.text)
    store.add_extraction(story)
    assert store.document("hostile").text == story.document.text


def test_store_document_near_duplicate_and_re_extraction(store: SQLStore) -> None:
    store.add_extraction(charge_story())
    store.add_extraction(wire_copy(charge_story(), "ostend-wire", {"exiled": "exiled Iranian"}))
    assert store.document("ostend-wire").near_duplicate_of == "ostend-charge"
    assert "exiled Iranian" in store.document("ostend-wire").text
    store.add_extraction(charge_story(extractor=EXTRACTOR + ".v2"))
    assert store.document("ostend-charge").text == charge_story().document.text


def test_store_document_unknown_is_a_store_error(store: SQLStore) -> None:
    with pytest.raises(StoreError, match="no document"):
        store.document("absent")
