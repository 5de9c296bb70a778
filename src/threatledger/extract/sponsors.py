"""Sponsors stated in other sentences: "prosecutors said the killing had been ordered by X" names the
sponsor of the case's violent events even where the event's own sentence does not."""

from __future__ import annotations

from spacy.tokens import Doc

from threatledger.extract.doccache import sentences
from threatledger.extract.events import EventMention
from threatledger.extract.roles import attributed_sponsors, fill_sponsors
from threatledger.resolve.within_doc import DocEntities

CASE_TYPES = frozenset({"PLOT", "ATTACK", "KILLING", "CYBERATTACK"})


def propagate_sponsors(
    doc: Doc, ents: DocEntities, events: list[EventMention], groups: list[list[int]]
) -> None:
    """Give the violent events of a case the sponsors that any sentence of the case attributes."""
    for group in groups:
        members = [events[i] for i in group]
        sents = {m.sent.start for m in members} | {o.sent.start for m in members for o in m.others}
        found = []
        for sent in sentences(doc):
            if sent.start in sents:
                found += fill_sponsors(attributed_sponsors(sent), ents)
        found += [f for m in members if m.kind in CASE_TYPES for f in m.roles["sponsor"]]
        for member in members:
            if member.kind in CASE_TYPES and not member.hypothetical and not member.roles["sponsor"]:
                member.roles["sponsor"] = _unique_clusters(found)


def _unique_clusters(fillers: list) -> list:  # type: ignore[type-arg]
    seen: set[int] = set()
    out = []
    for filler in fillers:
        if id(filler.cluster) not in seen and filler.cluster.type in ("STATE", "ORG"):
            seen.add(id(filler.cluster))
            out.append(filler)
    return out
