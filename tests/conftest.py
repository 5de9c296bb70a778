"""The one conftest: shared fixtures. Tests that load the spaCy model are marked ``slow``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from threatledger.model import Document

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def nlp():  # type: ignore[no-untyped-def]
    """The real threatledger spaCy pipeline, loaded once per session."""
    from threatledger.nlp.pipeline import load_pipeline

    return load_pipeline()


@pytest.fixture
def make_document() -> Callable[..., Document]:
    """Build a Document from text with a fixed publication date."""

    def _make(text: str, *, id: str = "t1", published: date | None = date(2024, 3, 15)) -> Document:
        return Document(id=id, text=text, published=published)

    return _make
