"""Shared by the export tests: a small fictional ledger built by hand, exports to strings, golden files.

Golden files live in tests/golden/export/; rewrite them with THREATLEDGER_UPDATE_GOLDEN=1 after a change
that is meant to alter the output, and read the diff before committing it.
"""

from __future__ import annotations

import io
import os
from datetime import date
from pathlib import Path

from ledger_factories import DocBuilder, arrest_story, charge_story, unrelated_plot, verdict_story
from threatledger.export import export_incidents
from threatledger.model import Extraction
from threatledger.store.base import Store
from threatledger.store.records import IncidentFilter

GOLDEN = Path(__file__).parent / "golden" / "export"

SANCTION_TEXT = (
    "The council of the Union sanctioned the Valdren Security Directorate on 3 March 2024 over the "
    "bombing of a newspaper office in Marseille. "
    "Hackers of the Grey Lantern group broke into the paper's servers, officials said."
)
DENIAL_TEXT = "The embassy of Valdren said its agents did not attack the dissident Ilse Varga in Oslo."


def sanction_story(doc_id: str = "union-sanction") -> Extraction:
    """A bombing sponsored by a state agency, the sanction that followed, and a cyberattack by a group."""
    b = DocBuilder(doc_id, SANCTION_TEXT, published=date(2024, 3, 4), title="Union sanctions directorate")
    b.entity("council of the Union", "ORG")
    b.entity("Valdren Security Directorate", "ORG")
    b.entity("Grey Lantern", "ORG")
    b.entity("Marseille", "PLACE")
    first = SANCTION_TEXT.split(". ")[0] + "."
    directorate = ("Valdren Security Directorate",)
    sanction = b.event(
        "SANCTION",
        first,
        "sanctioned",
        agent=("council of the Union",),
        target=directorate,
        date="2024-03-03",
        status="confirmed",
    )
    bombing = b.event("ATTACK", first, "bombing", sponsor=directorate, place=("Marseille",), status="alleged")
    hack_sentence = "Hackers of the Grey Lantern group broke into the paper's servers, officials said."
    hack = b.event(
        "CYBERATTACK",
        hack_sentence,
        "Hackers",
        agent=("Grey Lantern",),
        sponsor=directorate,
        status="alleged",
    )
    b.incident("Bombing of a newspaper office in Marseille", bombing, sanction, hack)
    return b.build()


def denial_story(doc_id: str = "oslo-denial") -> Extraction:
    """A negated attack: exported as a record, never as a link."""
    b = DocBuilder(doc_id, DENIAL_TEXT, published=None, title=None)
    b.entity("Ilse Varga")
    b.entity("Oslo", "PLACE")
    attack = b.event(
        "ATTACK",
        DENIAL_TEXT,
        "attack",
        target=("Ilse Varga",),
        place=("Oslo",),
        status="opinion",
        negated=True,
    )
    b.incident("Denied attack on Ilse Varga", attack)
    return b.build()


def stories() -> list[Extraction]:
    return [
        charge_story(),
        arrest_story(),
        verdict_story(),
        unrelated_plot(),
        sanction_story(),
        denial_story(),
    ]


def fill(store: Store) -> Store:
    for extraction in stories():
        store.add_extraction(extraction)
    return store


def export_text(
    store: Store, fmt: str, *, table: str = "acled", filters: IncidentFilter | None = None
) -> str:
    out = io.StringIO()
    export_incidents(store, fmt, out, filters=filters, table=table)
    return out.getvalue()


def check_golden(name: str, text: str) -> None:
    """Compare ``text`` with the golden file ``name``; rewrite it when THREATLEDGER_UPDATE_GOLDEN=1."""
    path = GOLDEN / name
    if os.environ.get("THREATLEDGER_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
    assert path.exists(), f"no golden file {path}; run with THREATLEDGER_UPDATE_GOLDEN=1 to write it"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"
