"""A ledger for the API, web and browser tests: the fictional Karimi case, an unrelated plot, and an
article full of script and HTML injection (all texts written for these tests)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from ledger_factories import DocBuilder, arrest_story, charge_story, unrelated_plot, verdict_story
from threatledger.model import Document, Extraction
from threatledger.store.sqlite import SQLiteStore

TOKEN = "test-token-5f1c"
AUTH = {"Authorization": f"Bearer {TOKEN}"}

SCRIPT = "<script>window.__pwned = 'script';</script>"
IMG = "<img src=x onerror=\"window.__pwned='img'\">"
JS_LINK = '<a href="javascript:window.__pwned=1">click</a>'
EVIL_NAME = "Vex <b onmouseover=window.__pwned=2>Orlov</b>"
EVIL_TEXT = (
    f"Gunmen attacked the office of {EVIL_NAME} in Lyon on 3 March 2024. {SCRIPT}\n"
    f"Witnesses saw {IMG} near the door. {JS_LINK} "
    "Police later arrested the suspect Dario Quell."
)
EVIL_TITLE = f"Attack on reporter {SCRIPT}"
EVIL_URL = "javascript:window.__pwned='url'"
INJECTIONS = (SCRIPT, IMG, JS_LINK, "<b onmouseover")


def injection_story(doc_id: str = "evil-article") -> Extraction:
    """An article whose text, title, URL, entity names and summary all carry injection attempts."""
    b = DocBuilder(doc_id, EVIL_TEXT, published=date(2024, 3, 4), title=EVIL_TITLE)
    b.entity(EVIL_NAME)
    b.entity("Dario Quell")
    b.entity("Lyon", "PLACE")
    attack = b.event(
        "ATTACK",
        f"Gunmen attacked the office of {EVIL_NAME} in Lyon on 3 March 2024.",
        "attacked",
        target=(EVIL_NAME,),
        place=("Lyon",),
        date="2024-03-03",
        status="confirmed",
    )
    arrest = b.event(
        "ARREST",
        "Police later arrested the suspect Dario Quell.",
        "arrested",
        target=("Dario Quell",),
        date="2024-03",
        status="alleged",
    )
    b.incident(f"Attack on {SCRIPT}", attack, arrest)
    extraction = b.build()
    extraction.document = Document(
        id=doc_id, text=EVIL_TEXT, title=EVIL_TITLE, url=EVIL_URL, published=date(2024, 3, 4)
    )
    return extraction


def stories() -> list[Extraction]:
    return [charge_story(), arrest_story(), verdict_story(), unrelated_plot(), injection_story()]


def build_store(folder: Path, extractions: Iterable[Extraction] | None = None) -> str:
    """A SQLite ledger in ``folder`` holding the stories; returns its path."""
    path = folder / "ledger.db"
    with SQLiteStore(path) as store:
        for extraction in stories() if extractions is None else extractions:
            store.add_extraction(extraction)
    return str(path)


_SENTENCE = re.compile(r"[^.\n]+[.\n]?")
_TRIGGERS = {"attacked": "ATTACK", "plotted": "PLOT", "arrested": "ARREST", "charged": "CHARGE"}


def stub_extractor(documents: list[Document]) -> Iterable[Extraction]:
    """Stands in for spaCy: an event for each sentence with a known trigger word, its capitalised
    two-word names as targets, one incident named after the title."""
    for document in documents:
        b = DocBuilder(document.id, document.text, published=document.published, title=document.title)
        events = []
        for match in _SENTENCE.finditer(document.text):
            sentence = match.group().strip()
            trigger = next((t for t in _TRIGGERS if t in sentence.split()), None)
            if not sentence or trigger is None:
                continue
            names = tuple(dict.fromkeys(re.findall(r"\b[A-Z][a-z]+ [A-Z][a-z]+\b", sentence)))
            for name in names:
                b.entity(name)
            events.append(b.event(_TRIGGERS[trigger], sentence, trigger, target=names, status="alleged"))
        if events:
            b.incident(document.title or document.id, *events)
        extraction = b.build()
        extraction.document = document
        yield extraction
