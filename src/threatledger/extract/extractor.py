"""Doc -> Extraction: entities, events and incidents of one document, every fact with its provenance."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice

from spacy.tokens import Doc

from threatledger.extract.bodies import add_state_bodies
from threatledger.extract.carryover import (
    carry_dates,
    carry_roles,
    date_reactions,
    dateline_place,
    place_court_steps,
)
from threatledger.extract.dates import news_date
from threatledger.extract.events import EventMention, lede_sentence, mention_events, merge_mentions
from threatledger.extract.incidents import group_incidents
from threatledger.extract.records import entity_record, event_record, incident_record
from threatledger.extract.sponsors import propagate_sponsors
from threatledger.model import Document, Extraction
from threatledger.resolve.within_doc import DocEntities
from threatledger.settings import EXTRACTOR_NAME, EXTRACTOR_VERSION

EXTRACTOR = f"{EXTRACTOR_NAME}.v{EXTRACTOR_VERSION}"
OPINION = re.compile(r"\b(opinion|op-ed|editorial|commentary|column)\b", re.I)


def is_opinion_piece(document: Document) -> bool:
    return any(OPINION.search(x or "") for x in (document.title, document.outlet))


def _confirm_convicted(events: list[EventMention], groups: list[list[int]]) -> None:
    """Violent events of a case in which a court convicted someone (other than the victim) are confirmed."""
    for group in groups:
        members = [events[i] for i in group]
        convictions = [e for e in members if e.kind == "CONVICTION" and not e.hypothetical]
        convicted = {id(f.cluster) for e in convictions for f in e.roles["target"]}
        for e in members:
            if e.kind not in ("PLOT", "ATTACK", "KILLING") or e.hypothetical:
                continue
            victims = {id(f.cluster) for f in e.roles["target"]}
            if convictions and not (
                convicted and convicted <= victims
            ):  # a victim's own conviction proves nothing
                e.status = "confirmed"


def extract_doc(doc: Doc, document: Document) -> Extraction:
    """Everything threatledger extracts from one parsed document."""
    ents = DocEntities(doc)
    add_state_bodies(doc, ents)
    mentions = mention_events(
        doc, ents, document.published, opinion_piece=is_opinion_piece(document), title=document.title
    )
    merged = merge_mentions(mentions)
    groups = group_incidents(merged)
    _confirm_convicted(merged, groups)
    propagate_sponsors(doc, ents, merged, groups)
    carry_roles(merged, groups)
    carry_dates(merged)
    date_reactions(merged, news_date(lede_sentence(doc, document.title), document.published))
    place_court_steps(merged, dateline_place(doc, ents))
    events = [event_record(m, document, EXTRACTOR) for m in merged]
    incidents = [incident_record([events[i] for i in group], document) for group in groups]
    entities = [entity_record(c, document, EXTRACTOR) for c in ents.clusters]
    return Extraction(
        document=document, entities=entities, events=events, incidents=incidents, extractor=EXTRACTOR
    )


def extract_documents(
    documents: Iterable[Document], *, n_process: int = 1, batch_size: int = 16
) -> Iterator[Extraction]:
    """Parse and extract documents, in input order.

    With ``n_process`` > 1, worker processes each load the pipeline once and both parse *and* extract
    chunks of ``batch_size`` documents; only the small Extraction records travel back. (spaCy's own
    ``n_process`` parses in the workers but leaves extraction, and unpickling every Doc, to this process.)
    """
    if n_process <= 1:
        yield from _extract_here(documents, batch_size)
        return
    remaining = iter(documents)
    pending: deque[Future[list[Extraction]]] = deque()
    with ProcessPoolExecutor(max_workers=n_process, initializer=_load_pipeline) as pool:
        while chunk := list(islice(remaining, batch_size)):
            pending.append(pool.submit(_extract_chunk, chunk, batch_size))
            if len(pending) >= n_process * CHUNKS_IN_FLIGHT_PER_PROCESS:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


CHUNKS_IN_FLIGHT_PER_PROCESS = 2


def _load_pipeline() -> None:
    """Worker initializer: load the pipeline once per process."""
    from threatledger.nlp.pipeline import shared_pipeline

    shared_pipeline()


def _extract_here(documents: Iterable[Document], batch_size: int) -> Iterator[Extraction]:
    from threatledger.nlp.pipeline import shared_pipeline

    nlp = shared_pipeline()
    pairs = ((d.text, d) for d in documents)
    for doc, document in nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
        yield extract_doc(doc, document)


def _extract_chunk(chunk: list[Document], batch_size: int) -> list[Extraction]:
    """Run in a worker process: parse and extract one chunk."""
    return list(_extract_here(chunk, batch_size))
