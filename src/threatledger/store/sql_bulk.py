"""Bulk loading without cross-document resolution: many extractions, their rows sent in batches
(``COPY`` on PostgreSQL, ``executemany`` on SQLite), in the caller's transaction.

This is ``Store.add_extractions(..., resolve=False)``, meant for large generated or trusted loads where
``add_extraction``'s per-document resolution is too slow (it asks the store a few hundred questions per
document). What it keeps and what it leaves out:

* documents are idempotent by content hash, as always: a stored one is handed to the full path (which
  skips it, or re-extracts it for a new extractor); one seen twice in the batch is stored once;
* entities resolve by exact name only: the alias table, and a normalised name or alias already in the
  store or in the batch (names are fetched once per chunk). No spelling variants, no surnames alone;
* every incident of a document starts a new global incident (its id is the one the full path would
  give it), with its key participants recorded, so later ``add_extraction`` calls can join it; no
  near-duplicate linking (the MinHash bands are stored, so later documents can still be linked to these).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from threatledger.model import Entity, Event, Extraction
from threatledger.resolve.duplicates import band_keys, minhash
from threatledger.resolve.entities import EntityResolver, NameCandidate, Resolution
from threatledger.resolve.incidents import EntityLookup, central_participants, new_incident_id
from threatledger.resolve.names import block_keys, normalize_name
from threatledger.store import sql_fts
from threatledger.store.records import IngestStats
from threatledger.store.sql_events import chunks, marks
from threatledger.store.sql_index import CANDIDATE_SQL, utc_now
from threatledger.store.sql_spans import Span, incident_seqs, insert_spans
from threatledger.store.sql_write import (
    EVENT_COLUMNS,
    ROLE_NAMES,
    event_groups,
    event_row,
    incident_summary,
    write_extraction,
)
from threatledger.store.sqldb import Database

CHUNK_DOCUMENTS = 2000  # documents whose rows are gathered before they are sent

# table -> (columns, whether a row whose key is stored already is skipped), in the order rows are sent
TABLES: dict[str, tuple[tuple[str, ...], bool]] = {
    "documents": (
        tuple("pk content_hash doc_id title url published outlet source text ingested_at".split()),
        False,
    ),
    "document_bands": (("band", "document_pk"), False),
    "extractions": (tuple("pk document_pk extractor active ingested_at".split()), False),
    "entities": (tuple("id name type country created_at".split()), True),
    "entity_names": (tuple("entity_id norm name kind type last_word words".split()), True),
    "entity_blocks": (tuple("block type entity_id norm".split()), True),
    "doc_entities": (
        tuple("extraction_pk local_id entity_id name type country aliases method".split()),
        True,
    ),
    "mentions": (tuple("extraction_pk local_id text start end extractor".split()), False),
    "incidents": (("id", "summary", "created_at"), True),
    "incident_participants": (("incident_id", "entity_id", "kind"), True),
    "events": (("pk", *EVENT_COLUMNS), False),
    "event_args": (
        tuple("event_pk role position name text local_entity_id entity_id cur_entity_id".split()),
        False,
    ),
    "event_mentions": (("event_pk", "start", "end", "extractor"), False),
    "audit_log": (tuple("at actor action target_kind target_id detail".split()), False),
}
KEYED = ("documents", "extractions", "events")  # tables whose keys the loader hands out


@dataclass(slots=True)
class BulkRows:
    """Rows waiting to be sent, by table; entity renames and full-text rows apart."""

    tables: dict[str, list[tuple[Any, ...]]] = field(default_factory=lambda: defaultdict(list))
    renames: dict[str, str] = field(default_factory=dict)
    document_text: list[tuple[int, str | None, str]] = field(default_factory=list)
    event_text: list[tuple[int, str]] = field(default_factory=list)
    spans: dict[str, Span] = field(default_factory=dict)  # the filter rows of the new incidents
    keep_spans: bool = True  # the store has the filter rows (schema 4)

    def add(self, table: str, row: tuple[Any, ...]) -> None:
        self.tables[table].append(row)

    def send(self, db: Database) -> None:
        """Write every waiting row, parents before children, and forget them."""
        stored = set(incident_seqs(db, sorted(self.spans), live_only=False)) if self.keep_spans else set()
        for table, (columns, ignore) in TABLES.items():
            db.insert_rows(table, columns, self.tables.get(table, []), ignore=ignore)
            if table == "entities" and self.renames:
                db.executemany(
                    "UPDATE entities SET name = ? WHERE id = ?", [(n, i) for i, n in self.renames.items()]
                )
        sql_fts.index_documents(db, self.document_text)
        sql_fts.index_events(db, self.event_text)
        for table in KEYED:
            if self.tables.get(table):
                db.reset_sequence(table)
        if self.keep_spans:
            # an incident id stored before (a rare collision) may hold other events: recomputed at the end
            db.touch(stored)
            fresh = {i: span for i, span in self.spans.items() if i not in stored}
            insert_spans(db, fresh, incident_seqs(db, sorted(fresh)))
        self.spans.clear()
        self.tables.clear()
        self.renames.clear()
        self.document_text.clear()
        self.event_text.clear()


class MemoryNameIndex:
    """A :class:`~threatledger.resolve.entities.NameIndex` answering exact names only: those fetched from
    the store for the chunk being loaded, and those the batch adds (queued as rows)."""

    def __init__(self, db: Database, rows: BulkRows, now: str) -> None:
        self.db, self.rows, self.now = db, rows, now
        self.names: dict[str, list[NameCandidate]] = defaultdict(list)
        self.fetched: set[str] = set()
        self.entities: dict[str, tuple[str, str]] = {}  # id -> (display name, type) of the batch's entities
        self.indexed: set[tuple[str, str]] = set()

    def fetch(self, norms: Iterable[str]) -> None:
        """Load the store's entities that carry any of these names (each name is fetched once)."""
        wanted = sorted({n for n in norms if n and n not in self.fetched})
        self.fetched.update(wanted)
        for part in chunks(wanted):
            for r in self.db.execute(CANDIDATE_SQL + f"WHERE n.norm IN ({marks(part)})", tuple(part)):
                self.names[r["norm"]].append(
                    NameCandidate(r["id"], r["type"], r["name"], r["norm"], r["kind"])
                )

    def by_norm(self, norm: str) -> list[NameCandidate]:
        return list(self.names.get(norm, ()))

    def by_block(self, key: str, entity_type: str) -> list[NameCandidate]:
        return []  # no spelling variants in a bulk load

    def by_last_word(self, word: str) -> list[NameCandidate]:
        return []  # no surnames alone in a bulk load

    def unique(self, norm: str) -> tuple[str, str] | None:
        """The one entity that carries this name, as (id, type), if exactly one does."""
        found = {(c.entity_id, c.type) for c in self.names.get(norm, ())}
        return next(iter(found)) if len(found) == 1 else None

    def add_entity(self, entity_id: str, name: str, entity_type: str, country: str | None) -> None:
        if entity_id not in self.entities:
            self.entities[entity_id] = (name, entity_type)
            self.rows.add("entities", (entity_id, name, entity_type, country, self.now))

    def add_names(self, entity_id: str, entity_type: str, names: Iterable[tuple[str, str]]) -> None:
        display = self.entities.get(entity_id, ("", entity_type))[0]
        for name, kind in names:
            norm = normalize_name(name)
            if not norm or (entity_id, norm) in self.indexed:
                continue
            self.indexed.add((entity_id, norm))
            words = norm.split()
            self.rows.add("entity_names", (entity_id, norm, name, kind, entity_type, words[-1], len(words)))
            if kind != "acronym":
                for key in block_keys(norm):
                    self.rows.add("entity_blocks", (key, entity_type, entity_id, norm))
            self.names[norm].append(NameCandidate(entity_id, entity_type, display or name, norm, kind))

    def rename_entity(self, entity_id: str, name: str) -> None:
        self.rows.renames[entity_id] = name


def wanted_norms(resolver: EntityResolver, extraction: Extraction) -> Iterator[str]:
    """Every name resolving this extraction may look up: entity names, aliases, alias groups, surnames
    and role fillers."""
    for entity in extraction.entities:
        name = resolver.clean_name(entity)
        norm = normalize_name(name)
        yield norm
        yield from (normalize_name(a) for a in entity.aliases)
        group = resolver.alias_group(entity)
        if group is not None:
            yield normalize_name(group.canonical)
        if entity.type == "PERSON" and norm:
            yield norm.split()[-1]
    for event in extraction.events:
        for role in ROLE_NAMES:
            yield from (normalize_name(arg.name) for arg in event.role(role))


@dataclass(slots=True)
class BulkLoader:
    """State of one bulk load in one transaction: the next keys, the names known, the rows waiting."""

    db: Database
    stats: IngestStats = field(default_factory=IngestStats)
    rows: BulkRows = field(default_factory=BulkRows)
    now: str = field(default_factory=utc_now)
    seen: set[str] = field(default_factory=set)  # content hashes of this batch
    keys: dict[str, int] = field(default_factory=dict)
    keep_spans: bool = True  # write the incident filters' rows (schema 4)
    index: MemoryNameIndex = field(init=False)
    resolver: EntityResolver = field(init=False)

    def __post_init__(self) -> None:
        self.rows.keep_spans = self.keep_spans
        self.index = MemoryNameIndex(self.db, self.rows, self.now)
        self.resolver = EntityResolver(self.index)

    def next_key(self, table: str) -> int:
        self.keys[table] += 1
        return self.keys[table]

    def read_keys(self) -> None:
        for table in KEYED:
            self.keys[table] = int(self.db.execute(f"SELECT COALESCE(MAX(pk), 0) FROM {table}").fetchone()[0])

    def load(self, extractions: Iterable[Extraction]) -> IngestStats:
        """Load chunk by chunk; a chunk's rows are sent by a second thread while the next chunk is built
        (SQLite and the PostgreSQL server then work while Python does)."""
        batches = _batches(extractions)
        self.read_keys()
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="threatledger-bulk") as sender:
            sending: Future[None] | None = None
            chunk = next(batches, None)
            fresh = self.prepare(chunk, None) if chunk else []
            while chunk is not None:
                for extraction in fresh:
                    self.stats.add(self.add_document(extraction))
                chunk = next(batches, None)
                if sending is not None:
                    sending.result()  # the connection is free again
                built, self.rows = self.rows, BulkRows(keep_spans=self.keep_spans)
                self.index.rows = self.rows
                fresh = self.prepare(chunk, built) if chunk else []
                sending = sender.submit(built.send, self.db)
            if sending is not None:
                sending.result()
        return self.stats

    def prepare(self, chunk: Sequence[Extraction], unsent: BulkRows | None) -> list[Extraction]:
        """The chunk's new documents, with the store's names for them fetched. Failed documents and
        repeats are counted; stored ones take the full path, once the rows built so far are sent."""
        stored = self._stored({x.document.content_hash for x in chunk})
        fresh, known = [], []
        for extraction in chunk:
            content_hash = extraction.document.content_hash
            if extraction.error is not None:
                self.stats.failed += 1
            elif content_hash in stored:
                known.append(extraction)
            elif content_hash in self.seen:
                self.stats.skipped += 1
            else:
                self.seen.add(content_hash)
                fresh.append(extraction)
        if known:
            if unsent is not None:
                unsent.send(self.db)
            for extraction in known:
                self.stats.add(write_extraction(self.db, extraction))
            self.read_keys()
        self.index.fetch(n for x in fresh for n in wanted_norms(self.resolver, x))
        return fresh

    def _stored(self, hashes: set[str]) -> set[str]:
        stored: set[str] = set()
        for part in chunks(sorted(hashes)):
            rows = self.db.execute(
                f"SELECT content_hash FROM documents WHERE content_hash IN ({marks(part)})", part
            )
            stored.update(r[0] for r in rows)
        return stored

    def add_document(self, extraction: Extraction) -> IngestStats:
        """Queue the rows of one new document's extraction."""
        stats = IngestStats(documents=1)
        document, content_hash = extraction.document, extraction.document.content_hash
        document_pk, extraction_pk = self.next_key("documents"), self.next_key("extractions")
        published = document.published.isoformat() if document.published else None
        self.rows.add(
            "documents",
            (
                document_pk,
                content_hash,
                document.id,
                document.title,
                document.url,
                published,
                document.outlet,
                document.source,
                document.text,
                self.now,
            ),
        )
        self.rows.document_text.append((document_pk, document.title, document.text))
        for band in band_keys(minhash(document.text)):
            self.rows.add("document_bands", (band, document_pk))
        self.rows.add("extractions", (extraction_pk, document_pk, extraction.extractor, 1, self.now))
        resolved = self._add_entities(extraction, extraction_pk, stats)

        def lookup(local_id: str | None, name: str) -> tuple[str, str] | None:
            if local_id is not None and local_id in resolved:
                return resolved[local_id].entity_id, resolved[local_id].type
            return self.index.unique(normalize_name(name))

        for local_id, summary, events in event_groups(extraction):
            events = sorted(events, key=lambda e: (e.provenance.start, e.id))
            incident_id = new_incident_id(content_hash, events[0])
            self.rows.add("incidents", (incident_id, incident_summary(events[0], summary), self.now))
            span = self.rows.spans.setdefault(incident_id, Span())
            for entity_id, kind in sorted(central_participants(events, lookup)):
                self.rows.add("incident_participants", (incident_id, entity_id, kind))
            for event in events:
                self._add_event(event, extraction_pk, document_pk, local_id, incident_id, lookup, span)
            stats.incidents_new += 1
            stats.events += len(events)
        detail = {"content_hash": content_hash, "extractor": extraction.extractor, **stats.to_dict()}
        self.rows.add(
            "audit_log",
            (self.now, "ingest", "ingest", "document", document.id, json.dumps(detail, sort_keys=True)),
        )
        return stats

    def _add_entities(
        self, extraction: Extraction, extraction_pk: int, stats: IngestStats
    ) -> dict[str, Resolution]:
        self.resolver.scope = extraction.document.content_hash
        resolved = self.resolver.resolve_all(extraction.entities)
        for entity in extraction.entities:
            hit = resolved[entity.id]
            if hit.created:
                stats.entities_new += 1
            else:
                stats.entities_matched += 1
            self._add_doc_entity(entity, hit, extraction_pk)
        return resolved

    def _add_doc_entity(self, entity: Entity, hit: Resolution, extraction_pk: int) -> None:
        self.rows.add(
            "doc_entities",
            (
                extraction_pk,
                entity.id,
                hit.entity_id,
                entity.name,
                entity.type,
                entity.country,
                json.dumps(list(entity.aliases)),
                hit.method,
            ),
        )
        for m in entity.mentions:
            self.rows.add(
                "mentions",
                (
                    extraction_pk,
                    entity.id,
                    m.text,
                    m.provenance.start,
                    m.provenance.end,
                    m.provenance.extractor,
                ),
            )

    def _add_event(
        self,
        event: Event,
        extraction_pk: int,
        document_pk: int,
        local_incident: str | None,
        incident_id: str,
        lookup: EntityLookup,
        span: Span,
    ) -> None:
        pk = self.next_key("events")
        span.add_event(event.date, event.type, document_pk, duplicate=False)
        self.rows.add(
            "events", (pk, *event_row(extraction_pk, document_pk, event, local_incident, incident_id))
        )
        self.rows.event_text.append((pk, event.sentence))
        for role in ROLE_NAMES:
            for position, arg in enumerate(event.role(role)):
                hit = lookup(arg.entity_id, arg.name)
                entity_id = hit[0] if hit else None
                if entity_id is not None:  # its role row's key follows the rows queued before it
                    span.add_filler(entity_id, role, len(self.rows.tables["event_args"]))
                self.rows.add(
                    "event_args",
                    (pk, role, position, arg.name, arg.text, arg.entity_id, entity_id, entity_id),
                )
        for m in event.mentions:
            self.rows.add("event_mentions", (pk, m.start, m.end, m.extractor))


def _batches(extractions: Iterable[Extraction]) -> Iterator[list[Extraction]]:
    iterator = iter(extractions)
    while chunk := list(islice(iterator, CHUNK_DOCUMENTS)):
        yield chunk


def write_bulk(db: Database, extractions: Iterable[Extraction], *, keep_spans: bool = True) -> IngestStats:
    """Store extractions without cross-document resolution (see the module's docstring); the caller
    holds the transaction (and with it the only writer's lock). ``keep_spans``: the new incidents' filter
    rows are written with them (:mod:`threatledger.store.sql_spans`), from what the loader knows."""
    return BulkLoader(db, keep_spans=keep_spans).load(extractions)
